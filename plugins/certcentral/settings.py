"""Settings of the CertCentral plugins, and the order fields they read.

:class:`CertCentralSettings` is the shared shape; ``DigiCertSettings`` and
``SymantecSettings`` differ only in their environment prefix and default product.
Options from the settings file win over environment variables.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from certorder.plugins.certcentral.client import DEFAULT_BASE_URL
from certorder.plugins.certcentral.products import (
    DCV_METHODS,
    DIGICERT_PRODUCTS,
    SIGNATURE_HASHES,
    SYMANTEC_PRODUCTS,
    Product,
)
from certorder.plugins.interface.durations import bounded_retry_msec, bounded_timeout
from certorder.plugins.interface.errors import PluginConfigurationError

DcvMethod = Literal["email", "dns-txt-token", "dns-cname-token", "http-token"]
SignatureHash = Literal["sha256", "sha384", "sha512"]

assert set(DcvMethod.__args__) == set(DCV_METHODS)  # type: ignore[attr-defined]
assert set(SignatureHash.__args__) == set(SIGNATURE_HASHES)  # type: ignore[attr-defined]


class CertCentralSettings(BaseSettings):
    """Options shared by every CertCentral plugin (see ``docs/plugins/digicert.md``).

    Exactly one of ``api_key`` and ``api_key_file`` must be set. The key is a
    :class:`SecretStr`, so it prints as ``**********``.
    """

    model_config = SettingsConfigDict(extra="forbid")

    #: The catalogue ``default_product`` must belong to; set by subclasses.
    catalogue: ClassVar[Mapping[str, Product]] = {}

    base_url: str = DEFAULT_BASE_URL
    api_key: SecretStr | None = None
    api_key_file: Path | None = None
    organization_id: int | None = Field(default=None, ge=1)
    container_id: int | None = Field(default=None, ge=1)
    default_product: str
    validity_years: int = Field(default=1, ge=1, le=3)
    signature_hash: SignatureHash = "sha256"
    default_dcv_method: DcvMethod = "dns-txt-token"
    skip_approval: bool = False
    #: Id of an account custom order field that also carries the certorder order id.
    tracking_metadata_id: int | None = Field(default=None, ge=1)
    #: How many existing orders to inspect when looking for one already placed.
    lookup_limit: int = Field(default=100, ge=1, le=1000)
    #: After an order request that got no answer (timeout, lost connection, 500/502/504),
    #: how long to keep looking for the order it may have placed before ordering again.
    unconfirmed_order_grace_seconds: float = bounded_timeout(900.0)
    connect_timeout: float = bounded_timeout(10.0)
    read_timeout: float = bounded_timeout(60.0)
    #: Wait before polling an order that is pending or processing (5 minutes).
    retry_msec: int = bounded_retry_msec(300_000)
    #: Wait before polling an order waiting on the client (DCV, approval): 15 minutes.
    dcv_retry_msec: int = bounded_retry_msec(900_000)
    #: Wait after an outage or a rate limit without ``Retry-After`` (5 minutes).
    unavailable_retry_msec: int = bounded_retry_msec(300_000)

    @field_validator("default_product")
    @classmethod
    def _known_product(cls, value: str) -> str:
        if value not in cls.catalogue:
            known = ", ".join(sorted(cls.catalogue))
            raise ValueError(f"unknown product {value!r}; known: {known}")
        return value

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("https://", "http://")):
            raise ValueError("must be an http(s) URL")
        return value if value.endswith("/") else value + "/"

    def resolved_api_key(self) -> SecretStr:
        """The API key, from ``api_key`` or the first line of ``api_key_file``.

        :raises PluginConfigurationError: if neither or both are set, or the file is
            unreadable or empty. The message never contains the key.
        """
        if (self.api_key is None) == (self.api_key_file is None):
            raise PluginConfigurationError("set exactly one of api_key and api_key_file")
        if self.api_key is not None:
            key = self.api_key.get_secret_value().strip()
        else:
            try:
                key = self.api_key_file.read_text().strip()  # type: ignore[union-attr]
            except OSError as exc:
                raise PluginConfigurationError(
                    f"cannot read api_key_file {self.api_key_file}: {exc.strerror}"
                ) from None
        if not key:
            raise PluginConfigurationError("the CertCentral API key is empty")
        return SecretStr(key)


class DigiCertSettings(CertCentralSettings):
    """``[plugins.digicert]``; environment ``CERTORDER_DIGICERT_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="CERTORDER_DIGICERT_", extra="forbid")
    catalogue: ClassVar[Mapping[str, Product]] = DIGICERT_PRODUCTS

    default_product: str = "ssl_basic"


class SymantecSettings(CertCentralSettings):
    """``[plugins.symantec]``; environment ``CERTORDER_SYMANTEC_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="CERTORDER_SYMANTEC_", extra="forbid")
    catalogue: ClassVar[Mapping[str, Product]] = SYMANTEC_PRODUCTS

    default_product: str = "ssl_securesite_flex"


def load_settings(cls: type[CertCentralSettings], name: str, options: Mapping[str, Any]):
    """Build ``cls`` from a plugin's options; a bad option is a one-line
    :class:`PluginConfigurationError` that names the option, never its value."""
    try:
        return cls(**dict(options))
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "options"
        raise PluginConfigurationError(f"{name}: {field}: {first['msg']}") from None


class CertCentralOrderMeta(BaseModel):
    """The ``order_meta`` fields a CertCentral plugin reads; other keys are ignored.

    :param profile: CertCentral product name id; must be in the plugin's catalogue
        (default: the plugin's ``default_product``).
    :param dcv_method: how to prove control of the domains (default from settings).
    :param organization_id: overrides the settings' organization for OV/EV products.
    :param validity_years: overrides the settings' validity.
    :param signature_hash: overrides the settings' hash.
    :param resend_dcv_emails: on a modify, ask DigiCert to send the DCV emails again.
    """

    catalogue: ClassVar[Mapping[str, Product]] = {}

    profile: str | None = None
    dcv_method: DcvMethod | None = None
    organization_id: int | None = Field(default=None, ge=1)
    validity_years: int | None = Field(default=None, ge=1, le=3)
    signature_hash: SignatureHash | None = None
    resend_dcv_emails: bool = False

    @field_validator("profile")
    @classmethod
    def _in_catalogue(cls, value: str | None) -> str | None:
        if value is not None and value not in cls.catalogue:
            raise ValueError(
                f"unknown product {value!r}; this plugin orders: {', '.join(sorted(cls.catalogue))}"
            )
        return value


class DigiCertOrderMeta(CertCentralOrderMeta):
    """Order fields of the ``digicert`` plugin (DigiCert, GeoTrust and RapidSSL products)."""

    catalogue: ClassVar[Mapping[str, Product]] = DIGICERT_PRODUCTS


class SymantecOrderMeta(CertCentralOrderMeta):
    """Order fields of the ``symantec`` plugin (Symantec Secure Site products)."""

    catalogue: ClassVar[Mapping[str, Product]] = SYMANTEC_PRODUCTS
