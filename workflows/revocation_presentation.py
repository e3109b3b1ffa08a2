"""How a revocation reads in the Temporal UI: summary and current details.

Pure functions of the revocation document: rewording them is replay-safe.
"""

from __future__ import annotations

from certorder.workflows.revocation_models import RevocationDocument


def revocation_summary(order_id: str, reason: str) -> str:
    """The fixed one-line summary a client sets when it starts a revocation."""
    return f"Revoke the certificate of order {order_id} ({reason})"


def revocation_details(doc: RevocationDocument) -> str:
    """Markdown for the UI's "Current details" panel."""
    lines = [
        f"**Revocation** of order `{doc.order_id}`",
        "",
        f"- **State:** {doc.state.value}",
        f"- **Reason:** {doc.reason.value}",
        f"- **Message:** {doc.message or '-'}",
        f"- **Plugin:** {doc.plugin_name or '(not known yet)'}",
        f"- **Serial:** {doc.serial or '-'}",
        f"- **Calls to the CA:** {doc.calls}",
    ]
    if doc.next_attempt_at is not None:
        lines.append(f"- **Next call:** at {doc.next_attempt_at.isoformat()}")
    if doc.revoked_at is not None:
        lines.append(f"- **Revoked at:** {doc.revoked_at.isoformat()}")
    return "\n".join(lines)
