"""Settings shared by the worker, the CLI and the client SDK.

Sources, strongest first: ``CERTORDER_*`` environment variables, then the TOML
file (``--config``, ``CERTORDER_CONFIG``, or ``./certorder.toml`` if present),
then the defaults below. A plugin's own table is ``[plugins.<name>]`` in the file;
its environment variables use the plugin's prefix (e.g. ``CERTORDER_LOCAL_CA_``).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from certorder.workflows import TASK_QUEUE
from certorder.workflows.models import (
    DEFAULT_CALL_TIMEOUT_SECONDS,
    MAX_CALL_TIMEOUT_SECONDS,
    MIN_CALL_TIMEOUT_SECONDS,
)

DEFAULT_CONFIG_FILE = Path("certorder.toml")

# host:port, the host a DNS name, an IPv4 address or a bracketed IPv6 address: what
# the Temporal client accepts (it takes no scheme).
_ADDRESS = re.compile(
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\]):(\d{1,5})\Z")
_PORT = {"ge": 1, "le": 65535}
DEFAULT_MAX_CACHED_WORKFLOWS = 1000  # the SDK's: 10,000 waiting orders fit in 300 MB


class SettingsError(Exception):
    """The settings cannot be used; the message is one line for the user."""


def _default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "certorder"


class Settings(BaseSettings):
    """Everything certorder needs to run: where Temporal is, where data lives, which plugins."""

    model_config = SettingsConfigDict(env_prefix="CERTORDER_", extra="forbid")

    #: Where Temporal is and how to reach it. When a setting here is not set, the
    #: ``TEMPORAL_*`` variables and the profile file that the Temporal CLI reads decide
    #: (``certorder.temporal_client``); the defaults below apply when neither does.
    temporal_address: str = "localhost:7233"
    temporal_namespace: str = "default"
    temporal_profile: str | None = None
    #: False: ignore TEMPORAL_* and the profile file (the dev stack's worker, own server).
    temporal_envconfig: bool = True
    temporal_api_key: str | None = None
    temporal_tls_server_ca_cert: Path | None = None
    temporal_tls_client_cert: Path | None = None
    temporal_tls_client_key: Path | None = None
    temporal_tls_server_name: str | None = None
    #: Payload encryption (``certorder.codec``): key id → base64 of a 32-byte AES key,
    #: and the id new payloads are encrypted with. No keys: payloads stay plain.
    payload_keys: dict[str, SecretStr] = Field(default_factory=dict)
    payload_key_id: str | None = None
    task_queue: str = TASK_QUEUE
    data_dir: Path = Field(default_factory=_default_data_dir)
    store_url: str | None = None
    #: From the environment either a JSON list or comma-separated names.
    enabled_plugins: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["local-ca"])
    plugins: dict[str, dict[str, Any]] = Field(default_factory=dict)
    max_concurrent_activities: int = Field(default=16, ge=1, le=1024)
    #: Workflows a worker keeps in memory between tasks, about 115 KB each; one not
    #: kept is replayed on its next task (docs/performance.md, bursts of due checks).
    max_cached_workflows: int = Field(default=DEFAULT_MAX_CACHED_WORKFLOWS, ge=0, le=10**6)
    #: How long one plugin call may run before Temporal abandons it and calls again
    #: (on any worker): the time it takes to notice a worker that died mid-call.
    plugin_call_timeout_seconds: float = Field(
        default=DEFAULT_CALL_TIMEOUT_SECONDS, ge=MIN_CALL_TIMEOUT_SECONDS,
        le=MAX_CALL_TIMEOUT_SECONDS, allow_inf_nan=False)
    #: The dev stack (``certorder dev``): ports of the Temporal frontend and its UI.
    dev_port: int = Field(default=7233, **_PORT)
    dev_ui_port: int = Field(default=8233, **_PORT)
    #: Orders for these plugins (``"digicert"``) or CAs of a plugin
    #: (``"local-ca/web-servers-3f9a1c2e"``) wait for a person's approval (workers).
    approval_required: Annotated[list[str], NoDecode] = Field(default_factory=list)
    #: How long such an order waits for a decision (None: for ever), and then:
    #: ``error`` ends it in ERROR, ``remind`` records a reminder and waits as long again.
    approval_timeout_seconds: float | None = Field(default=None, gt=0, le=366 * 86_400)
    approval_on_timeout: Literal["error", "remind"] = "error"
    #: The Temporal UI's base URL, for the CLI's links to orders (the dev stack's is known).
    temporal_ui_url: str | None = None
    #: The key-encryption key of stored private keys: a file (mode 0600) holding it as
    #: base64, or the base64 itself in ``CERTORDER_KEK``; default ``<data_dir>/kek``.
    kek_file: Path | None = None
    kek: SecretStr | None = None
    #: Workers: where Prometheus scrapes ``/metrics`` ("host:port"; empty: no endpoint),
    #: and how often the fleet gauges are refreshed (0: this worker does not refresh
    #: them), over at most ``metrics_scan_limit`` workflows and certificates each time.
    metrics_address: str = ""
    metrics_refresh_seconds: float = Field(default=60, ge=0, le=86_400, allow_inf_nan=False)
    metrics_expiry_days: int = Field(default=30, ge=1, le=3650)
    metrics_scan_limit: int = Field(default=10_000, ge=1, le=1_000_000)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["text", "json"] = "text"

    @field_validator("enabled_plugins", "approval_required", mode="before")
    @classmethod
    def _names(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        text = value.strip()
        if text.startswith("["):
            try:
                return json.loads(text)
            except ValueError:
                raise ValueError("expected a JSON list or comma-separated names") from None
        return [name.strip() for name in text.split(",") if name.strip()]

    @field_validator("log_level", "log_format", mode="before")
    @classmethod
    def _any_case(cls, value: Any, info) -> Any:
        if not isinstance(value, str):
            return value
        return value.strip().upper() if info.field_name == "log_level" else value.strip().lower()

    @field_validator("metrics_address")
    @classmethod
    def _check_metrics_address(cls, value: str) -> str:
        value = value.strip()
        if value:
            cls._check_address(value)
        return value

    @field_validator("temporal_address")
    @classmethod
    def _check_address(cls, value: str) -> str:
        match = _ADDRESS.match(value)
        if not match or not 1 <= int(match.group(1)) <= 65535:
            raise ValueError(f"{value!r} is not host:port (e.g. localhost:7233)")
        return value

    @field_validator("data_dir")
    @classmethod
    def _check_data_dir(cls, value: Path) -> Path:
        # `~` is not expanded by a shell in a TOML file or a quoted variable: a worker
        # once wrote its CA key under ./~/.
        path = value.expanduser()
        if not str(value).strip() or "\0" in str(value):
            raise ValueError("is empty")
        if path.exists() and not path.is_dir():
            raise ValueError(f"{path} exists and is not a directory")
        return path

    @field_validator("store_url")
    @classmethod
    def _check_store_url(cls, value: str | None) -> str | None:
        if value is not None:
            # SQLAlchemy only when a URL is set: the CLI loads the settings for every
            # command, and most never open the store.
            from certorder.store.engine import normalize_url

            normalize_url(value)  # ValueError: one line saying what is wrong
        return value

    @property
    def ui_base_url(self) -> str | None:
        """The Temporal UI's base URL, when configured or when Temporal is the dev stack."""
        if self.temporal_ui_url:
            return self.temporal_ui_url.rstrip("/")
        if self.temporal_address in (f"localhost:{self.dev_port}", f"127.0.0.1:{self.dev_port}"):
            return f"http://localhost:{self.dev_ui_port}"
        return None

    def order_url(self, order_id: str) -> str | None:
        """The order's page in the Temporal UI, when the UI's address is known."""
        base = self.ui_base_url
        return f"{base}/namespaces/{self.temporal_namespace}/workflows/{order_id}" if base else None

    @property
    def resolved_store_url(self) -> str:
        """The store URL, defaulting to a SQLite file in the data directory."""
        return self.store_url or f"sqlite:///{self.data_dir / 'certorder.db'}"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml_file = _config_file()
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        if toml_file is not None:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=toml_file))
        return tuple(sources)


