"""Settings of the local CA plugin and the order fields it understands."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr, ValidationInfo, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from certorder.plugins.local_ca.keys import CAKeyType

#: Longest leaf validity unless configured otherwise: the old CA/Browser Forum ceiling.
DEFAULT_MAX_VALIDITY_DAYS = 825

#: The certificate profiles a client may ask for in ``order_meta["profile"]``.
Profile = Literal["server", "client", "server-client"]


class LocalCASettings(BaseSettings):
    """The ``[plugins.local-ca]`` options; each may also come from ``CERTORDER_LOCAL_CA_<NAME>``.

    Options given in the settings file win over environment variables. Unknown options
    are refused, so a misspelt ``passphrase`` cannot silently leave keys unencrypted.
    """

    model_config = SettingsConfigDict(env_prefix="CERTORDER_LOCAL_CA_", extra="forbid")

    passphrase: SecretStr | None = None
    root_cert_file: Path | None = None
    root_key_file: Path | None = None
    root_common_name: str = Field(default="certorder local root CA", min_length=1)
    root_validity_days: int = Field(default=3650, ge=1)
    sub_ca_validity_days: int = Field(default=1825, ge=1)
    max_sub_ca_depth: int = Field(default=4, ge=0)
    key_type: CAKeyType = "p256"
    default_validity_days: int = Field(default=90, ge=1)
    max_validity_days: int = Field(default=DEFAULT_MAX_VALIDITY_DAYS, ge=1)
    #: Where each CA's CRL is served: issued certificates then carry the CRL
    #: distribution point ``<crl_url_base>/<CA id>.crl`` (DER, `certorder ca crl --der`).
    crl_url_base: str | None = Field(default=None, pattern=r"^https?://\S+$")
    #: How long a CRL stays current (its nextUpdate); publish a fresh one before then.
    crl_validity_days: int = Field(default=7, ge=1)

    @model_validator(mode="after")
    def _consistent(self) -> LocalCASettings:
        if (self.root_cert_file is None) != (self.root_key_file is None):
            raise ValueError("root_cert_file and root_key_file must be set together")
        if self.default_validity_days > self.max_validity_days:
            raise ValueError("default_validity_days is larger than max_validity_days")
        return self

    def passphrase_text(self) -> str | None:
        """The key passphrase, or ``None`` when keys are stored unencrypted."""
        if self.passphrase is None or not self.passphrase.get_secret_value():
            return None
        return self.passphrase.get_secret_value()


class LocalCAOrderMeta(BaseModel):
    """The ``order_meta`` fields the local CA reads; every other key is ignored.

    Validate with ``context={"max_validity_days": n}`` to apply a plugin's own ceiling;
    without it :data:`DEFAULT_MAX_VALIDITY_DAYS` applies.
    """

    profile: Profile = "server"
    validity_days: int | None = Field(default=None, ge=1)

    @field_validator("validity_days")
    @classmethod
    def _not_above_ceiling(cls, value: int | None, info: ValidationInfo) -> int | None:
        ceiling = (info.context or {}).get("max_validity_days", DEFAULT_MAX_VALIDITY_DAYS)
        if value is not None and value > ceiling:
            raise ValueError(f"at most {ceiling} days are allowed, got {value}")
        return value
