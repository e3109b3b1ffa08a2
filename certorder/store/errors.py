"""Errors the store raises on purpose."""

from __future__ import annotations


class StoreUnavailableError(RuntimeError):
    """The store's database cannot be opened: unreachable, missing, or not writable.

    The message is one line naming the URL (without its password) and the cause.
    """


class StoreLocationError(StoreUnavailableError):
    """The configured place cannot hold a store (a SQLite directory that cannot be
    created, no database file where one must already be): fix store_url or data_dir."""


class CertificateConflictError(RuntimeError):
    """An order already has a different certificate in the store; nothing was written.

    Either the order id was reused for another order, or a CA issued twice: never
    hand one order's certificate to another, and never replace a stored one.
    """
