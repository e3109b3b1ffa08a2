"""How an order reads in the Temporal UI: current details, activity and timer summaries.

Pure functions of the order document, so the UI text never changes what the
workflow does (summaries are metadata, not commands: rewording them is replay-safe).
"""

from __future__ import annotations

from datetime import timedelta

from certorder.plugins.interface.status import PluginMethod
from certorder.workflows.models import OrderDocument


def current_details(doc: OrderDocument) -> str:
    """Markdown for the UI's "Current details" panel."""
    lines = [
        f"**Order** `{doc.order_id}`",
        "",
        f"- **Status:** {doc.status.value}",
        f"- **Sub-status:** {doc.sub_status or '-'}",
        f"- **Message:** {doc.sub_status_message or '-'}",
        f"- **Plugin:** {doc.plugin_name or '(not chosen yet)'}"
        + (f" (CA `{doc.ca_id}`)" if doc.ca_id else ""),
    ]
    if doc.next_method is not None and doc.next_attempt_at is not None:
        lines.append(
            f"- **Next:** `{doc.next_method.value}` at {doc.next_attempt_at.isoformat()}"
        )
    if doc.container_id:
        lines.append(f"- **Certificate container:** `{doc.container_id}`")
    return "\n".join(lines)


def activity_summary(method: PluginMethod, plugin_name: str, attempt_no: int) -> str:
    """One line that names the plugin call, for the activity's event in the history."""
    return f"#{attempt_no} {plugin_name}.{method.value}"


def timer_summary(method: PluginMethod, delay: timedelta) -> str:
    """What the durable timer is waiting for, e.g. 'wait 1h0m0s, then check_certificate_status'."""
    return f"wait {_human(delay)}, then {method.value}"


def _human(delay: timedelta) -> str:
    seconds = int(delay.total_seconds())
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d{hours}h{minutes}m"
    if hours:
        return f"{hours}h{minutes}m{secs}s"
    if minutes:
        return f"{minutes}m{secs}s"
    return f"{delay.total_seconds():.3g}s"


def static_summary(order_id: str, subject: str | None, plugin_name: str | None) -> str:
    """The fixed one-line summary a client sets when it starts an order."""
    target = f" via {plugin_name}" if plugin_name else ""
    return f"Certificate order {order_id}" + (f" for {subject}" if subject else "") + target
