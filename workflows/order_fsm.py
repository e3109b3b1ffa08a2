"""The order state machine: what the core does with each plugin result, as one table.

An order starts ``PENDING``; each plugin call (or a core event) produces an
:class:`Outcome`, and :data:`TRANSITIONS` (in ``order_fsm_table``, checked at import by
``order_fsm_checks``) says where that leaves the order and which method to call next.
:func:`decide` turns a row plus the result's data into a :class:`Step` for the workflow;
this module re-exports the table's names, so callers import everything from here.

Why a plain table and not python-statemachine: a transition here depends on three
inputs (status, method, outcome) and carries data (next call, delay, sub-status),
which a state/event graph does not express; the table must be checked for totality
over methods x outcomes; and the workflow imports this module through Temporal's
sandbox pass-through, where a third-party engine (with its own locks, import-time
setup and timing features) is a determinism risk for no gain.

Pure by design: no I/O, no clock, no randomness, no Temporal import.
"""

from __future__ import annotations

from dataclasses import dataclass

from certorder.plugins.interface.status import PluginMethod
from certorder.workflows.models import OrderStatus
from certorder.workflows.order_fsm_checks import InvalidTransitionTable, format_key, validate
from certorder.workflows.order_fsm_table import (
    DEFAULT_RETRY_MSEC,
    GENERATED_MESSAGE,
    TRANSITIONS,
    NextCall,
    Outcome,
    Rule,
)

__all__ = [
    "DEFAULT_RETRY_MSEC",
    "GENERATED_MESSAGE",
    "TRANSITIONS",
    "IllegalTransition",
    "InvalidTransitionTable",
    "NextCall",
    "Outcome",
    "Rule",
    "Step",
    "decide",
    "rule_for",
]


class IllegalTransition(ValueError):
    """No rule for this (status, method, outcome): e.g. any call on a finished order."""


_INDEX = validate(TRANSITIONS)


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
        raise IllegalTransition(f"no transition for {format_key(key)}{why}") from None


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
