"""The order state machine's transition table: outcomes, rows, and the rows themselves.

An order starts ``PENDING``; each plugin call (or a core event) produces an
:class:`Outcome`, and :data:`TRANSITIONS` says where that leaves the order and which
method to call next. The rows restate the seed guide's sections "Barbican Order's
Status Versus ResultDTO's Status" and "Barbican Core Plugin Sequence"; their ``why``
quotes the rule. ``certorder.workflows.order_fsm`` checks the table at import and
turns a row into a step.

Pure by design: no I/O, no clock, no randomness, no Temporal import.
"""

from __future__ import annotations

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



Key = tuple[OrderStatus, PluginMethod, Outcome]


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
    def key(self) -> Key:
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
