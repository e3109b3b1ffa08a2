"""Reading a certificate never writes: no migration, no write lock, nothing created."""

from __future__ import annotations

import sqlite3
import time

from cli_helpers import assert_one_line_error

from certorder.store import CertificateStore

LEAF = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"


def test_cert_get_in_a_mistyped_data_dir_creates_nothing(run_cli, cli_env, monkeypatch):
    missing = cli_env.parent / "dtaa"
    monkeypatch.setenv("CERTORDER_DATA_DIR", str(missing))
    result = run_cli("cert", "get", "order-1")
    assert_one_line_error(result, 2, "no certificate store at", str(missing))
    assert not missing.exists()


def test_cert_get_while_a_writer_holds_the_lock(run_cli, cli_env):
    store = CertificateStore.open(f"sqlite:///{cli_env / 'certorder.db'}")
    store.store_certificate(order_id="order-1", plugin_name="local-ca", ca_id=None,
                            certificate=LEAF, intermediates=None)
    store.close()
    writer = sqlite3.connect(cli_env / "certorder.db", isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # what a worker storing a certificate holds
    try:
        started = time.monotonic()
        result = run_cli("cert", "get", "order-1", "--json")
        took = time.monotonic() - started
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert result.code == 0, result
    assert '"order_id": "order-1"' in result.out
    assert took < 5


def test_cert_get_does_not_migrate(run_cli, cli_env):
    store = CertificateStore.open(f"sqlite:///{cli_env / 'certorder.db'}")
    store.close()
    with sqlite3.connect(cli_env / "certorder.db") as raw:
        raw.execute("UPDATE alembic_version SET version_num = '0001'")
        raw.execute("DROP TABLE used_order_ids")
    run_cli("cert", "get", "order-1")
    with sqlite3.connect(cli_env / "certorder.db") as raw:
        assert raw.execute("SELECT version_num FROM alembic_version").fetchone() == ("0001",)
