"""``certorder key new-kek`` and ``key rotate-kek`` on a real store."""

from __future__ import annotations

import base64
import stat

from cli_helpers import assert_one_line_error

from certorder.keys.envelope import Kek
from certorder.keys.generation import KeyType
from certorder.store import CertificateStore
from certorder.store.key_store import KeyStore


def _kek(path) -> Kek:
    return Kek(base64.b64decode(path.read_text()))


def test_new_kek_then_rotate_rewraps_every_key(run_cli, cli_env, tmp_path, monkeypatch):
    old, new = tmp_path / "kek.old", tmp_path / "kek.new"
    assert run_cli("key", "new-kek", str(old)).code == 0
    assert stat.S_IMODE(old.stat().st_mode) == 0o600
    assert_one_line_error(run_cli("key", "new-kek", str(old)), 2, "already exists")
    monkeypatch.setenv("CERTORDER_KEK_FILE", str(old))
    store = CertificateStore.open(f"sqlite:///{cli_env / 'certorder.db'}")
    keys = KeyStore(store.engine, _kek(old))
    keys.create("k1", KeyType.ED25519)
    keys.create("k2", KeyType.EC_P384)
    before = {k: keys.private_pem(k) for k in ("k1", "k2")}

    run_cli("key", "new-kek", str(new))
    rotated = run_cli("key", "rotate-kek", "--new-kek-file", str(new))

    assert rotated.code == 0, rotated
    assert "re-wrapped 2 data keys" in rotated.out
    after = KeyStore(store.engine, _kek(new))
    after.check_kek()
    assert {k: after.private_pem(k) for k in ("k1", "k2")} == before
    # With the old KEK still configured, a second rotation finds nothing to do.
    assert "re-wrapped 0 data keys" in run_cli("key", "rotate-kek", "--new-kek-file",
                                               str(new)).out
    store.close()


def test_rotate_without_a_kek_is_one_line(run_cli, cli_env, tmp_path):
    result = run_cli("key", "rotate-kek", "--new-kek-file", str(tmp_path / "nope"))
    assert_one_line_error(result, 2, "no key-encryption key")
