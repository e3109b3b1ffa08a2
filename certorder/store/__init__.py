"""The certificate store: issued certificates kept by order, in SQLite or PostgreSQL."""

from certorder.store.certificate_store import CertificateStore
from certorder.store.engine import default_store_url
from certorder.store.errors import (
    CertificateConflictError,
    StoreLocationError,
    StoreUnavailableError,
)
from certorder.store.models import CertificateContainer, StoredSecret
from certorder.store.order_ids import OrderIdClaim

__all__ = [
    "CertificateConflictError",
    "CertificateContainer",
    "CertificateStore",
    "OrderIdClaim",
    "StoreLocationError",
    "StoreUnavailableError",
    "StoredSecret",
    "default_store_url",
]
