"""What crosses the workflow boundary: inputs, signals, and the order document.

No Temporal import: the client, the CLI and the tests use these models too. Every
field has a default or is required from the start, so that fields added later stay
compatible with orders already running (Temporal replays old inputs).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from certorder.activities.models import ApprovalPolicy, IssuedCertificate
from certorder.plugins.interface.status import PluginMethod
from certorder.workflows.order_status import OrderStatus

#: How long one plugin call may run before it is abandoned and made again.
DEFAULT_CALL_TIMEOUT_SECONDS = 120.0
#: Bounds of that timeout: Temporal needs a finite duration it can represent, and a
#: sub-second one would abandon every call before a CA could answer.
MIN_CALL_TIMEOUT_SECONDS = 1.0
MAX_CALL_TIMEOUT_SECONDS = 24 * 3600.0


class Transition(BaseModel):
    """One step of the order's story: a plugin call (or a core event) and its effect."""

    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)

    at: datetime
    method: str
    result_status: str
    message: str | None = None
    from_status: OrderStatus = Field(alias="from")
    to_status: OrderStatus = Field(alias="to")


class ModifyRequest(BaseModel):
    """Signal ``modify``: order_meta keys to change (merged into the order's order_meta)."""

    order_meta: dict[str, Any]


class CancelRequest(BaseModel):
    """Signal ``cancel``: ask the CA to cancel the pending order."""

    reason: str = ""


class ApprovalDecision(BaseModel):
    """Signals ``approve`` and ``deny``: a person's decision on an order awaiting approval."""

    approved: bool
    by: str = ""
    note: str = ""


class OrderSignal(BaseModel):
    """A modify or cancel waiting in the workflow's inbox (carried across continue-as-new)."""

    kind: PluginMethod
    order_meta: dict[str, Any] = Field(default_factory=dict)
    reason: str = ""
    received_at: datetime | None = None


class OrderVerdict(BaseModel):
    """Update ``verdict``: what the worker decided about a new order, as soon as it has.

    The client submits an order with update-with-start and waits for this, so a bad
    order is refused in about a second by the workers' own plugins, with no plugin
    loaded on the client. ``waiting`` marks an order that was accepted but names a
    plugin the worker that checked it has not enabled (a rolling deploy): it waits for
    a worker that has.
    """

    accepted: bool
    plugin_name: str | None = None
    message: str | None = None
    waiting: bool = False


class OrderDocument(BaseModel):
    """The order as clients see it: the ``status`` query and the workflow's result."""

    order_id: str
    created_at: datetime | None = None
    #: From the order's CSR, for people (the CSR itself stays in order_meta).
    subject: str | None = None
    sans: list[str] = Field(default_factory=list)
    status: OrderStatus = OrderStatus.PENDING
    sub_status: str | None = None
    sub_status_message: str | None = None
    plugin_name: str | None = None
    ca_id: str | None = None
    next_method: PluginMethod | None = None
    next_attempt_at: datetime | None = None
    container_id: str | None = None
    certificate: IssuedCertificate | None = None
    cancel_reason: str | None = None
    #: What the plugin keeps about the order (e.g. the CA's order id), as of its last call.
    plugin_meta: dict[str, Any] = Field(default_factory=dict)
    transitions: list[Transition] = Field(default_factory=list)
    ignored_signals: int = 0


class OrderState(BaseModel):
    """Everything the workflow must remember; carried whole across continue-as-new."""

    document: OrderDocument
    order_meta: dict[str, Any]
    plugin_meta: dict[str, Any] = Field(default_factory=dict)
    plugin_ca_id: str | None = None
    submitted: bool = False
    inbox: list[OrderSignal] = Field(default_factory=list)
    transitions_dropped: int = 0
    call_timeout_seconds: float = DEFAULT_CALL_TIMEOUT_SECONDS
    #: Accepted by a worker without the plugin: its own checks run before the first call.
    validate_first: bool = False
    #: Calls in a row that found a worker without the plugin (backs off the next try).
    not_on_worker_streak: int = 0
    #: The approval this order needs before it reaches a CA (None: none), and the
    #: decision once a person made it.
    approval: ApprovalPolicy | None = None
    approval_decision: ApprovalDecision | None = None
    approval_reminders: int = 0
    #: stored-key orders: the CSR the core built from the stored key (public data only).
    generated_csr: str | None = None
    #: The plugin declared its calls quick and repeat-safe: they run as local
    #: activities (orders of the "one-task-order" patch only).
    quick_calls: bool = False
    #: The plugin declared its status checks quick and read-only: checks (only) run as
    #: local activities (orders of the "quick-checks" patch only).
    quick_checks: bool = False


class OrderInput(BaseModel):
    """Workflow input: the client's ``order_meta`` (as in the seed), or a carried state.

    ``call_timeout_seconds`` bounds one plugin call: a call still running then (its
    worker died, or the CA hangs) is abandoned and made again, by any worker.
    """

    order_meta: dict[str, Any] = Field(default_factory=dict)
    call_timeout_seconds: float = Field(
        default=DEFAULT_CALL_TIMEOUT_SECONDS, ge=MIN_CALL_TIMEOUT_SECONDS,
        le=MAX_CALL_TIMEOUT_SECONDS, allow_inf_nan=False)
    #: Approval asked for by the client for this order (workers may require it too).
    approval: ApprovalPolicy | None = None
    carried_state: OrderState | None = None
