"""What the store hands out: immutable pydantic views of stored rows."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from certorder.store.schema import CERTIFICATE, INTERMEDIATES


class StoredSecret(BaseModel):
    """One named piece of a container: the certificate, the intermediates, ..."""

    model_config = ConfigDict(frozen=True)

    name: str
    content_type: str
    payload: str = Field(repr=False)


class CertificateContainer(BaseModel):
    """The issued certificate of one order, with its chain.

    Barbican kept the same thing as a Container of type ``certificate`` holding
    Secrets named ``certificate`` and ``intermediates``.
    """

    model_config = ConfigDict(frozen=True)

    container_id: str
    order_id: str
    plugin_name: str
    ca_id: str | None
    created_at: datetime
    secrets: dict[str, StoredSecret]

    @property
    def certificate(self) -> str:
        """The leaf certificate as PEM text."""
        return self.secrets[CERTIFICATE].payload

    @property
    def intermediates(self) -> str | None:
        """The chain above the leaf as PEM text, or None when the CA gave none."""
        secret = self.secrets.get(INTERMEDIATES)
        return secret.payload if secret is not None else None
