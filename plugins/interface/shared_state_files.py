"""A :class:`SharedState` in a directory: for a plugin run without the core.

The core always gives a plugin the store's shared state; this one is the fallback when
``PluginContext.shared`` is ``None`` (unit tests, a plugin embedded alone), so that
state still survives a restart and is shared by processes on one directory. It is not
shared between machines, and secrets are kept as given (owner-only files), not sealed:
there is no KEK here.

Each key is one file ``<directory>/<key>.json`` (``/`` in a key makes subdirectories)
holding ``{"value": ..., "secret": base64}``, mode 0600. Changes run under an
``flock`` of ``<directory>/.lock`` and replace files atomically, so a reader sees a
whole record or none.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from certorder.plugins.interface.shared_state import check_state_key, json_copy

__all__ = ["DirectorySharedState"]

_SUFFIX = ".json"


class DirectorySharedState:
    """Shared state in ``directory`` (created owner-only on first write)."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)

    def get(self, key: str) -> Any | None:
        record = self._read(key)
        return None if record is None else record["value"]

    def create(self, key: str, value: Any, secret: bytes | None = None) -> Any:
        stored = json_copy(value)
        with self._locked():
            record = self._read(key)
            if record is None:
                record = {"value": stored, "secret": _text(secret)}
                self._write(key, record)
        return record["value"]

    def put(self, key: str, value: Any) -> None:
        stored = json_copy(value)
        with self._locked():
            record = self._read(key) or {"secret": None}
            self._write(key, {"value": stored, "secret": record.get("secret")})

    def delete(self, key: str) -> bool:
        with self._locked():
            path = self._path(key)
            if not path.is_file():
                return False
            path.unlink()
            return True

    def list(self, prefix: str = "") -> dict[str, Any]:
        if not self.directory.is_dir():
            return {}
        found: dict[str, Any] = {}
        for path in self.directory.rglob(f"*{_SUFFIX}"):
            relative = path.relative_to(self.directory).as_posix()
            key = relative.removesuffix(_SUFFIX)
            if key.startswith(prefix) and not any(p.startswith(".") for p in key.split("/")):
                record = self._read(key)
                if record is not None:
                    found[key] = record["value"]
        return {key: found[key] for key in sorted(found)}

    def get_secret(self, key: str) -> bytes | None:
        record = self._read(key)
        secret = None if record is None else record.get("secret")
        return None if secret is None else base64.b64decode(secret)

    def _path(self, key: str) -> Path:
        return self.directory / f"{check_state_key(key)}{_SUFFIX}"

    def _read(self, key: str) -> dict[str, Any] | None:
        try:
            return json.loads(self._path(key).read_bytes())
        except FileNotFoundError:
            return None

    def _write(self, key: str, record: dict[str, Any]) -> None:
        path = self._path(key)
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(json.dumps(record, sort_keys=True).encode())
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(self.directory / ".lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)


def _text(secret: bytes | None) -> str | None:
    return None if secret is None else base64.b64encode(secret).decode("ascii")
