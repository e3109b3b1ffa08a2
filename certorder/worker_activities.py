"""The activities one worker registers, built from its plugins, store and keys.

Part of the composition root (``worker.py``), kept apart so the root reads as start-up
and shutdown: this is the one place that knows which activity objects exist and which
of their methods Temporal may call.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from temporalio.client import Client

from certorder.activities.admin_activities import AdminActivities
from certorder.activities.approval_rules import ApprovalRules
from certorder.activities.ca_activities import CaActivities
from certorder.activities.deploy_activities import DeployActivities
from certorder.activities.key_activities import KeyActivities
from certorder.activities.order_id_activities import OrderIdActivities
from certorder.activities.renewal_info_activities import RenewalInfoActivities
from certorder.activities.revocation_activities import RevocationActivities
from certorder.activities.store_activities import StoreActivities
from certorder.plugins.manager import PluginManager
from certorder.store import CertificateStore
from certorder.store.key_store import KeyStore
from certorder.worker_tuning import local_order_activities

__all__ = ["key_and_managed_activities", "worker_activities"]


def worker_activities(
    client: Client,
    *,
    task_queue: str,
    plugins: PluginManager,
    store: CertificateStore,
    executor: ThreadPoolExecutor,
    local_executor: ThreadPoolExecutor,
    approvals: ApprovalRules | None = None,
    keys: KeyStore | None = None,
) -> list[Callable[..., Any]]:
    """Every activity of :func:`certorder.worker.build_worker`'s worker: orders, CA
    management and revocation; with ``keys``, stored keys and managed certificates too."""
    ca = CaActivities(plugins, client.identity, approvals)
    admin = AdminActivities(plugins, identity=client.identity, task_queue=task_queue)
    storage = StoreActivities(store)
    ids = OrderIdActivities(store)
    revocation = RevocationActivities(plugins, store)
    return [
        ca.select_plugin,
        ca.issue_certificate_request,
        ca.check_certificate_status,
        ca.modify_certificate_request,
        ca.cancel_certificate_request,
        storage.store_certificate,
        ids.claim_order_id,
        *local_order_activities(ca, storage, ids, local_executor),
        admin.list_cas,
        admin.create_ca,
        admin.delete_ca,
        admin.get_crl,
        revocation.find_revocation_target,
        revocation.revoke_certificate,
        revocation.record_revocation,
        *(key_and_managed_activities(keys, store, plugins) if keys is not None else []),
    ]


def key_and_managed_activities(keys: KeyStore, store: CertificateStore,
                               plugins: PluginManager) -> list:
    key_calls = KeyActivities(keys)
    deploy = DeployActivities(store, keys)
    renewal_info = RenewalInfoActivities(plugins, store)
    return [key_calls.create_key, key_calls.build_csr, key_calls.delete_key,
            deploy.read_certificate, deploy.deploy_certificate, deploy.run_deploy_hook,
            renewal_info.suggested_renewal_window]
