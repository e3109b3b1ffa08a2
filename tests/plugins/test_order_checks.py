"""Pre-start checks that need no plugin: request types and the CSR."""

from __future__ import annotations

import pytest
from x509_helpers import make_csr, make_key

from certorder.plugins import CertificateRequestType, InvalidOrderError
from certorder.plugins.order_checks import check_request


def test_simple_cmc_with_a_good_csr_passes():
    meta = {"request_type": "simple-cmc", "request_data": make_csr(make_key())}
    assert check_request(meta) is CertificateRequestType.SIMPLE_CMC


def test_missing_request_type_means_custom():
    assert check_request({}) is CertificateRequestType.CUSTOM


@pytest.mark.parametrize("meta, message", [
    ({"request_type": "full-cmc"}, "full-cmc requests are not supported"),
    ({"request_type": "stored-key"}, "stored-key requests are not available yet"),
    ({"request_type": "pkcs12"}, "unknown request_type 'pkcs12'"),
    ({"request_type": "simple-cmc"}, "simple-cmc orders need request_data"),
    ({"request_type": "simple-cmc", "request_data": 7}, "request_data must be a PEM"),
])
def test_unusable_requests_are_refused_in_one_line(meta, message):
    with pytest.raises(InvalidOrderError) as raised:
        check_request(meta)
    assert str(raised.value).startswith(message) and "\n" not in str(raised.value)
