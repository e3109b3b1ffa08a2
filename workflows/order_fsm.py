"""The order state machine: what the core does with each plugin result, as one table.

An order starts ``PENDING``; each plugin call (or a core event) produces an
:class:`Outcome`, and :data:`TRANSITIONS` says where that leaves the order and which
method to call next. The rows restate the seed guide's sections "Barbican Order's
Status Versus ResultDTO's Status" and "Barbican Core Plugin Sequence"; their ``why``
quotes the rule. :func:`decide` turns a row plus the result's data into a
:class:`Step` for the workflow.

Why a plain table and not python-statemachine: a transition here depends on three
inputs (status, method, outcome) and carries data (next call, delay, sub-status),
which a state/event graph does not express; the table must be checked for totality
over methods x outcomes; and the workflow imports this module through Temporal's
sandbox pass-through, where a third-party engine (with its own locks, import-time
setup and timing features) is a determinism risk for no gain.

Pure by design: no I/O, no clock, no randomness, no Temporal import.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum

from certorder.plugins.interface.status import CertificateStatus, PluginMethod
from certorder.workflows.models import OrderStatus

#: Barbican's default delay before the next call (1 hour); ``ResultDTO.retry_msec``'s too.
DEFAULT_RETRY_MSEC = 3_600_000
#: Default sub-status message when a plugin issues a certificate without saying anything.
GENERATED_MESSAGE = "Certificate has been generated"


class Outcome(StrEnum):  # same base as CertificateStatus
    """What happened on one call: a plugin's :class:`CertificateStatus` (same strings),
    or one of two outcomes the core itself produces."""

    CERTIFICATE_GENERATED = "certificate generated"
    WAITING_FOR_CA = "waiting for CA"
    CLIENT_DATA_ISSUE_SEEN = "client data issue seen"
    CA_UNAVAILABLE_FOR_REQUEST = "CA unavailable for request"
    REQUEST_CANCELED = "request canceled"
    INVALID_OPERATION = "invalid operation"
    #: The plugin method raised instead of returning a result.
    PLUGIN_RAISED = "plugin raised"
    #: The plugin said "certificate generated" but the core's check of it failed.
    CERTIFICATE_REJECTED = "certificate rejected"
    #: The worker that took the call has not enabled the order's plugin; the plugin
    #: was not called (a rolling deploy, or a worker started with other settings).
    PLUGIN_NOT_ON_WORKER = "waiting for a worker with the plugin"
    #: The workers refused the order before it reached a CA: no plugin takes it, an
    #: unknown CA, or the plugin's own order checks.
    ORDER_REJECTED = "order rejected"
    #: The order needs a person's approval before it reaches a CA (settings or order).
    AWAITING_APPROVAL = "awaiting approval"
    #: A person denied the order, or nobody decided in time.
    APPROVAL_DENIED = "approval denied"
    APPROVAL_TIMED_OUT = "approval timed out"

    @classmethod
    def from_status(cls, status: CertificateStatus) -> Outcome:
        """The outcome for a plugin result's status."""
        return cls(CertificateStatus(status).value)



class NextCall(StrEnum):  # same base as PluginMethod
    """Which plugin method a row schedules after the result's ``retry_msec``."""

    CHECK = "check_certificate_status"
    SAME = "same method"
    NONE = "none"



_Key = tuple[OrderStatus, PluginMethod, Outcome]


@dataclass(frozen=True)
class Rule:
    """One row of :data:`TRANSITIONS`: on ``outcome`` of ``method`` while ``from_status``."""

    from_status: OrderStatus
    method: PluginMethod
    outcome: Outcome
    to_status: OrderStatus
    next_call: NextCall
    store_certificate: bool
    why: str

    @property
    def key(self) -> _Key:
        """The lookup key; the table holds exactly one row per key."""
        return (self.from_status, self.method, self.outcome)


_P, _A, _E = OrderStatus.PENDING, OrderStatus.ACTIVE, OrderStatus.ERROR

