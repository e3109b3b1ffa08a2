"""The plugin contract's conformance tests, for both CertCentral plugins."""

from __future__ import annotations

import pytest
from x509_helpers import make_csr, make_key

from certorder.plugins.interface.status import CertificateStatus
from certorder.plugins.testing import CertificatePluginContract, run_order


@pytest.fixture
def order_meta() -> dict:
    return {
        "request_type": "simple-cmc",
        "request_data": make_csr(make_key("p256"), ["www.example.test"]),
    }


class TestDigiCertContract(CertificatePluginContract):
    @pytest.fixture
    def plugin(self, make_digicert):
        return make_digicert()


class TestSymantecContract(CertificatePluginContract):
    @pytest.fixture
    def plugin(self, make_symantec):
        return make_symantec()


def test_pending_order_completes_under_the_core_rules(certcentral_sim, make_digicert, order_meta):
    certcentral_sim.set_scenario("pending", polls=2)
    certcentral_sim.fail_next(503, retry_after=1)
    run = run_order(make_digicert(), order_meta, max_calls=6)
    statuses = [result.status for _, result in run.calls]
    assert statuses[0] is CertificateStatus.CA_UNAVAILABLE_FOR_REQUEST
    assert statuses[-1] is CertificateStatus.CERTIFICATE_GENERATED
    assert certcentral_sim.orders_placed == 1
