"""The agent request listing pages like Dogtag's: VLV filters by request number, any
other filter unpaged and capped by ``maxResults`` (``CMSRequestDAO.listCMSRequests``)."""

from __future__ import annotations

import ssl

import httpx
from x509_helpers import make_csr, make_key

LIST = "/ca/rest/agent/certrequests"


def _agent(sim) -> httpx.Client:
    context = ssl.create_default_context(cafile=str(sim.ca_bundle_file))
    context.load_cert_chain(str(sim.client_cert_file), str(sim.client_key_file))
    return httpx.Client(base_url=sim.base_url, verify=context, timeout=5)


def _requests(sim, statuses: list[str]) -> list[int]:
    values = {"cert_request_type": "pkcs10", "cert_request": make_csr(make_key())}
    numbers = []
    for status in statuses:
        record = sim.engine.enroll("caServerCert", values, None)
        record.status = status
        numbers.append(record.number)
    return numbers


def _numbers(reply: httpx.Response) -> list[int]:
    assert reply.status_code == 200, reply.text
    return [int(e["requestID"], 16) for e in reply.json()["entries"]]


def test_vlv_filter_pages_by_request_number(dogtag_sim):
    numbers = _requests(dogtag_sim, ["complete", "pending", "complete", "rejected", "complete"])
    with _agent(dogtag_sim) as agent:
        everything = agent.get(LIST, params={"requestType": "enrollment", "pageSize": 2})
        assert _numbers(everything) == numbers[:2]
        assert everything.json()["total"] == 5  # the whole list, not the page
        # ``start`` is a request number (decimal or 0x hex), not a position.
        page = agent.get(LIST, params={"requestType": "enrollment", "start": numbers[3]})
        assert _numbers(page) == numbers[3:]
        hexed = agent.get(LIST, params={"requestType": "enrollment", "start": hex(numbers[3])})
        assert _numbers(hexed) == numbers[3:]
        beyond = agent.get(LIST, params={"requestType": "enrollment", "start": numbers[-1] + 1})
        assert _numbers(beyond) == []
        complete = agent.get(
            LIST,
            params={"requestState": "complete", "requestType": "enrollment", "start": numbers[1]},
        )
        assert _numbers(complete) == [numbers[2], numbers[4]]
        assert complete.json()["total"] == 3


def test_pending_filter_is_unpaged_and_capped_by_max_results(dogtag_sim):
    numbers = _requests(dogtag_sim, ["pending"] * 4 + ["complete"])
    with _agent(dogtag_sim) as agent:
        query = {"requestState": "pending", "requestType": "enrollment"}
        paged = agent.get(LIST, params={**query, "start": numbers[2], "pageSize": 1})
        assert _numbers(paged) == numbers[:4]  # no VLV index: start and pageSize ignored
        capped = agent.get(LIST, params={**query, "maxResults": 3})
        assert _numbers(capped) == numbers[:3]
        assert capped.json()["total"] == 3


def test_bad_paging_parameters_are_not_found(dogtag_sim):
    with _agent(dogtag_sim) as agent:
        for params in ({"start": "seven"}, {"pageSize": "x"}, {"maxResults": "many"}):
            assert agent.get(LIST, params=params).status_code == 404
