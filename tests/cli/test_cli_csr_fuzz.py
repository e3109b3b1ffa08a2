"""The CLI refuses a malformed CSR in one line with exit 2, even one that
cryptography loads and only fails to read later."""

from __future__ import annotations

from cli_helpers import assert_one_line_error
from csr_mutants import as_pem, lazily_broken_csrs


def test_the_cli_refuses_them_in_one_line_with_exit_2(run_cli, cli_env):
    for index, mutant in enumerate(lazily_broken_csrs(5)):
        path = cli_env.parent / f"mutant-{index}.csr"
        path.write_text(as_pem(mutant))
        result = run_cli("order", "submit", "--csr", str(path))
        assert_one_line_error(result, 2, "CSR")
