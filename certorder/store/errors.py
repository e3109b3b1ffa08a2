"""Errors the store raises on purpose."""

from __future__ import annotations


class StoreUnavailableError(RuntimeError):
    """The store's database cannot be opened: unreachable, missing, or not writable.

    The message is one line naming the URL (without its password) and the cause.
    """
