"""Argument parsing: --meta values, the order_meta that submit builds, usage errors."""

from __future__ import annotations

import argparse

import pytest
from x509_helpers import make_csr, make_key

from certorder.cli.main import build_parser
from certorder.cli.order_input import build_order_meta, parse_meta_item


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        ("validity_days=30", ("validity_days", 30)),
        ("ratio=-1.5", ("ratio", -1.5)),
        ("approved=true", ("approved", True)),
        ("approved=false", ("approved", False)),
        ("nothing=null", ("nothing", None)),
        ('tags=["a", "b"]', ("tags", ["a", "b"])),
        ('extra={"x": 1}', ("extra", {"x": 1})),
        ('quoted="30"', ("quoted", "30")),
        ("serial=007", ("serial", "007")),
        ("contact=ops@example.com", ("contact", "ops@example.com")),
        ("note=a=b", ("note", "a=b")),
        ("empty=", ("empty", "")),
        ("broken={not json", ("broken", "{not json")),
        ("word=True", ("word", "True")),
    ],
)
def test_meta_values_are_json_only_when_they_look_like_json(item, expected):
    assert parse_meta_item(item) == expected


@pytest.mark.parametrize("item", ["novalue", "=x", " =x"])
def test_meta_without_a_key_is_refused(item):
    with pytest.raises(argparse.ArgumentTypeError, match="KEY=VALUE"):
        parse_meta_item(item)


def test_submit_builds_a_simple_cmc_order_with_every_option(tmp_path):
    csr = make_csr(make_key("p256"), ["www.example.test"])
    (tmp_path / "www.csr").write_text(csr)
    args = build_parser().parse_args(
        [
            "order", "submit", "--csr", str(tmp_path / "www.csr"),
            "--plugin", "local-ca", "--ca-id", "root", "--profile", "client",
            "--validity-days", "30", "--meta", "contact=ops@example.com", "validity_days=10",
            "--meta", "approved=true", "--order-id", "o-1", "--wait", "--json",
        ]
    )  # fmt: skip
    meta = build_order_meta(args)
    assert meta == {
        "request_type": "simple-cmc",
        "request_data": csr,
        "plugin_name": "local-ca",
        "ca_id": "root",
        "profile": "client",
        "validity_days": 10,  # --meta comes last and wins
        "contact": "ops@example.com",
        "approved": True,
    }
    assert (args.order_id, args.wait, args.json) == ("o-1", True, True)


def test_submit_leaves_out_options_that_were_not_given(tmp_path):
    csr = make_csr(make_key("p256"))
    (tmp_path / "a.csr").write_text(csr)
    args = build_parser().parse_args(["order", "submit", "--csr", str(tmp_path / "a.csr")])
    assert build_order_meta(args) == {"request_type": "simple-cmc", "request_data": csr}


def test_a_der_csr_file_is_sent_as_pem(tmp_path):
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    csr = make_csr(make_key("p256"))
    der = x509.load_pem_x509_csr(csr.encode()).public_bytes(Encoding.DER)
    (tmp_path / "a.der").write_bytes(der)
    args = build_parser().parse_args(["order", "submit", "--csr", str(tmp_path / "a.der")])
    assert build_order_meta(args)["request_data"] == csr


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["order", "submit"], "--csr"),
        (["order", "bogus"], "invalid choice"),
        (["order", "list", "--status", "DONE"], "--status"),
        (["order", "modify", "o-1"], "--meta"),
        (["order", "modify", "o-1", "--meta", "novalue"], "KEY=VALUE"),
        (["order", "submit", "--csr", "x", "--validity-days", "soon"], "--validity-days"),
        (["order", "list", "--limit", "0"], "at least 1"),
        (["ca", "create", "--name", " "], "must not be empty"),
        ([], "COMMAND"),
    ],
)
def test_usage_errors_are_one_line_with_exit_code_2(run_cli, cli_env, argv, fragment):
    result = run_cli(*argv)
    assert result.code == 2
    assert len(result.err_lines) == 1, result.err
    assert result.err_lines[0].startswith("certorder: error: ")
    assert fragment in result.err_lines[0]


def test_help_lists_every_command_with_examples(run_cli, cli_env):
    result = run_cli("--help")
    assert result.code == 0
    for command in ("order", "cert", "plugin", "ca", "dev", "worker"):
        assert command in result.out
    submit_help = run_cli("order", "submit", "--help")
    assert "examples:" in submit_help.out and "--wait" in submit_help.out