# One entry per outcome, read top to bottom like the seed's issue_certificate_request
# section; the seed says check, modify and cancel results are "processed similarly".
# Columns: outcome, to_status, next_call, store_certificate, why.
_SEED_RULES: tuple[tuple[Outcome, OrderStatus, NextCall, bool, str], ...] = (
    (Outcome.WAITING_FOR_CA, _P, NextCall.CHECK, False,
     "WAITING_FOR_CA: invoke check_certificate_status after retry_msec"),
    (Outcome.CERTIFICATE_GENERATED, _A, NextCall.NONE, True,
     "CERTIFICATE_GENERATED: order completed; store the certificate in a container, "
     "status ACTIVE"),
    (Outcome.CA_UNAVAILABLE_FOR_REQUEST, _P, NextCall.SAME, False,
     "CA_UNAVAILABLE_FOR_REQUEST: remote CA not available; invoke the same method "
     "after retry_msec"),
    (Outcome.CLIENT_DATA_ISSUE_SEEN, _P, NextCall.CHECK, False,
     "CLIENT_DATA_ISSUE_SEEN: order viable but client data has problems; stay PENDING "
     "with this sub_status and the result's message; check after retry_msec"),
    (Outcome.REQUEST_CANCELED, _A, NextCall.NONE, False,
     "REQUEST_CANCELED: order completed, status ACTIVE; sub_status from the result"),
    (Outcome.INVALID_OPERATION, _E, NextCall.NONE, False,
     "INVALID_OPERATION: a failed order, status ERROR; sub_status from the result"),
    (Outcome.PLUGIN_RAISED, _E, NextCall.NONE, False,
     "the plugin raises an exception: a failed order, status ERROR"),
    (Outcome.CERTIFICATE_REJECTED, _E, NextCall.NONE, False,
     "core check of the issued certificate failed: a failed order, status ERROR; "
     "nothing stored"),
    (Outcome.ORDER_REJECTED, _E, NextCall.NONE, False,
     "core: the workers refused the order before any CA saw it; a failed order, status "
     "ERROR; its id may be used again"),
    (Outcome.AWAITING_APPROVAL, _P, NextCall.SAME, False,
     "core: the order needs approval before it reaches a CA; the same method once "
     "approved (retry_msec: the approval deadline, if any)"),
    (Outcome.APPROVAL_DENIED, _E, NextCall.NONE, False,
     "core: a person denied the order before it reached a CA; a failed order, status ERROR"),
    (Outcome.APPROVAL_TIMED_OUT, _E, NextCall.NONE, False,
     "core: nobody approved the order in time; a failed order, status ERROR"),
    (Outcome.PLUGIN_NOT_ON_WORKER, _P, NextCall.SAME, False,
     "core: the worker has not enabled the order's plugin, which was not called; the "
     "same method again after retry_msec, on whichever worker takes it"),
)

# Where a method's own paragraph in the seed restates a rule, quote that instead.
_METHOD_WHY: dict[tuple[PluginMethod, Outcome], str] = {
    (PluginMethod.CANCEL, Outcome.WAITING_FOR_CA):
        "cancel not processed immediately by a remote CA: invoke check_certificate_status "
        "after retry_msec",
}

#: The whole state machine, one row per (PENDING, method, outcome); terminal states
#: have no rows, so nothing moves an order out of ACTIVE or ERROR.
TRANSITIONS: tuple[Rule, ...] = tuple(
    Rule(_P, method, outcome, to_status, next_call, store,
         _METHOD_WHY.get((method, outcome), why))
    for method in PluginMethod
    for outcome, to_status, next_call, store, why in _SEED_RULES
)


class IllegalTransition(ValueError):
    """No rule for this (status, method, outcome): e.g. any call on a finished order."""


class InvalidTransitionTable(Exception):
    """The transition table breaks a structural rule (raised at import)."""


