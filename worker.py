"""Composition root of the worker: settings → plugins → store → Temporal worker.

Run it with ``certorder worker`` (or ``python worker.py``). SIGINT/SIGTERM stop it
gracefully: no new tasks are taken, running plugin calls get time to finish, then
plugins and the store are closed. Which activities a worker registers, built from
the plugins and the store, is ``certorder.worker_activities``.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from temporalio.client import Client
from temporalio.worker import Worker

from certorder.activities.admin_activities import AdminActivities
from certorder.activities.approval_rules import ApprovalRules
from certorder.activities.models import ApprovalPolicy
from certorder.client_errors import CertOrderError
from certorder.data_dir import ensure_data_dir
from certorder.keys.envelope import Kek, KeyDecryptionError
from certorder.keys.kek_source import load_kek
from certorder.log_format import configure_logging
from certorder.metrics.expiry import ExpiryScanner
from certorder.metrics.fleet import FleetGauges, refresh_periodically
from certorder.metrics.runtime import worker_runtime
from certorder.plugins.interface.errors import CertificatePluginError
from certorder.plugins.loading import check_loadable
from certorder.plugins.manager import PLUGIN_NAMESPACE, PluginManager
from certorder.search_attribute_setup import (
    MissingSearchAttributesError,
    require_search_attributes,
)
from certorder.settings import Settings, SettingsError, load_settings
from certorder.store import CertificateStore, StoreLocationError, StoreUnavailableError
from certorder.store.key_store import KeyStore
from certorder.store.plugin_state import PluginStates
from certorder.temporal_client import connect
from certorder.worker_activities import worker_activities
from certorder.worker_tuning import MAX_CACHED_WORKFLOWS, local_call_threads, workflow_options
from certorder.workflows import worker_task_queue
from certorder.workflows.admin_workflow import CaAdminWorkflow
from certorder.workflows.eager_dispatch import EagerDispatchInterceptor
from certorder.workflows.managed_workflow import ManagedCertificateWorkflow
from certorder.workflows.order_workflow import CertificateOrderWorkflow
from certorder.workflows.revocation_workflow import CertificateRevocationWorkflow

log = logging.getLogger("certorder.worker")

#: How long running plugin calls may take to finish once shutdown begins.
GRACEFUL_SHUTDOWN = timedelta(seconds=30)
#: Longest a heartbeat (with a plugin's progress) waits before it is sent to Temporal.
HEARTBEAT_THROTTLE = timedelta(seconds=0.5)


def build_worker(
    client: Client,
    *,
    task_queue: str,
    plugins: PluginManager,
    store: CertificateStore,
    executor: ThreadPoolExecutor,
    approvals: ApprovalRules | None = None,
    keys: KeyStore | None = None,
    local_executor: ThreadPoolExecutor | None = None,
    sandboxed: bool = True, max_cached_workflows: int = MAX_CACHED_WORKFLOWS,
) -> Worker:
    """A worker for certificate orders and CA management (used by ``run_worker`` and by
    the tests); with ``keys``, also for stored keys and managed certificates (for
    ``local_executor``, ``sandboxed`` and ``max_cached_workflows`` see
    ``certorder.worker_tuning``)."""
    local_executor = local_executor or local_call_threads(executor._max_workers)
    return Worker(
        client,
        task_queue=task_queue,
        workflows=[CertificateOrderWorkflow, CaAdminWorkflow, CertificateRevocationWorkflow,
                   ManagedCertificateWorkflow],
        activities=worker_activities(client, task_queue=task_queue, plugins=plugins,
                                     store=store, executor=executor,
                                     local_executor=local_executor, approvals=approvals,
                                     keys=keys),
        # Plugin calls block (HTTP, signing): they run here, never on the event loop.
        # Store activities are async and use the store's own few threads, so a hung
        # database never holds a plugin thread; they take a slot for a bounded time only
        # (no more slots than threads: a plugin call queued for a thread would run out
        # its timeout there and be made twice).
        activity_executor=executor,
        max_concurrent_activities=executor._max_workers,
        # Retries of a call that found no plugin here must be free to leave this worker.
        interceptors=[EagerDispatchInterceptor()],
        graceful_shutdown_timeout=GRACEFUL_SHUTDOWN,
        **workflow_options(local_executor, sandboxed, max_cached_workflows),
        # A plugin's progress (e.g. the CA's id of a request just placed) must reach
        # Temporal within a second, not after the default throttle of 80 % of the
        # heartbeat timeout: a worker dying in between would lose it.
        max_heartbeat_throttle_interval=HEARTBEAT_THROTTLE,
    )


def build_identity_worker(client: Client, *, task_queue: str,
                          plugins: PluginManager) -> Worker:
    """A worker on this process's own queue, answering ``plugin list`` for this process
    (the shared queue cannot address one worker)."""
    admin = AdminActivities(plugins, identity=client.identity, task_queue=task_queue)
    return Worker(client, task_queue=worker_task_queue(task_queue, client.identity),
                  activities=[admin.describe_worker], max_concurrent_activity_task_polls=1,
                  graceful_shutdown_timeout=GRACEFUL_SHUTDOWN)


async def run_worker(settings: Settings, *, stop: asyncio.Event | None = None) -> None:
    """Run a worker until ``stop`` is set (or, without one, until SIGINT/SIGTERM)."""
    ensure_data_dir(settings.data_dir)
    check_loadable(PLUGIN_NAMESPACE, settings.enabled_plugins)  # a typo before all else
    kek = load_kek(settings)  # a missing KEK is a setup mistake too
    store = CertificateStore.open(settings.resolved_store_url)
    try:
        keys = open_key_store(kek, store)
        plugins = open_plugins(settings, store, kek)
    except BaseException:
        store.close()
        raise
    executor = ThreadPoolExecutor(
        max_workers=settings.max_concurrent_activities, thread_name_prefix="plugin-call"
    )
    local_executor = local_call_threads(settings.max_concurrent_activities)
    fleet: asyncio.Task | None = None
    try:
        runtime = worker_runtime(settings)
        client = await connect(settings, runtime)
        await require_search_attributes(client)
        worker = build_worker(client, task_queue=settings.task_queue, plugins=plugins,
                              store=store, executor=executor,
                              approvals=approval_rules(settings), keys=keys,
                              local_executor=local_executor, sandboxed=False,
                              max_cached_workflows=settings.max_cached_workflows)
        identity_worker = build_identity_worker(client, task_queue=settings.task_queue,
                                                plugins=plugins)
        stop = stop or _stop_on_signals()
        if settings.metrics_address and settings.metrics_refresh_seconds > 0:
            fleet = asyncio.create_task(refresh_periodically(FleetGauges(
                client, runtime.metric_meter, ExpiryScanner(store.engine,
                                                            settings.metrics_scan_limit),
                expiry_days=settings.metrics_expiry_days,
                scan_limit=settings.metrics_scan_limit), settings.metrics_refresh_seconds))
        async with worker, identity_worker:
            log.info("worker polling %s on %s with plugins %s%s", settings.task_queue,
                     client.service_client.config.target_host, ", ".join(plugins.names),
                     f"; metrics on http://{settings.metrics_address}/metrics"
                     if settings.metrics_address else "")
            await stop.wait()
            log.info("shutting down")
    finally:
        if fleet is not None:
            fleet.cancel()
        executor.shutdown(wait=True)
        local_executor.shutdown(wait=True)
        plugins.close()
        store.close()


def open_plugins(settings: Settings, store: CertificateStore, kek: Kek) -> PluginManager:
    """The enabled plugins, each with its shared state in ``store`` (sealed by ``kek``):
    what one worker's plugin instance stores there, every other worker's sees."""
    return PluginManager(settings.enabled_plugins, settings.data_dir, settings.plugins,
                         shared=PluginStates(store.engine, kek))


def approval_rules(settings: Settings) -> ApprovalRules:
    """Which orders the settings make wait for a person's approval."""
    return ApprovalRules(settings.approval_required, ApprovalPolicy(
        timeout_seconds=settings.approval_timeout_seconds,
        on_timeout=settings.approval_on_timeout))


