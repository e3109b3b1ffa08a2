"""order_meta that cannot cross the workflow boundary is one CertOrderError line, in
submit and in modify, and nothing is started or signalled."""

from __future__ import annotations

import uuid

import pytest
from x509_helpers import make_csr, make_key

from certorder.client import CertOrderClient
from certorder.client_errors import InvalidInputError
from certorder.client_orders import checked_order_meta
from certorder.settings import Settings


def _nested(depth: int) -> dict:
    value: dict = {}
    for _ in range(depth):
        value = {"k": value}
    return value


def _csr() -> str:
    return make_csr(make_key("p256"), ["www.example.test"])


BAD_EXTRAS = [
    ("deep", _nested(1000)),
    ("int key", {1: "x"}),
    ("tuple key", {("a",): "x"}),
    ("bytes", b"\xff\xfe"),
    ("object", object()),
    ("set", {"a"}),
    ("nan", float("nan")),
    ("inf", float("inf")),
]


@pytest.mark.parametrize(("label", "value"), BAD_EXTRAS, ids=[b[0] for b in BAD_EXTRAS])
def test_unserialisable_order_meta_is_one_line(label, value):
    with pytest.raises(InvalidInputError) as raised:
        checked_order_meta({"request_type": "simple-cmc", "request_data": _csr(),
                            "extra": value})
    assert "\n" not in str(raised.value) and "order_meta" in str(raised.value)


def test_json_order_meta_is_kept_as_a_plain_dict():
    meta = {"request_type": "simple-cmc", "extra": {"list": [1, 2.5, True, None, "s"]}}
    assert checked_order_meta(meta) == meta
    assert type(checked_order_meta(meta)) is dict


@pytest.fixture
async def client(temporal_env, cli_env):
    settings = Settings(
        temporal_address=temporal_env.client.service_client.config.target_host,
        task_queue=f"tq-nobody-{uuid.uuid4().hex}", data_dir=cli_env)
    client = await CertOrderClient.connect(settings)
    yield client
    client.close()


@pytest.mark.parametrize(("label", "value"), BAD_EXTRAS, ids=[b[0] for b in BAD_EXTRAS])
async def test_submit_and_modify_refuse_it_in_one_line(client, label, value):
    order_id = f"meta-{uuid.uuid4().hex[:12]}"
    with pytest.raises(InvalidInputError) as raised:
        await client.submit({"request_type": "simple-cmc", "request_data": _csr(),
                             "extra": value}, order_id=order_id)
    assert "\n" not in str(raised.value)
    with pytest.raises(InvalidInputError) as raised:
        await client.modify(order_id, {"extra": value})
    assert "\n" not in str(raised.value)
