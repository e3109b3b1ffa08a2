"""The local CA reserves the serial and validity of an order's certificate before it
signs, so that racing or crash-interrupted attempts for one order sign one serial: a
certificate signed by a loser and recorded nowhere could never be put on a CRL."""

from __future__ import annotations

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from local_ca_calls import issued_meta
from x509_helpers import make_csr, make_key

from certorder.plugins.interface.certificate_manager import PluginContext
from certorder.plugins.interface.shared_state import MemorySharedState
from certorder.plugins.local_ca import keys as keys_module
from certorder.plugins.local_ca import plugin as plugin_module
from certorder.plugins.local_ca.plugin import LocalCAPlugin


class _BothReadFirst(MemorySharedState):
    """Holds every read of an ``issued/`` record until two threads have read one: the
    worst interleaving of two attempts, both finding nothing before either writes."""

    def __init__(self) -> None:
        super().__init__()
        self.barrier = threading.Barrier(2, timeout=5)

    def get(self, key: str) -> Any | None:
        found = super().get(key)
        if key.startswith("issued/") and not self.barrier.broken:
            try:
                self.barrier.wait()
            except threading.BrokenBarrierError:
                pass
        return found


def _plugin(state: MemorySharedState, data_dir: Path) -> LocalCAPlugin:
    data_dir.mkdir(exist_ok=True)
    return LocalCAPlugin(PluginContext(name="local-ca", data_dir=data_dir, options={},
                                       shared=state))


@pytest.fixture
def signed(monkeypatch: pytest.MonkeyPatch) -> list[x509.Certificate]:
    """Every certificate signed from now on (wraps the one signing call of cryptography)."""
    made: list[x509.Certificate] = []
    real_sign = x509.CertificateBuilder.sign

    def sign(self: x509.CertificateBuilder, *args: Any, **kwargs: Any) -> x509.Certificate:
        made.append(cert := real_sign(self, *args, **kwargs))
        return cert

    monkeypatch.setattr(x509.CertificateBuilder, "sign", sign)
    return made


def _cert(plugin_meta: dict) -> x509.Certificate:
    return x509.load_pem_x509_certificate(plugin_meta["certificate"].encode())


def test_two_racing_attempts_on_two_workers_sign_one_serial(
        tmp_path: Path, signed: list[x509.Certificate]):
    state = _BothReadFirst()
    workers = [_plugin(state, tmp_path / name) for name in ("w1", "w2")]
    workers[0].store.get(None)  # the root exists before the race: only leaves count
    signed.clear()
    csr = make_csr(make_key("p256"), ["race.example.test"])
    with ThreadPoolExecutor(2) as pool:
        metas = list(pool.map(lambda w: issued_meta(w, "order-race", csr), workers))
    assert {cert.serial_number for cert in signed} == {_cert(metas[0]).serial_number}
    assert metas[0] == metas[1]  # one serial, and the same certificate bytes for both
    assert len({cert.tbs_certificate_bytes for cert in signed}) == 1


def test_a_rerun_after_a_crash_before_signing_issues_the_reserved_serial_and_validity(
        local_ca: LocalCAPlugin, monkeypatch: pytest.MonkeyPatch):
    csr = make_csr(make_key("p256"), ["crash.example.test"])

    def crash(*args: Any, **kwargs: Any) -> x509.Certificate:
        raise SystemExit("the worker died after reserving, before signing")

    with monkeypatch.context() as patch:
        patch.setattr(plugin_module, "issue_leaf", crash)
        with pytest.raises(SystemExit):
            issued_meta(local_ca, "order-crash", csr)
    state = local_ca.issued._state
    [(key, reservation)] = state.list("issued/").items()
    # As if the crashed attempt had reserved an hour ago: the re-run must not use "now".
    for name in ("not_before", "not_after"):
        earlier = dt.datetime.fromisoformat(reservation[name]) - dt.timedelta(hours=1)
        reservation[name] = earlier.replace(microsecond=0).isoformat()
    state.put(key, reservation)
    cert = _cert(meta := issued_meta(local_ca, "order-crash", csr))
    assert meta["serial"] == reservation["serial"]
    assert format(cert.serial_number, "x") == reservation["serial"]
    assert cert.not_valid_before_utc.isoformat() == reservation["not_before"]
    assert cert.not_valid_after_utc.isoformat() == reservation["not_after"]
    assert issued_meta(local_ca, "order-crash", csr) == meta


