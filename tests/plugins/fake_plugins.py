"""Small scripted plugins for the manager's tests.

They are loaded two ways: constructed directly for :meth:`PluginManager.from_plugins`,
and through real entry points of a throwaway distribution that the tests write into a
temporary ``site`` directory (see ``test_manager_loading.py``).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pydantic import BaseModel
from pydantic_settings import BaseSettings, SettingsConfigDict

from certorder.plugins import (
    CACreateDTO,
    CAInfo,
    CAOperationError,
    CAUnavailableError,
    CertificatePluginBase,
    CertificateRequestType,
    CertificateStatus,
    CoreMetaDTO,
    PluginConfigurationError,
    PluginContext,
    ResultDTO,
)

#: Every ScriptedPlugin ever constructed, in order: proves "constructed once" and "closed".
CONSTRUCTED: list[ScriptedPlugin] = []


class ScriptedPlugin(CertificatePluginBase):
    """A plugin whose answers come from its options.

    * ``cas``: its CA ids (default: one CA named after the plugin).
    * ``request_types``: accepted request types (default: ``simple-cmc``).
    * ``profiles``: when given, ``supports()`` only orders whose ``profile`` is listed.
    * ``can_create_ca``: whether ``create_ca`` works.
    * ``ca_info_error``: ``"unavailable"`` or ``"broken"`` to make ``get_ca_info`` raise.
    * ``close_error``: make ``close()`` raise.
    """

    def __init__(self, context: PluginContext) -> None:
        super().__init__(context)
        options = context.options
        self.cas = list(options.get("cas", [context.name]))
        self.request_types = [
            CertificateRequestType(t) for t in options.get("request_types", ["simple-cmc"])
        ]
        self.profiles = options.get("profiles")
        self.can_create_ca = bool(options.get("can_create_ca", False))
        self.ca_info_error = options.get("ca_info_error")
        self.close_error = bool(options.get("close_error", False))
        self.close_calls = 0
        CONSTRUCTED.append(self)

    @classmethod
    def build(cls, name: str, tmp_path, **options) -> ScriptedPlugin:
        """Construct directly, as the manager would, for ``from_plugins`` tests."""
        return cls(PluginContext(name=name, data_dir=tmp_path / name, options=options))

    def _result(self, order_id: str) -> ResultDTO:
        return ResultDTO(
            status=CertificateStatus.WAITING_FOR_CA, status_message=f"{self.name}:{order_id}"
        )

    def issue_certificate_request(self, order_id, order_meta, plugin_meta, core_meta: CoreMetaDTO):
        return self._result(order_id)

    def check_certificate_status(self, order_id, order_meta, plugin_meta, core_meta: CoreMetaDTO):
        return self._result(order_id)

    def modify_certificate_request(self, order_id, order_meta, plugin_meta, core_meta: CoreMetaDTO):
        return self._result(order_id)

    def cancel_certificate_request(self, order_id, order_meta, plugin_meta, core_meta: CoreMetaDTO):
        return ResultDTO(status=CertificateStatus.REQUEST_CANCELED)

    def supports(self, order_meta) -> bool:
        return self.profiles is None or order_meta.get("profile") in self.profiles

    def supported_request_types(self):
        return tuple(self.request_types)

    def get_ca_info(self) -> list[CAInfo]:
        if self.ca_info_error == "unavailable":
            raise CAUnavailableError("CA at https://127.0.0.1:1 refused the connection", 42_000)
        if self.ca_info_error == "broken":
            raise KeyError("cert")
        return [CAInfo(ca_id=ca, name=f"{self.name} {ca}") for ca in self.cas]

    def supports_create_ca(self) -> bool:
        return self.can_create_ca

    def create_ca(self, ca_create: CACreateDTO) -> CAInfo:
        ca_id = f"{ca_create.parent_ca_id or self.cas[0]}/{ca_create.name}"
        self.cas.append(ca_id)
        return CAInfo(ca_id=ca_id, name=ca_create.name, parent_ca_id=ca_create.parent_ca_id)

    def delete_ca(self, ca_id: str) -> None:
        if ca_id == self.cas[0]:
            raise CAOperationError(f"{ca_id!r} is a root CA")
        self.cas.remove(ca_id)

    def close(self) -> None:
        self.close_calls += 1
        if self.close_error:
            raise OSError("socket already closed")


class ProfileMeta(BaseModel):
    """This plugin's own order fields."""

    profile: Literal["server", "client"]


class ProfilePlugin(ScriptedPlugin):
    """A scripted plugin that validates ``order_meta`` with a model."""

    order_meta_model = ProfileMeta


class ExplodingPlugin(ScriptedPlugin):
    """A plugin whose constructor fails the way a misconfigured plugin should."""

    def __init__(self, context: PluginContext) -> None:
        raise PluginConfigurationError("passphrase is missing")


class FakeSettings(BaseSettings):
    """Settings from options, with environment fallback, as the guide recommends."""

    model_config = SettingsConfigDict(env_prefix="CERTORDER_FAKE_SETTINGS_", extra="forbid")

    passphrase: str
    validity_days: int = 30


class SettingsPlugin(ScriptedPlugin):
    """A plugin that validates its options with pydantic-settings."""

    def __init__(self, context: PluginContext) -> None:
        self.settings = FakeSettings(**context.options)
        super().__init__(context)


class NotAPlugin:
    """Registered under the plugin group by mistake: it has no contract at all."""

    def __init__(self, context: object) -> None:
        self.context = context


def self_signed_pem(common_name: str = "contract test") -> str:
    """A fresh self-signed certificate (for a key nobody else has), as PEM."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM).decode()
