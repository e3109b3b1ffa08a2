"""Settings of the Dogtag plugin and the order fields it understands."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, Field, ValidationInfo, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from certorder.plugins.interface.durations import bounded_retry_msec, bounded_timeout
from certorder.plugins.interface.errors import ERROR_RETRY_MSEC

#: Dogtag profile ids are file names under ``ca/profiles/ca`` (``caServerCert``): letters,
#: digits, ``_`` and ``-``. Anything else cannot name a profile, and may not go in a URL.
PROFILE_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,63}$")

#: Default wait between status checks of a request an agent has not handled yet.
WAITING_RETRY_MSEC = 10 * 60 * 1000


def _split_list(value: object) -> object:
    # Environment variables carry lists as "a,b"; settings files as real lists.
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    return value


class DogtagSettings(BaseSettings):
    """The ``[plugins.dogtag]`` options; each may also come from ``CERTORDER_DOGTAG_<NAME>``.

    ``client_cert_file``/``client_key_file`` are the agent's TLS client certificate (PEM);
    the plugin only ever holds their paths. ``auto_approved_profiles`` lists the profiles
    whose requests the plugin approves itself with that agent identity, so that they are
    issued within the first call; an exact list, not a substring match.
    """

    model_config = SettingsConfigDict(env_prefix="CERTORDER_DOGTAG_", extra="forbid")

    base_url: str = Field(min_length=1, description="e.g. https://ca.example.com:8443")
    client_cert_file: Path | None = None
    client_key_file: Path | None = None
    ca_bundle_file: Path | None = None
    default_profile: str = "caServerCert"
    auto_approved_profiles: Annotated[list[str], NoDecode] = Field(default_factory=list)
    allowed_profiles: Annotated[list[str] | None, NoDecode] = None
    requestor_name: str = Field(default="certorder", min_length=1, max_length=64)
    timeout_seconds: float = bounded_timeout(30.0, maximum=600)
    retry_msec: int = bounded_retry_msec(WAITING_RETRY_MSEC, minimum=1)
    unavailable_retry_msec: int = bounded_retry_msec(ERROR_RETRY_MSEC, minimum=1)
    recovery_scan_limit: int = Field(default=100, ge=0, le=10_000)

    _lists = field_validator("auto_approved_profiles", "allowed_profiles", mode="before")(
        staticmethod(_split_list)
    )

    @field_validator("base_url")
    @classmethod
    def _https_url(cls, value: str) -> str:
        value = value.rstrip("/")
        if not re.match(r"^https?://[^/\s]+$", value):
            raise ValueError("must be a scheme://host[:port] URL without a path")
        return value

    @field_validator("default_profile")
    @classmethod
    def _profile_id(cls, value: str) -> str:
        if not PROFILE_ID.match(value):
            raise ValueError(f"{value!r} is not a Dogtag profile id")
        return value

    @field_validator("auto_approved_profiles", "allowed_profiles")
    @classmethod
    def _profile_ids(cls, value: list[str] | None) -> list[str] | None:
        for item in value or ():
            if not PROFILE_ID.match(item):
                raise ValueError(f"{item!r} is not a Dogtag profile id")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> DogtagSettings:
        if (self.client_cert_file is None) != (self.client_key_file is None):
            raise ValueError("client_cert_file and client_key_file must be set together")
        if self.auto_approved_profiles and self.client_cert_file is None:
            raise ValueError("auto_approved_profiles needs an agent client_cert_file")
        for path in (self.client_cert_file, self.client_key_file, self.ca_bundle_file):
            if path is not None and not path.is_file():
                raise ValueError(f"file not found: {path}")
        if self.allowed_profiles is not None and self.default_profile not in self.allowed_profiles:
            raise ValueError("default_profile is not one of allowed_profiles")
        return self


class DogtagOrderMeta(BaseModel):
    """The ``order_meta`` fields the Dogtag plugin reads; every other key is ignored.

    Validate with ``context={"allowed_profiles": [...]}`` to apply a plugin's list.
    """

    profile: str | None = None

    @field_validator("profile")
    @classmethod
    def _known_profile(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None:
            return None
        if not PROFILE_ID.match(value):
            raise ValueError(f"{value!r} is not a Dogtag profile id")
        allowed = (info.context or {}).get("allowed_profiles")
        if allowed is not None and value not in allowed:
            raise ValueError(f"profile {value!r} is not offered; choose one of {sorted(allowed)}")
        return value
