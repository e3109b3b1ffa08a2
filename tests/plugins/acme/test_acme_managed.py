"""A managed certificate through ACME against a real Pebble (http-01): issued from a key
the worker made, deployed, renewed with a new key, each version verifying."""

from __future__ import annotations

from acme_driving import unique_name
from managed_helpers import deployed_pair_matches, spec, start, wait_for
from order_harness import order_worker
from x509_helpers import verify_server_chain

from certorder.workflows.managed_models import ManagedStatus, RenewalPolicy
from certorder.workflows.managed_workflow import ManagedCertificateWorkflow


async def test_managed_certificate_through_acme(temporal_env, pebble, make_acme_plugin,
                                                tmp_path):
    plugin = make_acme_plugin(pebble)
    name = unique_name("managed")
    deploy = tmp_path / "deploy"
    async with order_worker(temporal_env, {"acme": plugin}, tmp_path) as orders:
        handle = await start(orders.client, orders.task_queue,
                             spec(deploy, dns_names=[name], validity_days=None,
                                  renewal=RenewalPolicy()))
        first = await wait_for(handle, lambda s: len(s.versions) == 1, timeout=90)
        v1_files = ((deploy / "current" / "cert.pem").read_text(),
                    (deploy / "current" / "chain.pem").read_text())
        await handle.signal(ManagedCertificateWorkflow.renew)
        second = await wait_for(handle, lambda s: len(s.versions) == 2, timeout=90)
        await handle.signal(ManagedCertificateWorkflow.retire)
    assert first.status is ManagedStatus.ACTIVE and first.spec.plugin_name is None
    v1, v2 = second.versions
    assert v1.key_id != v2.key_id and v1.serial != v2.serial
    root = pebble.root_pem()
    verify_server_chain(v1_files[0], v1_files[1], root, name)
    verify_server_chain((deploy / "current" / "cert.pem").read_text(),
                        (deploy / "current" / "chain.pem").read_text(), root, name)
    assert deployed_pair_matches(deploy / "current") == (True, "v2")
    # 2/3 of Pebble's lifetime, counted from arrival, less at most 2% jitter.
    due = v2.issued_at + (v2.not_after - v2.issued_at) * (2 / 3)
    assert due - (due - v2.issued_at) * 0.021 <= second.next_renewal_at <= due
