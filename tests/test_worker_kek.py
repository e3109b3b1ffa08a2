"""The worker's key-encryption key: missing, wrong or exposed, it is one line at start."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import tomli_w

from certorder.keys.envelope import Kek, new_kek_text
from certorder.keys.generation import KeyType
from certorder.store import CertificateStore
from certorder.store.key_store import KeyStore

ROOT = Path(__file__).parents[1]


def _start_worker(tmp_path: Path, **settings: object) -> subprocess.CompletedProcess[str]:
    config = tmp_path / "certorder.toml"
    # Port 9 (discard) on loopback: the worker must fail before it ever connects.
    config.write_text(tomli_w.dumps({
        "temporal_address": "127.0.0.1:9", "data_dir": str(tmp_path / "data"),
        "store_url": f"sqlite:///{tmp_path / 'store.db'}", **settings}))
    env = {k: v for k, v in os.environ.items() if not k.startswith("CERTORDER_")}
    env["CERTORDER_CONFIG"] = str(config)
    return subprocess.run([sys.executable, str(ROOT / "worker.py")], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)


def _one_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 2, result
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


def test_a_missing_kek_is_one_line(tmp_path: Path) -> None:
    line = _one_line(_start_worker(tmp_path))
    assert line.startswith("certorder worker: error: no key-encryption key:")
    assert "certorder key new-kek" in line


def test_a_kek_file_others_can_read_is_refused(tmp_path: Path) -> None:
    kek_file = tmp_path / "kek"
    kek_file.write_text(new_kek_text())
    kek_file.chmod(0o644)
    line = _one_line(_start_worker(tmp_path, kek_file=str(kek_file)))
    assert "readable by others" in line and "chmod 600" in line


def test_a_kek_that_is_not_32_bytes_is_refused(tmp_path: Path) -> None:
    line = _one_line(_start_worker(tmp_path, kek="c2hvcnQ="))
    assert "it must be 32" in line


def test_a_wrong_kek_is_one_line_and_the_keys_stay_intact(tmp_path: Path) -> None:
    right = new_kek_text()
    store = CertificateStore.open(f"sqlite:///{tmp_path / 'store.db'}")
    import base64
    keys = KeyStore(store.engine, Kek(base64.b64decode(right)))
    keys.create("k1", KeyType.EC_P256)
    before = keys.private_pem("k1")

    line = _one_line(_start_worker(tmp_path, kek=new_kek_text()))

    assert "wrong KEK" in line and right not in line
    assert keys.private_pem("k1") == before
    store.close()
