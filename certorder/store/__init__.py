"""The certificate store: issued certificates kept by order, in SQLite or PostgreSQL."""

from certorder.store.certificate_store import CertificateStore
from certorder.store.engine import default_store_url
from certorder.store.errors import StoreUnavailableError
from certorder.store.models import CertificateContainer, StoredSecret

__all__ = [
    "CertificateContainer",
    "CertificateStore",
    "StoreUnavailableError",
    "StoredSecret",
    "default_store_url",
]
