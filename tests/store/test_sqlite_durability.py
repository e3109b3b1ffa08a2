"""SQLite's sync level: every commit synced (FULL) unless the URL asks for NORMAL."""

from __future__ import annotations

import signal
import subprocess
import sys

import pytest
from sqlalchemy import text

from certorder.store import CertificateStore

FULL, NORMAL = 2, 1


def _synchronous(url: str) -> tuple[int, str]:
    store = CertificateStore.open(url)
    try:
        with store.engine.connect() as connection:
            level = connection.execute(text("PRAGMA synchronous")).scalar_one()
            journal = connection.execute(text("PRAGMA journal_mode")).scalar_one()
        return level, journal
    finally:
        store.close()


def test_every_commit_is_synced_by_default(tmp_path) -> None:
    assert _synchronous(f"sqlite:///{tmp_path / 'certorder.db'}") == (FULL, "wal")


def test_the_url_may_ask_for_normal_and_the_store_still_works(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'certorder.db'}?synchronous=normal"
    assert _synchronous(url) == (NORMAL, "wal")
    store = CertificateStore.open(url)
    try:
        assert store.claim_order_id("o1", "run-1").claimant == "run-1"
    finally:
        store.close()
    assert (tmp_path / "certorder.db").is_file()
    assert not list(tmp_path.glob("*synchronous*"))


def test_another_level_is_refused_in_one_line(tmp_path) -> None:
    with pytest.raises(ValueError, match="^store URL: synchronous must be full or normal, "
                                         "not 'off'$"):
        CertificateStore.open(f"sqlite:///{tmp_path / 'certorder.db'}?synchronous=off")
    assert not (tmp_path / "certorder.db").exists()


def test_with_normal_a_killed_worker_loses_no_commit(tmp_path) -> None:
    # What docs/store.md promises for synchronous=normal: a process killed right after
    # its commit (no checkpoint, no close) loses nothing; SQLite replays the WAL.
    url = f"sqlite:///{tmp_path / 'certorder.db'}?synchronous=normal"
    CertificateStore.open(url).close()
    killed = subprocess.run([sys.executable, "-c", (
        "import os, signal\n"
        "from certorder.store import CertificateStore\n"
        f"store = CertificateStore.open({url!r})\n"
        "store.claim_order_id('o1', 'run-1')\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n")], timeout=60)
    assert killed.returncode == -signal.SIGKILL
    assert (tmp_path / "certorder.db-wal").stat().st_size > 0
    store = CertificateStore.open(url)
    try:
        assert store.claim_order_id("o1", "run-2").claimant == "run-1"
    finally:
        store.close()
