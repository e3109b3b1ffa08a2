"""The structural checks on the order transition table, run once when it is imported.

The table must be total over methods x outcomes, hold one row per key, never leave a
terminal state, and store a certificate exactly where one is generated; a table that
breaks a rule fails at import with every problem listed, not on some order later.

Pure by design: no I/O, no clock, no randomness, no Temporal import.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator

from certorder.plugins.interface.status import PluginMethod
from certorder.workflows.models import OrderStatus
from certorder.workflows.order_fsm_table import Key, NextCall, Outcome, Rule

_P, _A = OrderStatus.PENDING, OrderStatus.ACTIVE


class InvalidTransitionTable(Exception):
    """The transition table breaks a structural rule (raised at import)."""


def format_key(key: Key) -> str:
    status, method, outcome = key
    return f"({status.value}, {method.value}, {outcome.value})"


def _reachable(rules: tuple[Rule, ...]) -> set[OrderStatus]:
    seen, frontier = {_P}, [_P]
    while frontier:
        here = frontier.pop()
        for there in {r.to_status for r in rules if r.from_status is here} - seen:
            seen.add(there)
            frontier.append(there)
    return seen


def _problems(rules: tuple[Rule, ...]) -> Iterator[str]:
    counts = Counter(rule.key for rule in rules)
    every: list[Key] = [(_P, method, outcome) for method in PluginMethod for outcome in Outcome]
    # A stored certificate on any other row would leave a container behind a failed or
    # canceled order; a generated row without it would lose the certificate.
    checks: tuple[tuple[str, list[Key]], ...] = (
        ("duplicate rules for", [key for key, n in counts.items() if n > 1]),
        ("no rule for", [key for key in every if key not in counts]),
        ("rules out of a terminal state:", [key for key in counts if key[0].is_terminal]),
        ("rules into a terminal state must have next_call none:", [
            r.key for r in rules if r.to_status.is_terminal and r.next_call is not NextCall.NONE
        ]),
        ("rules staying PENDING need a next_call:", [
            r.key for r in rules if not r.to_status.is_terminal and r.next_call is NextCall.NONE
        ]),
        ("store_certificate must be set exactly on certificate generated -> ACTIVE:", [
            r.key for r in rules
            if r.store_certificate
            != (r.outcome is Outcome.CERTIFICATE_GENERATED and r.to_status is _A)
        ]),
    )
    for label, bad in checks:
        if bad:
            yield f"{label} {', '.join(map(format_key, bad))}"
    unreachable = [status.value for status in OrderStatus if status not in _reachable(rules)]
    if unreachable:
        yield f"unreachable from PENDING: {', '.join(unreachable)}"


def validate(rules: Iterable[Rule]) -> dict[Key, Rule]:
    """Check ``rules`` and return them indexed by key; raise :class:`InvalidTransitionTable`
    listing every problem found."""
    rules = tuple(rules)
    problems = list(_problems(rules))
    if problems:
        raise InvalidTransitionTable("invalid transition table: " + "; ".join(problems))
    return {rule.key: rule for rule in rules}
