"""How an order reads in the Temporal UI: current details, activity and timer summaries.

Pure functions of the order document, so the UI text never changes what the
workflow does (summaries are metadata, not commands: rewording them is replay-safe).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from certorder.plugins.interface.status import PluginMethod
from certorder.workflows.models import OrderDocument

#: Short names of the plugin methods, as an operator reads them in a summary.
_VERB = {
    PluginMethod.ISSUE: "issue",
    PluginMethod.CHECK: "check",
    PluginMethod.MODIFY: "modify",
    PluginMethod.CANCEL: "cancel",
}


def current_details(doc: OrderDocument, now: datetime) -> str:
    """Markdown for the UI's "Current details" panel (the "User Metadata" tab), as of
    ``now`` (the workflow's time of the last change)."""
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
        lines.append(f"- **Next:** {next_step(doc, now)} (as of {utc(now)})")
    if doc.container_id:
        lines.append(f"- **Certificate container:** `{doc.container_id}`")
    hint = what_to_do(doc)
    if hint:
        lines += ["", f"**What to do:** {hint}"]
    return "\n".join(lines)


def next_step(doc: OrderDocument, now: datetime) -> str:
    """Why the order waits and for what: 'CA unavailable: issue in 15m (at 2026-12-01
    12:00:00 UTC)'."""
    assert doc.next_method is not None and doc.next_attempt_at is not None
    why = doc.sub_status or "waiting"
    delay = max(doc.next_attempt_at - now, timedelta(0))
    return f"{why}: {_VERB[doc.next_method]} in {human(delay)} (at {utc(doc.next_attempt_at)})"


def what_to_do(doc: OrderDocument) -> str | None:
    """The operator's next move, where the order waits on a person."""
    if doc.status.is_terminal:
        return None
    if doc.sub_status == "client data issue seen":
        return (f"correct the order data with `certorder order modify {doc.order_id} "
                f"--meta KEY=VALUE` (the CA is asked again at once), or give up with "
                f"`certorder order cancel {doc.order_id}`")
    if doc.sub_status == "awaiting approval":
        return (f"approve with `certorder order approve {doc.order_id}`, or deny with "
                f"`certorder order deny {doc.order_id} --reason TEXT`")
    if doc.sub_status == "waiting for a worker with the plugin":
        return (f"start a worker with plugin `{doc.plugin_name}` in `enabled_plugins`, or "
                f"cancel with `certorder order cancel {doc.order_id}`")
    return None


def utc(moment: datetime) -> str:
    """A moment in UTC to the second, as operators read it."""
    return moment.astimezone(UTC).replace(microsecond=0, tzinfo=None).isoformat(" ") + " UTC"


def activity_summary(method: PluginMethod, plugin_name: str, attempt_no: int) -> str:
    """One line that names the plugin call, for the activity's event in the history."""
    return f"#{attempt_no} {plugin_name}.{method.value}"


def timer_summary(doc: OrderDocument, now: datetime) -> str:
    """What the durable timer waits for, and why: 'waiting for CA: check in 1h0m0s (at
    2026-12-01 13:00:00 UTC)'."""
    return next_step(doc, now)


def human(delay: timedelta) -> str:
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