def open_key_store(kek: Kek, store: CertificateStore) -> KeyStore:
    """The key store under the configured KEK, checked against the keys already stored:
    a missing or wrong KEK stops the worker here, in one line, before it touches a key."""
    keys = KeyStore(store.engine, kek)
    try:
        keys.check_kek()
    except KeyDecryptionError as exc:
        raise SettingsError(str(exc)) from None
    return keys


def _stop_on_signals() -> asyncio.Event:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    return stop


def main() -> int:
    """Entry point for ``python worker.py``; user errors are one line, exit code 2."""
    try:
        settings = load_settings()
        configure_logging(settings.log_level, settings.log_format)  # as `certorder worker`
        asyncio.run(run_worker(settings))
    except (SettingsError, CertificatePluginError, MissingSearchAttributesError,
            StoreLocationError) as exc:
        print(f"certorder worker: error: {exc}", file=sys.stderr)
        return 2
    except StoreUnavailableError as exc:
        print(f"certorder worker: error: {exc}", file=sys.stderr)
        return 1
    except CertOrderError as exc:  # Temporal refused or unreachable (temporal_client)
        print(f"certorder worker: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except RuntimeError as exc:
        if "connect" not in str(exc).lower():
            raise
        print(f"certorder worker: error: cannot reach Temporal: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    exit_code = main()
    # Everything is closed by now; skip interpreter finalization, where the SDK's
    # native threads can hang (as in certorder.cli.main.entry).
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(exit_code)
