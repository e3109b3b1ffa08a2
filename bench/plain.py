"""The yardstick: plain Temporal workflows whose activities each make one ECDSA P-256
key and one signature (about what the local CA does for an order)."""

from __future__ import annotations

from datetime import timedelta

from temporalio import activity, workflow

with workflow.unsafe.imports_passed_through():
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec


@activity.defn
def sign_once(label: str) -> str:
    key = ec.generate_private_key(ec.SECP256R1())
    return key.sign(label.encode(), ec.ECDSA(hashes.SHA256())).hex()[:16]


@workflow.defn
class OneActivityWorkflow:
    @workflow.run
    async def run(self, label: str) -> str:
        return await workflow.execute_activity(
            sign_once, label, start_to_close_timeout=timedelta(seconds=30))


@workflow.defn
class ThreeActivitiesWorkflow:
    @workflow.run
    async def run(self, label: str) -> str:
        result = ""
        for step in range(3):
            result = await workflow.execute_activity(
                sign_once, f"{label}-{step}", start_to_close_timeout=timedelta(seconds=30))
        return result
