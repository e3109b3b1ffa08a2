"""The ``certcentral_sim`` pytest fixture: a fresh simulator per test, stopped after.

Import it into a conftest (or a test module) with
``from tests.simulators.certcentral_fixture import certcentral_sim  # noqa: F401``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from simulators.certcentral.server import CertCentralSimulator


@pytest.fixture
def certcentral_sim() -> Iterator[CertCentralSimulator]:
    """A running simulator: ``base_url``, ``api_key``, ``root_pem``, ``orders_placed``,
    ``set_scenario``, ``fail_next``, ``go_offline``/``go_online``, ``approve``."""
    sim = CertCentralSimulator().start()
    try:
        yield sim
    finally:
        sim.stop()