_explicit_config: Path | None = None


def _config_file() -> Path | None:
    chosen = _explicit_config or os.environ.get("CERTORDER_CONFIG")
    if chosen:
        return Path(chosen)
    return DEFAULT_CONFIG_FILE if DEFAULT_CONFIG_FILE.is_file() else None


def load_settings(config_file: Path | None = None, **overrides: Any) -> Settings:
    """Read the settings; any problem becomes one :class:`SettingsError` line."""
    global _explicit_config
    if config_file is not None:
        _check_config_file(config_file, f"config file {config_file}")
    elif os.environ.get("CERTORDER_CONFIG"):
        named = os.environ["CERTORDER_CONFIG"]
        _check_config_file(Path(named), f"CERTORDER_CONFIG={named}")
    _explicit_config = config_file
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "settings"
        message = first["msg"].removeprefix("Value error, ")
        raise SettingsError(f"invalid setting {where}: {message}") from None
    except (OSError, ValueError) as exc:
        # A TOML syntax error (tomllib's) says where in the file, not which file.
        source = _config_file()
        where = f" from {source}" if source is not None else ""
        raise SettingsError(f"cannot read settings{where}: {exc}") from None
    finally:
        _explicit_config = None


def _check_config_file(path: Path, named: str) -> None:
    # A directory or /dev/null would otherwise be read as an empty file, silently.
    if not path.exists():
        raise SettingsError(f"{named} does not exist")
    if not path.is_file():
        raise SettingsError(f"{named} is not a regular file")
