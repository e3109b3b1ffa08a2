"""Record a revocation that waited for a worker with the certificate's plugin (v0.7
on), for the replay test: ``python tests/record_revocation_histories.py v0.7``.

The flow is the test's own (``tests/workflows/test_revocation_not_on_worker.py``): it
issues with the local CA, starts the revocation on a worker without it, then adds one
with it. Commit the file it writes under ``tests/histories/``.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest

sys.path[:0] = [str(Path(__file__).parent), str(Path(__file__).parent / "workflows"),
                str(Path(__file__).parents[1])]

from history_recording import HISTORIES, record_history  # noqa: E402
from test_revocation_not_on_worker import _waits_for_the_plugin  # noqa: E402


async def record(version: str) -> None:
    async def flow(env, data_dir: Path):
        with pytest.MonkeyPatch.context() as patch:
            order_id = await _waits_for_the_plugin(env, data_dir, patch, continued=False)
        return env.client.get_workflow_handle(f"revoke-{order_id}")

    # The replay test names a history's workflow by its file name.
    await record_history(HISTORIES / f"{version}-revocation-waits-for-plugin.json", flow)

if __name__ == "__main__":
    asyncio.run(record(sys.argv[1] if len(sys.argv) > 1 else "v0.7"))
