"""Fixtures for the Dogtag simulator tests."""

from __future__ import annotations

from tests.simulators.dogtag_fixture import dogtag_sim  # noqa: F401
