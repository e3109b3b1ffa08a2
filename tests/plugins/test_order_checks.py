"""Pre-start checks that need no plugin: request types and the CSR."""

from __future__ import annotations

import pytest
from x509_helpers import make_csr, make_key

from certorder.plugins import CertificateRequestType, InvalidOrderError
from certorder.plugins.order_checks import check_request


def test_simple_cmc_with_a_good_csr_passes():
    meta = {"request_type": "simple-cmc", "request_data": make_csr(make_key())}
    assert check_request(meta) is CertificateRequestType.SIMPLE_CMC


def test_a_stored_key_order_names_its_key_and_names():
    meta = {"request_type": "stored-key", "key_id": "k-1", "dns_names": ["www.example.test"],
            "ip_addresses": ["127.0.0.1"]}
    assert check_request(meta) is CertificateRequestType.STORED_KEY


def test_missing_request_type_means_custom():
    assert check_request({}) is CertificateRequestType.CUSTOM


@pytest.mark.parametrize("meta, message", [
    ({"request_type": "full-cmc"}, "full-cmc requests are not supported"),
    ({"request_type": "stored-key"}, "stored-key orders need key_id"),
    ({"request_type": "stored-key", "key_id": "a/b"}, "stored-key orders need key_id"),
    ({"request_type": "stored-key", "key_id": "k1"}, "stored-key orders need dns_names"),
    ({"request_type": "stored-key", "key_id": "k1", "dns_names": "x"}, "dns_names must be"),
    ({"request_type": "stored-key", "key_id": "k1", "ip_addresses": ["x"]},
     "'x' in ip_addresses is not"),
    ({"request_type": "stored-key", "key_id": "k1", "dns_names": ["a.test"],
      "request_data": "csr"}, "stored-key orders take no request_data"),
    ({"request_type": "pkcs12"}, "unknown request_type 'pkcs12'"),
    ({"request_type": "simple-cmc"}, "simple-cmc orders need request_data"),
    ({"request_type": "simple-cmc", "request_data": 7}, "request_data must be a PEM"),
])
def test_unusable_requests_are_refused_in_one_line(meta, message):
    with pytest.raises(InvalidOrderError) as raised:
        check_request(meta)
    assert str(raised.value).startswith(message) and "\n" not in str(raised.value)
