"""A store that cannot be opened is one line, with no password: exit 1 when unreachable,
exit 2 when the configured place holds no store."""

from __future__ import annotations

from cli_helpers import assert_one_line_error


def test_unreachable_store_on_cert_get(run_cli, cli_env, monkeypatch):
    monkeypatch.setenv("CERTORDER_STORE_URL",
                       "postgresql://certorder:s3cret@127.0.0.1:1/certorder")
    result = run_cli("cert", "get", "order-1")
    assert_one_line_error(result, 1, "cannot open the certificate store")
    assert "s3cret" not in result.err
    assert "unexpected" not in result.err  # a user's setting, not a bug


def test_sqlite_store_in_an_unwritable_place(run_cli, cli_env, monkeypatch):
    monkeypatch.setenv("CERTORDER_STORE_URL", "sqlite:////proc/certorder/certorder.db")
    result = run_cli("cert", "get", "order-1")
    assert_one_line_error(result, 2, "certificate store")
    assert "unexpected" not in result.err
