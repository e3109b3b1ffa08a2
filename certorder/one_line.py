"""The one-line promise of every user-facing message, on its own: the CLI prints usage
errors with it before (and without) loading the client and Temporal."""

from __future__ import annotations


def one_line(message: object) -> str:
    """Collapse a message onto one line (multi-line server errors would break the CLI's
    one-line promise)."""
    text = " ".join(str(message).split())
    return text or "unknown error"
