"""Where the KEK comes from: ``CERTORDER_KEK`` (base64), else ``kek_file`` (default
``<data_dir>/kek``), a file only its owner may read. Every problem is one line."""

from __future__ import annotations

import base64
import binascii
import os
import stat
from pathlib import Path

from certorder.keys.envelope import KEK_BYTES, Kek, new_kek_text
from certorder.settings import Settings, SettingsError

KEK_FILE_NAME = "kek"


def kek_path(settings: Settings) -> Path:
    return settings.kek_file or settings.data_dir / KEK_FILE_NAME


def load_kek(settings: Settings) -> Kek:
    """The configured KEK.

    :raises SettingsError: none configured, unreadable, too open, or not 32 bytes of base64.
    """
    if settings.kek is not None:
        return _parse(settings.kek.get_secret_value(), "CERTORDER_KEK")
    path = kek_path(settings)
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise SettingsError(
            f"no key-encryption key: {path} does not exist and CERTORDER_KEK is not set "
            f"(make one with `certorder key new-kek {path}`)") from None
    except OSError as exc:
        raise SettingsError(f"cannot read the KEK file {path}: {exc.strerror}") from None
    if stat.S_IMODE(mode) & 0o077:
        raise SettingsError(
            f"the KEK file {path} is readable by others (mode {stat.S_IMODE(mode):o}); "
            f"chmod 600 {path}")
    try:
        text = path.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as exc:
        raise SettingsError(f"cannot read the KEK file {path}: {exc}") from None
    return _parse(text, str(path))


def write_new_kek(path: Path) -> Kek:
    """Create ``path`` (mode 0600, never overwriting) holding a fresh KEK."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = new_kek_text()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise SettingsError(f"{path} already exists; not overwriting a KEK") from None
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(text + "\n")
    return _parse(text, str(path))


def _parse(text: str, where: str) -> Kek:
    try:
        secret = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise SettingsError(f"the KEK in {where} is not base64") from None
    if len(secret) != KEK_BYTES:
        raise SettingsError(f"the KEK in {where} is {len(secret)} bytes; it must be {KEK_BYTES}")
    return Kek(secret)
