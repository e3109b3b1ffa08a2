"""Settings of the CFSSL plugin (``[plugins.cfssl]``, or ``CERTORDER_CFSSL_<NAME>``) and
the order fields it reads."""

from __future__ import annotations

import binascii
from pathlib import Path

from pydantic import BaseModel, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from certorder.plugins.interface.durations import bounded_retry_msec, bounded_timeout


class CfsslSettings(BaseSettings):
    """Where ``cfssl serve`` (or ``multirootca``) listens and how to talk to it.

    Options given in the settings file win over environment variables. Unknown options
    are refused, so a misspelt ``auth_key`` cannot silently send unauthenticated requests.
    """

    model_config = SettingsConfigDict(env_prefix="CERTORDER_CFSSL_", extra="forbid")

    base_url: str = Field(min_length=1, pattern=r"^https?://")
    auth_key: SecretStr | None = None
    default_profile: str = ""
    profiles: list[str] | None = None
    label: str = ""
    timeout: float = bounded_timeout(10.0)
    unavailable_retry_msec: int = bounded_retry_msec(60_000, minimum=1)
    ca_bundle: Path | None = None

    @field_validator("auth_key")
    @classmethod
    def _hex(cls, value: SecretStr | None) -> SecretStr | None:
        # CFSSL's "standard" auth keys are hex in its config; the same text goes here.
        if value is None:
            return None
        try:
            key = bytes.fromhex(value.get_secret_value())
        except ValueError:
            key = b""
        if not key:
            raise ValueError("auth_key must be the hex key of CFSSL's auth_keys entry")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> CfsslSettings:
        if self.profiles is not None and self.default_profile not in self.profiles:
            raise ValueError(f"default_profile {self.default_profile!r} is not in profiles")
        if self.ca_bundle is not None and not self.ca_bundle.is_file():
            raise ValueError(f"ca_bundle {self.ca_bundle} is not a file")
        return self

    def auth_key_bytes(self) -> bytes | None:
        """The HMAC key for ``authsign``, or ``None`` to use ``sign``."""
        if self.auth_key is None:
            return None
        return binascii.unhexlify(self.auth_key.get_secret_value())


class CfsslOrderMeta(BaseModel):
    """The ``order_meta`` fields the CFSSL plugin reads; every other key is ignored.

    ``profile`` names a signing profile of the CFSSL configuration; when the plugin's
    ``profiles`` setting lists the allowed ones, any other is refused at submission
    (CFSSL itself silently signs an unknown profile with its default one).
    """

    profile: str | None = Field(default=None, min_length=1)
