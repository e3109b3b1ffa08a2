"""One way to reach Temporal, so worker, CLI and tests cannot disagree on the converter
(the pydantic one, with the payload codec of ``certorder.codec`` when configured) or
on the connection.

The connection is what a Temporal user expects: ``temporalio.envconfig`` reads the
same ``TEMPORAL_*`` variables (``TEMPORAL_ADDRESS``, ``TEMPORAL_NAMESPACE``,
``TEMPORAL_API_KEY``, ``TEMPORAL_TLS_*``, ``TEMPORAL_PROFILE``, ``TEMPORAL_CONFIG_FILE``)
and the same profile file as the Temporal CLI. certorder's own ``temporal_*`` settings,
when set (environment, TOML, or code), override them field by field.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from temporalio.client import Client
from temporalio.envconfig import ClientConfigProfile, ClientConnectConfig
from temporalio.runtime import Runtime
from temporalio.service import TLSConfig

from certorder.client_errors import TemporalUnavailableError, one_line
from certorder.codec import data_converter
from certorder.settings import Settings, SettingsError

_TLS_FILES = {
    "temporal_tls_server_ca_cert": "server_root_ca_cert",
    "temporal_tls_client_cert": "client_cert",
    "temporal_tls_client_key": "client_private_key",
}


class TemporalConnectionError(TemporalUnavailableError):
    """Something answered at the address but refused the connection (TLS, client
    certificate); the message is one line with the likely cause."""

    def __init__(self, address: str, reason: str) -> None:
        Exception.__init__(self, one_line(f"cannot connect to Temporal at {address}: {reason}"))


def connect_config(settings: Settings, env: Mapping[str, str] | None = None) -> ClientConnectConfig:
    """The arguments of ``Client.connect``: envconfig's profile, then certorder's settings.

    :param env: the environment to read (default: this process's).
    :raises SettingsError: a bad profile file, an unknown profile, an unreadable TLS file.
    """
    explicit = settings.model_fields_set
    try:
        config = ClientConnectConfig()
        if settings.temporal_envconfig:
            profile = ClientConfigProfile.load(settings.temporal_profile, override_env_vars=env)
            config = profile.to_client_connect_config()
    except RuntimeError as exc:  # the SDK's ConfigError
        # A TOML error comes with the offending line drawn below it: keep its first
        # line (where) and its last (what).
        lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
        what = lines[0] if len(lines) < 2 else f"{lines[0]}: {lines[-1]}"
        raise SettingsError(f"Temporal client configuration: {what}") from None
    except OSError as exc:  # a TEMPORAL_TLS_*_PATH that cannot be read
        raise SettingsError(f"Temporal TLS file {exc.filename}: {exc.strerror}") from None
    if "temporal_address" in explicit or "target_host" not in config:
        config["target_host"] = settings.temporal_address
    if "temporal_namespace" in explicit or "namespace" not in config:
        config["namespace"] = settings.temporal_namespace
    if settings.temporal_api_key is not None:
        config["api_key"] = settings.temporal_api_key
        config.setdefault("tls", True)
    overrides = {field: getattr(settings, field) for field in (*_TLS_FILES,
                 "temporal_tls_server_name") if getattr(settings, field) is not None}
    if overrides:
        config["tls"] = _tls_with(config.get("tls"), overrides)
    return config


def _tls_with(base: bool | TLSConfig | None, overrides: dict[str, object]) -> TLSConfig:
    tls = base if isinstance(base, TLSConfig) else TLSConfig()
    for field, attribute in _TLS_FILES.items():
        if field in overrides:
            setattr(tls, attribute, _read(Path(str(overrides[field])), field))
    if "temporal_tls_server_name" in overrides:
        tls.domain = str(overrides["temporal_tls_server_name"])
    return tls


def _read(path: Path, setting: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise SettingsError(f"{setting}: cannot read {path}: {exc.strerror}") from None


def temporal_address(settings: Settings) -> str:
    """The frontend address that :func:`connect` uses (for messages and logs)."""
    return connect_config(settings)["target_host"]


async def connect(settings: Settings, runtime: Runtime | None = None) -> Client:
    """Connect to Temporal as configured, with the project's data converter (and, for
    a worker with metrics, its own ``runtime``: ``certorder.metrics.runtime``).

    :raises TemporalUnavailableError: (a :class:`TemporalConnectionError`) the frontend
        could not be reached or refused the connection (TLS, certificate, API key).
    :raises SettingsError: the connection settings themselves are unusable.
    """
    config = connect_config(settings)
    converter = data_converter(settings)
    try:
        return await Client.connect(**config, data_converter=converter, runtime=runtime)
    except RuntimeError as exc:
        reason = refusal_reason(exc, config)
        if reason is None:  # nothing answered: the usual "is it running?" line
            raise TemporalUnavailableError(config["target_host"]) from exc
        raise TemporalConnectionError(config["target_host"], reason) from exc


#: How the core reports a stream the server closed right after the TLS handshake (it
#: varies with timing: the write fails, the read ends early, or the call is cancelled).
_CLOSED_SIGNS = ("brokenpipe", "connectionreset", "connectionclosed", "unexpectedeof")


def refusal_reason(exc: BaseException, config: ClientConnectConfig) -> str | None:
    """Why a server that answered refused the connection, as a reason a user can act
    on; None when nothing answered at all (refused, unknown host, timeout).

    TLS 1.3 servers check the client certificate after the client considers the
    handshake done, so a missing or untrusted client certificate (or TLS where the
    server expects none) reaches the core only as a closed stream on its first call.
    """
    text = str(exc)
    squashed = text.lower().replace(" ", "")
    tls = config.get("tls")
    if "invalidcertificate" in squashed:
        return (f"the server's TLS certificate is not trusted ({_innermost(text)}): "
                "set TEMPORAL_TLS_SERVER_CA_CERT_PATH or TEMPORAL_TLS_SERVER_NAME")
    if "code:unauthenticated" in squashed or "code:permissiondenied" in squashed:
        said = re.search(r'message: "([^"]*)"', text)
        detail = f" ({said.group(1)})" if said and said.group(1) else ""
        return f"the server refused this client's credentials{detail}: check TEMPORAL_API_KEY"
    if "erroraftercon" not in squashed or not any(sign in squashed for sign in _CLOSED_SIGNS):
        return None
    if not tls:
        return "the server closed the connection: does it expect TLS (TEMPORAL_TLS=true)?"
    if not (isinstance(tls, TLSConfig) and tls.client_cert):
        return ("the server closed the TLS connection: it probably requires a client "
                "certificate (TEMPORAL_TLS_CLIENT_CERT_PATH, TEMPORAL_TLS_CLIENT_KEY_PATH)")
    return ("the server closed the TLS connection: does it trust this client "
            "certificate?")


def _innermost(text: str) -> str:
    """The most specific part of a nested core error, e.g. ``UnknownIssuer``."""
    found = re.match(r"\w+", text.rsplit("(", 1)[-1])
    return found.group(0) if found else text
