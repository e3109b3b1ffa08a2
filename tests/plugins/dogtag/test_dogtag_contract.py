"""The plugin contract's conformance tests, run against the Dogtag simulator."""

from __future__ import annotations

import pytest
from x509_helpers import make_csr, make_key

from certorder.plugins.interface.status import CertificateStatus
from certorder.plugins.testing import CertificatePluginContract, run_order


class TestDogtagContract(CertificatePluginContract):
    """An auto-approved profile: orders complete within the first call."""

    calls_until_generated = 1

    @pytest.fixture
    def plugin(self, make_dogtag):
        return make_dogtag(auto_approved_profiles=["caServerCert"])

    @pytest.fixture
    def order_meta(self):
        return {"request_type": "simple-cmc", "request_data": make_csr(make_key())}


def test_agent_approved_order_completes_through_run_order(make_dogtag, dogtag_sim):
    dogtag_sim.decide_after_polls(1, "approve")
    order = {
        "request_type": "simple-cmc",
        "request_data": make_csr(make_key()),
        "profile": "caOtherCert",
    }
    run = run_order(make_dogtag(), order, max_calls=4)
    assert [result.status for _, result in run.calls] == [
        CertificateStatus.WAITING_FOR_CA,
        CertificateStatus.WAITING_FOR_CA,
        CertificateStatus.CERTIFICATE_GENERATED,
    ]
    assert set(run.plugin_meta) == {"request_id", "profile", "serial"}