def _fmt(key: _Key) -> str:
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
    every: list[_Key] = [(_P, method, outcome) for method in PluginMethod for outcome in Outcome]
    # A stored certificate on any other row would leave a container behind a failed or
    # canceled order; a generated row without it would lose the certificate.
    checks: tuple[tuple[str, list[_Key]], ...] = (
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
            yield f"{label} {', '.join(map(_fmt, bad))}"
    unreachable = [status.value for status in OrderStatus if status not in _reachable(rules)]
    if unreachable:
        yield f"unreachable from PENDING: {', '.join(unreachable)}"


def _validate(rules: Iterable[Rule]) -> dict[_Key, Rule]:
    """Check ``rules`` and return them indexed by key; raise :class:`InvalidTransitionTable`
    listing every problem found."""
    rules = tuple(rules)
    problems = list(_problems(rules))
    if problems:
        raise InvalidTransitionTable("invalid transition table: " + "; ".join(problems))
    return {rule.key: rule for rule in rules}


_INDEX = _validate(TRANSITIONS)


@dataclass(frozen=True)
class Step:
    """What the workflow does after one outcome.

    ``store_certificate`` means: check and store the result's certificate *before*
    recording ACTIVE; if the core's check rejects it, decide again with
    :attr:`Outcome.CERTIFICATE_REJECTED` instead.
    """

    to_status: OrderStatus
    next_method: PluginMethod | None
    delay_msec: int | None
    sub_status: str | None
    sub_status_message: str | None
    store_certificate: bool


def rule_for(status: OrderStatus, method: PluginMethod, outcome: Outcome) -> Rule:
    """The row for this key; :class:`IllegalTransition` if there is none (or a value is
    not a known status, method or outcome)."""
    try:
        key = (OrderStatus(status), PluginMethod(method), Outcome(outcome))
    except ValueError as exc:
        raise IllegalTransition(f"no transition: {exc}") from None
    try:
        return _INDEX[key]
    except KeyError:
        why = " (the order is finished)" if key[0].is_terminal else ""
        raise IllegalTransition(f"no transition for {_fmt(key)}{why}") from None


def decide(
    status: OrderStatus,
    method: PluginMethod,
    outcome: Outcome,
    *,
    message: str | None = None,
    retry_msec: int | None = DEFAULT_RETRY_MSEC,
    retry_method: PluginMethod | None = None,
    error_type: str | None = None,
) -> Step:
    """The next step for an order in ``status`` after ``method`` produced ``outcome``.

    :param message: the result's ``status_message`` (or the exception's message);
        becomes the order's ``sub_status_message``.
    :param retry_msec: the result's delay before the next call; ignored when the
        order ends. None: the next call has no due time (it waits for an event).
    :param retry_method: the result's explicit next method; overrides the rule's
        only while the order stays PENDING.
    :param error_type: for :attr:`Outcome.PLUGIN_RAISED` and :attr:`Outcome.ORDER_REJECTED`,
        the exception's type name; it leads the message (the sub-status keeps the
        seed's and the core's vocabulary, so operators can filter on it).
    :raises IllegalTransition: no rule applies (e.g. the order is finished).
    :raises ValueError: ``retry_msec`` is negative or ``retry_method`` is not a method.
    """
    rule = rule_for(status, method, outcome)
    if retry_msec is not None and retry_msec < 0:
        raise ValueError(f"retry_msec must be >= 0, got {retry_msec}")
    if retry_method is not None:
        retry_method = PluginMethod(retry_method)
    sub_status = rule.outcome.value
    if error_type and rule.outcome in (Outcome.PLUGIN_RAISED, Outcome.ORDER_REJECTED):
        message = f"{error_type}: {message}" if message else error_type
    if rule.outcome is Outcome.CERTIFICATE_GENERATED and not message:
        message = GENERATED_MESSAGE
    if rule.to_status.is_terminal:
        next_method, delay = None, None
    else:
        default = PluginMethod.CHECK if rule.next_call is NextCall.CHECK else rule.method
        next_method, delay = retry_method or default, retry_msec
    return Step(rule.to_status, next_method, delay, sub_status, message, rule.store_certificate)
