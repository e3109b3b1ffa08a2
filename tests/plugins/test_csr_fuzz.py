"""Malformed CSRs, byte by byte: each one is an InvalidOrderError (one line), never
another exception, and a CSR that loads can be read without raising later."""

from __future__ import annotations

import base64
import random

import pytest
from csr_mutants import as_pem, der_of, mutate, read_everything
from x509_helpers import make_csr, make_key

from certorder.plugins.interface.csr import load_csr
from certorder.plugins.interface.errors import InvalidOrderError

MUTANTS_PER_CSR = 2000


@pytest.mark.parametrize("kind", ["p256", "rsa2048", "ed25519"])
def test_mutated_csrs_raise_only_invalid_order(kind):
    pem = make_csr(make_key(kind), ["www.example.test", "api.example.test"])
    der = der_of(pem)
    rng = random.Random(f"csr-fuzz-{kind}")
    surprises: list[str] = []
    for index in range(MUTANTS_PER_CSR):
        form = index % 4
        if form == 3:  # the PEM text itself, as bytes that need not be UTF-8
            data: str | bytes = mutate(rng, pem.encode())
        else:
            mutant = mutate(rng, der)
            data = (mutant, as_pem(mutant), base64.b64encode(mutant).decode())[form]
        try:
            read_everything(load_csr(data))
        except InvalidOrderError as exc:
            assert "\n" not in str(exc) and str(exc), repr(exc)
        except Exception as exc:  # noqa: BLE001 - collected: every other type is the bug
            surprises.append(f"{type(exc).__name__}: {exc}")
    assert not surprises, f"{len(surprises)} of {MUTANTS_PER_CSR}: {sorted(set(surprises))[:8]}"