@pytest.mark.parametrize("key_type", ["p256", "p384", "rsa3072", "ed25519"])
def test_a_rerun_after_a_crash_after_signing_returns_the_same_certificate_bytes(
        make_local_ca, key_type: str, monkeypatch: pytest.MonkeyPatch):
    # The worker died after signing, before its call returned: nothing but the
    # reservation was kept, and the re-run must hand out exactly what was signed.
    local_ca = make_local_ca(key_type=key_type)
    csr = make_csr(make_key("p256"), ["late-crash.example.test"])
    first: list[x509.Certificate] = []
    real_issue_leaf = plugin_module.issue_leaf

    def sign_then_crash(*args: Any, **kwargs: Any) -> x509.Certificate:
        first.append(real_issue_leaf(*args, **kwargs))
        raise SystemExit("the worker died after signing")

    with monkeypatch.context() as patch:
        patch.setattr(plugin_module, "issue_leaf", sign_then_crash)
        with pytest.raises(SystemExit):
            issued_meta(local_ca, "order-late-crash", csr)
    again = _cert(issued_meta(local_ca, "order-late-crash", csr))
    assert again.public_bytes(Encoding.DER) == first[0].public_bytes(Encoding.DER)


class _CountingState(MemorySharedState):
    def __init__(self) -> None:
        super().__init__()
        self.writes: list[str] = []

    def create(self, key: str, value: Any, secret: bytes | None = None) -> Any:
        if key.startswith("issued/"):
            self.writes.append(key)
        return super().create(key, value, secret)


def test_a_first_issue_writes_one_record(tmp_path: Path):
    state = _CountingState()
    plugin = _plugin(state, tmp_path / "w")
    issued_meta(plugin, "order-one-write", make_csr(make_key("p256"), ["one.example.test"]))
    assert len(state.writes) == 1, state.writes


def test_a_repeat_of_a_reservation_an_older_version_signed_returns_its_record(
        local_ca: LocalCAPlugin):
    # Older versions kept what they signed (random ECDSA nonces) in ".../signed".
    csr = make_csr(make_key("p256"), ["older.example.test"])
    meta = issued_meta(local_ca, "order-older", csr)
    state = local_ca.issued._state
    [key] = state.list("issued/")
    # Bytes of the same content that a random nonce would give: here, another leaf's.
    other = issued_meta(local_ca, "order-other", make_csr(make_key("p256"), ["o.example.test"]))
    kept = {"certificate": other["certificate"], "intermediates": meta["intermediates"]}
    state.create(f"{key}/signed", kept)
    assert issued_meta(local_ca, "order-older", csr)["certificate"] == kept["certificate"]


def test_without_deterministic_ecdsa_the_first_signature_is_kept_for_repeats(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    # OpenSSL before 3.2, FIPS mode, LibreSSL: random ECDSA nonces, so what the first
    # attempt signed is recorded, and a repeat returns it rather than signing anew.
    monkeypatch.setattr(keys_module, "signs_deterministically", lambda key: False)
    monkeypatch.setattr(plugin_module, "signs_deterministically", lambda key: False)
    state = _CountingState()
    plugin = _plugin(state, tmp_path / "w")
    csr = make_csr(make_key("p256"), ["random-nonces.example.test"])
    first = issued_meta(plugin, "order-random", csr)
    assert len(state.writes) == 2 and state.writes[1].endswith("/signed"), state.writes
    assert issued_meta(plugin, "order-random", csr) == first
