"""CA management on the workers: the CLI's ``ca`` and ``plugin`` commands run here, so
they act on the CAs and plugins the workers use, with the workers' own credentials.

A plugin's refusal is final (non-retryable, with the exception's class as error type,
which the client maps back to its own errors); only a lost worker is retried.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from temporalio import activity
from temporalio.exceptions import ApplicationError

from certorder.activities.admin_models import (
    CreateCaInput,
    DeleteCaInput,
    EnabledPlugin,
    WorkerDescription,
)
from certorder.plugins.interface.dto import CAInfo
from certorder.plugins.interface.errors import CertificatePluginError
from certorder.plugins.manager import PluginManager


@contextmanager
def plugin_refusals_are_final() -> Iterator[None]:
    try:
        yield
    except CertificatePluginError as exc:
        raise ApplicationError(str(exc) or type(exc).__name__, type=type(exc).__name__,
                               non_retryable=True) from exc


class AdminActivities:
    """CA management through the worker's plugins."""

    def __init__(self, plugins: PluginManager, *, identity: str, task_queue: str) -> None:
        self._plugins = plugins
        # Described once: what a worker loaded does not change while it runs.
        self._description = WorkerDescription(
            identity=identity, task_queue=task_queue,
            enabled=[EnabledPlugin(
                name=name,
                request_types=[str(t) for t in plugins.get(name).supported_request_types()],
                default_ca=plugins.get(name).get_default_ca_name())
                for name in plugins.names],
            installed=PluginManager.installed_names())

    @activity.defn(name="list_cas")
    def list_cas(self) -> list[CAInfo]:
        with plugin_refusals_are_final():
            return self._plugins.ca_info()

    @activity.defn(name="create_ca")
    def create_ca(self, request: CreateCaInput) -> CAInfo:
        plugin = request.plugin_name
        # With one plugin and no parent, "under its default CA" is the only sensible reading.
        if plugin is None and request.ca.parent_ca_id is None and len(self._plugins.names) == 1:
            plugin = self._plugins.names[0]
        with plugin_refusals_are_final():
            return self._plugins.create_ca(plugin, request.ca)

    @activity.defn(name="delete_ca")
    def delete_ca(self, request: DeleteCaInput) -> None:
        with plugin_refusals_are_final():
            self._plugins.delete_ca(request.ca_id, request.plugin_name)

    @activity.defn(name="describe_worker")
    async def describe_worker(self) -> WorkerDescription:
        return self._description
