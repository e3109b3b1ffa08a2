"""The order state machine against the seed's rules, one test per rule and method."""

from __future__ import annotations

import pytest

from certorder.plugins.interface.dto import RETRY_MSEC
from certorder.plugins.interface.status import CertificateStatus, PluginMethod
from certorder.workflows.models import OrderStatus
from certorder.workflows.order_fsm import (
    IllegalTransition,
    Outcome,
    decide,
    rule_for,
)

PENDING, ACTIVE, ERROR = OrderStatus.PENDING, OrderStatus.ACTIVE, OrderStatus.ERROR
STAYS = [o for o in Outcome if not rule_for(PENDING, PluginMethod.ISSUE, o).to_status.is_terminal]
ENDS = [o for o in Outcome if o not in STAYS]
every_method = pytest.mark.parametrize("method", list(PluginMethod), ids=lambda m: m.name)


@every_method
def test_waiting_for_ca_stays_pending_and_checks_later(method: PluginMethod) -> None:
    step = decide(PENDING, method, Outcome.WAITING_FOR_CA, message="queued", retry_msec=1234)
    assert step.to_status is PENDING
    assert step.next_method is PluginMethod.CHECK
    assert step.delay_msec == 1234
    assert (step.sub_status, step.sub_status_message) == ("waiting for CA", "queued")
    assert step.store_certificate is False


@every_method
def test_certificate_generated_stores_then_goes_active(method: PluginMethod) -> None:
    step = decide(PENDING, method, Outcome.CERTIFICATE_GENERATED, retry_msec=5)
    assert step.to_status is ACTIVE
    assert step.store_certificate is True
    assert (step.next_method, step.delay_msec) == (None, None)
    assert step.sub_status == "certificate generated"
    assert step.sub_status_message == "Certificate has been generated"


def test_certificate_generated_keeps_the_plugins_message() -> None:
    step = decide(PENDING, PluginMethod.ISSUE, Outcome.CERTIFICATE_GENERATED, message="issued #7")
    assert step.sub_status_message == "issued #7"


@every_method
def test_ca_unavailable_retries_the_same_method(method: PluginMethod) -> None:
    step = decide(PENDING, method, Outcome.CA_UNAVAILABLE_FOR_REQUEST, message="down", retry_msec=9)
    assert step.to_status is PENDING
    assert step.next_method is method
    assert step.delay_msec == 9
    assert (step.sub_status, step.sub_status_message) == ("CA unavailable for request", "down")


@every_method
def test_client_data_issue_stays_pending_with_sub_status(method: PluginMethod) -> None:
    step = decide(PENDING, method, Outcome.CLIENT_DATA_ISSUE_SEEN, message="validate DNS",
                  retry_msec=60_000)
    assert step.to_status is PENDING
    assert step.next_method is PluginMethod.CHECK
    assert step.delay_msec == 60_000
    assert step.sub_status == "client data issue seen"
    assert step.sub_status_message == "validate DNS"


@every_method
def test_request_canceled_ends_active_with_sub_status(method: PluginMethod) -> None:
    step = decide(PENDING, method, Outcome.REQUEST_CANCELED, message="revoked by CA")
    assert step.to_status is ACTIVE
    assert (step.sub_status, step.sub_status_message) == ("request canceled", "revoked by CA")
    assert (step.next_method, step.delay_msec, step.store_certificate) == (None, None, False)


@every_method
def test_invalid_operation_ends_error(method: PluginMethod) -> None:
    step = decide(PENDING, method, Outcome.INVALID_OPERATION, message="bad profile")
    assert step.to_status is ERROR
    assert (step.sub_status, step.sub_status_message) == ("invalid operation", "bad profile")
    assert (step.next_method, step.delay_msec, step.store_certificate) == (None, None, False)


@every_method
def test_plugin_raised_ends_error_with_the_exception_in_the_message(method: PluginMethod) -> None:
    step = decide(PENDING, method, Outcome.PLUGIN_RAISED, message="boom", error_type="KeyError")
    assert step.to_status is ERROR
    # The sub-status stays in the core's vocabulary (operators filter on it).
    assert (step.sub_status, step.sub_status_message) == ("plugin raised", "KeyError: boom")
    assert (step.next_method, step.delay_msec, step.store_certificate) == (None, None, False)


def test_plugin_raised_without_a_type_names_the_outcome() -> None:
    step = decide(PENDING, PluginMethod.CHECK, Outcome.PLUGIN_RAISED, message="boom")
    assert step.sub_status == "plugin raised"


