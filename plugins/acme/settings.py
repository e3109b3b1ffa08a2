"""Settings of the ACME plugin (``[plugins.acme]``, or ``CERTORDER_ACME_<NAME>``)."""

from __future__ import annotations

import base64
import binascii
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from certorder.plugins.interface.durations import bounded_retry_msec, bounded_timeout

#: The challenge types the plugin can answer by itself.
ChallengeType = Literal["http-01", "dns-01"]


class AcmeSettings(BaseSettings):
    """How to reach one ACME directory and how to prove control of the order's names.

    Options given in the settings file win over environment variables. Unknown options
    are refused, so a misspelt ``eab_kid`` cannot silently register without binding.
    """

    model_config = SettingsConfigDict(env_prefix="CERTORDER_ACME_", extra="forbid")

    directory_url: str = Field(min_length=1, pattern=r"^https?://")
    ca_bundle: Path | None = None
    contact_email: str | None = None
    terms_agreed: bool = False
    eab_kid: str | None = None
    eab_hmac_key: SecretStr | None = None
    challenge_type: ChallengeType = "http-01"
    http_responder_host: str = "0.0.0.0"
    http_responder_port: int = Field(default=80, ge=1, le=65535)
    webroot: Path | None = None
    dns_hook: str | None = None
    dns_hook_timeout: float = bounded_timeout(120.0)
    poll_retry_msec: int = bounded_retry_msec(2000, minimum=1)
    unavailable_retry_msec: int = bounded_retry_msec(60_000, minimum=1)
    network_timeout: float = bounded_timeout(30.0)
    nonce_retries: int = Field(default=4, ge=1, le=20)
    account_key_passphrase: SecretStr | None = None

    @field_validator("eab_hmac_key")
    @classmethod
    def _base64url(cls, value: SecretStr | None) -> SecretStr | None:
        # CAs hand the EAB HMAC key out base64url-encoded; refuse anything else now
        # rather than at the first order.
        if value is None:
            return None
        text = value.get_secret_value()
        standard = text.replace("-", "+").replace("_", "/") + "=" * (-len(text) % 4)
        try:
            key = base64.b64decode(standard, validate=True)
        except (binascii.Error, ValueError):
            key = b""
        if not key:
            raise ValueError("eab_hmac_key must be base64url, as the CA issued it")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> AcmeSettings:
        if (self.eab_kid is None) != (self.eab_hmac_key is None):
            raise ValueError("eab_kid and eab_hmac_key must be set together")
        if self.challenge_type == "dns-01" and not self.dns_hook:
            raise ValueError("challenge_type dns-01 needs dns_hook (the command that sets TXT)")
        if self.ca_bundle is not None and not self.ca_bundle.is_file():
            raise ValueError(f"ca_bundle {self.ca_bundle} is not a file")
        if self.webroot is not None and not self.webroot.is_dir():
            raise ValueError(f"webroot {self.webroot} is not a directory")
        return self

    def passphrase_bytes(self) -> bytes | None:
        """The account-key passphrase, or ``None`` when the key is stored unencrypted."""
        if self.account_key_passphrase is None:
            return None
        secret = self.account_key_passphrase.get_secret_value()
        return secret.encode() if secret else None
