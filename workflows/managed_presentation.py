"""How a managed certificate reads in the Temporal UI (pure functions of its state)."""

from __future__ import annotations

from datetime import datetime

from certorder.workflows.managed_models import ManagedCertificate


def current_details(state: ManagedCertificate) -> str:
    names = ", ".join(state.spec.dns_names + state.spec.ip_addresses)
    current = state.current
    lines = [
        f"**Managed certificate** `{state.name}`",
        "",
        f"- **State:** {state.status.value}" + (f": {state.message}" if state.message else ""),
        f"- **Names:** {names}",
        f"- **Serial:** {current.serial if current else '-'}",
        f"- **Expires:** {_at(current.not_after) if current else '-'}",
        f"- **Next renewal:** {_at(state.next_renewal_at)}"
        + (f" ({state.next_renewal_reason})" if state.next_renewal_reason else ""),
        f"- **Version:** {current.version if current else '-'}"
        f" (key `{current.key_id}`)" if current else "- **Version:** -",
    ]
    if state.current_order_id:
        lines.append(f"- **Current order:** `{state.current_order_id}`")
    return "\n".join(lines)


def summary(name: str, dns_names: list[str], ip_addresses: list[str]) -> str:
    return f"managed certificate {name}: {', '.join(dns_names + ip_addresses)}"


def _at(moment: datetime | None) -> str:
    return moment.isoformat(timespec="seconds") if moment else "-"
