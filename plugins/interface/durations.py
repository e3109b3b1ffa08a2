"""Bounded duration fields for plugin settings: finite, positive, and within what the
core can wait for.

``inf``, ``1e309`` or ``1e15`` seconds once passed validation and broke every order
at its first call; a retry delay above ``MAX_RETRY_MSEC`` fails the plugin's own
result. Use these in every plugin's settings model.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from certorder.plugins.interface.dto import MAX_RETRY_MSEC

#: A network or hook timeout longer than this is a mistake, not a setting.
MAX_TIMEOUT_SECONDS = 3600.0


def bounded_timeout(default: float, *, maximum: float = MAX_TIMEOUT_SECONDS) -> Any:
    """A timeout in seconds: finite, above 0, at most ``maximum``."""
    return Field(default=default, gt=0, le=maximum, allow_inf_nan=False)


def bounded_retry_msec(default: int, *, minimum: int = 0) -> Any:
    """A delay before the core's next call, in ms: ``minimum`` to ``MAX_RETRY_MSEC``."""
    return Field(default=default, ge=minimum, le=MAX_RETRY_MSEC)
