"""The data directory: made private (0700) by whoever creates it first.

It holds CA keys, the certificate store and Temporal's history, all readable by no
one but its owner. Files certorder writes there are 0600 (see :func:`private_file`).
"""

from __future__ import annotations

import os
from pathlib import Path

from certorder.settings import SettingsError

PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600


def ensure_data_dir(path: Path) -> Path:
    """Create ``path`` (and missing parents) mode 0700; return it.

    An existing directory keeps its mode: an operator who opened it up meant to.

    :raises SettingsError: it cannot be created, or is not a directory.
    """
    try:
        path.mkdir(mode=PRIVATE_DIR_MODE, parents=True, exist_ok=True)
    except OSError as exc:
        raise SettingsError(f"cannot create data directory {path}: {exc.strerror}") from None
    return path


def private_file(path: Path) -> Path:
    """Create ``path`` empty with mode 0600 unless it exists; return it."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, PRIVATE_FILE_MODE)
    os.close(fd)
    return path
