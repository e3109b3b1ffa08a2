"""A managed certificate whose recorded policy names a wait over today's bound (100
years; started before the bound, or by hand through Temporal): the worker still renews
it on time, `cert modify` still changes it, and only a new over-long wait is refused,
in one line, changing nothing."""

from __future__ import annotations

import asyncio
import json
import uuid

import pytest
from cli_helpers import assert_one_line_error
from managed_helpers import spec, start, wait_for
from temporalio.client import WorkflowUpdateFailedError

from certorder.client_errors import InvalidInputError
from certorder.client_managed import ManagedCertificates
from certorder.workflows.managed_models import ModifyCertificate, RenewalPolicy
from certorder.workflows.managed_workflow import ManagedCertificateWorkflow

CENTURIES = 300 * 365 * 86_400.0


async def _cli(run_cli, *argv: str):
    return await asyncio.to_thread(run_cli, *argv)


async def test_a_policy_recorded_over_the_bound_stays_modifiable(live, run_cli,
                                                                 temporal_env):
    recorded = RenewalPolicy(renew_before_seconds=CENTURIES, retry_max_seconds=CENTURIES)
    name = f"old-{uuid.uuid4().hex[:8]}"
    handle = await start(temporal_env.client, live.task_queue,
                         spec(validity_days=30, renewal=recorded), name=name)
    try:
        issued = await wait_for(handle, lambda s: len(s.versions) == 1)
        # The margin is longer than the lifetime: 2/3 of it, not "at once, for ever".
        assert "is longer than the certificate's lifetime" in issued.next_renewal_reason
        assert issued.next_renewal_at > issued.versions[0].not_before

        changed = await _cli(run_cli, "cert", "modify", name, "--dns", "web.example.test",
                             "--dns", "api.example.test", "--json")
        assert changed.code == 0, changed
        assert json.loads(changed.out[changed.out.index("{"):])["pending_spec"][
            "dns_names"] == ["web.example.test", "api.example.test"]
        # A policy option keeps the recorded waits it does not name.
        changed = await _cli(run_cli, "cert", "modify", name, "--renew-at", "1/2")
        assert changed.code == 0, changed
        state = await handle.query(ManagedCertificateWorkflow.state)
        assert state.pending_spec.renewal.renew_at == 0.5
        assert state.pending_spec.renewal.retry_max_seconds == CENTURIES

        # A new over-long wait is refused before it reaches the workflow.
        over = state.pending_spec.renewal.model_copy(
            update={"retry_initial_seconds": CENTURIES})
        managed = ManagedCertificates(temporal_env.client, live)
        with pytest.raises(InvalidInputError, match="retry_initial_seconds must be .* at "
                                                    "most 36500 days"):
            await managed.modify(name, ModifyCertificate(renewal=over))
        # And by the workflow itself, against its own policy (a client that read the
        # policy before another modify changed it, or none that checks at all).
        with pytest.raises(WorkflowUpdateFailedError) as rejected:
            await handle.execute_update(ManagedCertificateWorkflow.modify,
                                        ModifyCertificate(renewal=over))
        assert "retry_initial_seconds must be a number of seconds, at most 36500 days" in \
            str(rejected.value.cause)
        refused = await _cli(run_cli, "cert", "modify", name, "--renew-before", "40000d")
        assert_one_line_error(refused, 2, "at most 36500d")
        assert await handle.query(ManagedCertificateWorkflow.state) == state
    finally:
        await handle.terminate("test over")