@every_method
def test_certificate_rejected_ends_error_and_stores_nothing(method: PluginMethod) -> None:
    step = decide(PENDING, method, Outcome.CERTIFICATE_REJECTED, message="key mismatch")
    assert step.to_status is ERROR
    assert step.store_certificate is False
    assert (step.sub_status, step.sub_status_message) == ("certificate rejected", "key mismatch")


@every_method
@pytest.mark.parametrize("outcome", STAYS)
def test_retry_method_overrides_next_call_while_pending(
    method: PluginMethod, outcome: Outcome
) -> None:
    # Neither CHECK nor the method itself, so the override cannot pass by coincidence.
    override = PluginMethod.CANCEL if method is PluginMethod.MODIFY else PluginMethod.MODIFY
    step = decide(PENDING, method, outcome, retry_method=override)
    assert step.to_status is PENDING
    assert step.next_method is override


@every_method
@pytest.mark.parametrize("outcome", ENDS)
def test_retry_method_is_ignored_when_the_order_ends(
    method: PluginMethod, outcome: Outcome
) -> None:
    step = decide(PENDING, method, outcome, retry_method=PluginMethod.CHECK, retry_msec=10)
    assert step.to_status.is_terminal
    assert (step.next_method, step.delay_msec) == (None, None)


def test_cancel_answered_waiting_is_checked_later() -> None:
    step = decide(PENDING, PluginMethod.CANCEL, Outcome.WAITING_FOR_CA, retry_msec=30_000)
    assert (step.to_status, step.next_method, step.delay_msec) == (
        PENDING, PluginMethod.CHECK, 30_000)
    assert "cancel" in rule_for(PENDING, PluginMethod.CANCEL, Outcome.WAITING_FOR_CA).why


def test_default_delay_is_the_result_default() -> None:
    assert decide(PENDING, PluginMethod.ISSUE, Outcome.WAITING_FOR_CA).delay_msec == RETRY_MSEC


@pytest.mark.parametrize("status", [ACTIVE, ERROR])
@every_method
@pytest.mark.parametrize("outcome", list(Outcome))
def test_finished_orders_accept_no_transition(
    status: OrderStatus, method: PluginMethod, outcome: Outcome
) -> None:
    with pytest.raises(IllegalTransition, match=f"{status.value}.*finished"):
        decide(status, method, outcome)


def test_unknown_values_are_illegal_and_bad_delays_rejected() -> None:
    with pytest.raises(IllegalTransition, match="not a valid"):
        rule_for(PENDING, "renew_certificate", Outcome.WAITING_FOR_CA)
    with pytest.raises(ValueError, match="retry_msec"):
        decide(PENDING, PluginMethod.ISSUE, Outcome.WAITING_FOR_CA, retry_msec=-1)


def test_outcome_mirrors_every_certificate_status() -> None:
    for status in CertificateStatus:
        assert Outcome.from_status(status).value == status.value
        assert Outcome.from_status(status).name == status.name
    core_only = {o.name for o in Outcome} - {s.name for s in CertificateStatus}
    assert core_only == {"PLUGIN_RAISED", "CERTIFICATE_REJECTED", "PLUGIN_NOT_ON_WORKER",
                         "ORDER_REJECTED", "AWAITING_APPROVAL", "APPROVAL_DENIED",
                         "APPROVAL_TIMED_OUT"}


def test_string_inputs_are_accepted() -> None:
    step = decide("PENDING", "issue_certificate_request", "CA unavailable for request")
    assert step.next_method is PluginMethod.ISSUE


@pytest.mark.parametrize("method", list(PluginMethod))
def test_a_worker_without_the_plugin_leaves_the_order_pending_for_the_same_call(method) -> None:
    step = decide(PENDING, method, Outcome.PLUGIN_NOT_ON_WORKER, retry_msec=10_000,
                  message="worker w1 does not have plugin 'acme' enabled")
    assert step.to_status is PENDING and step.next_method is method
    assert step.delay_msec == 10_000 and not step.store_certificate
    assert step.sub_status == "waiting for a worker with the plugin"


def test_a_rejected_order_ends_error_and_keeps_the_reason() -> None:
    step = decide(PENDING, PluginMethod.ISSUE, Outcome.ORDER_REJECTED,
                  message="unknown plugin 'ghost'", error_type="PluginNotFoundError")
    assert (step.to_status, step.next_method) == (ERROR, None)
    assert step.sub_status == "order rejected"
    assert step.sub_status_message == "PluginNotFoundError: unknown plugin 'ghost'"
