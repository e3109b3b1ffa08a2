"""Which orders need a person's approval, by the worker's settings: per plugin
(``"digicert"``) or per CA of a plugin (``"local-ca/web-servers-3f9a1c2e"``)."""

from __future__ import annotations

from collections.abc import Iterable

from certorder.activities.models import ApprovalPolicy


class ApprovalRules:
    def __init__(self, required_for: Iterable[str] = (),
                 policy: ApprovalPolicy | None = None) -> None:
        self._required_for = frozenset(required_for)
        self._policy = policy or ApprovalPolicy()

    def policy_for(self, plugin_name: str, ca_id: str | None) -> ApprovalPolicy | None:
        """The approval an order for ``plugin_name`` (and ``ca_id``) needs, or None."""
        keys = {plugin_name} | ({f"{plugin_name}/{ca_id}"} if ca_id else set())
        return self._policy if keys & self._required_for else None
