"""The transition table's structural checks: each broken table must fail with a message
naming the problem, and the state machine's modules import no Temporal."""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

import pytest

import certorder.workflows.order_fsm as fsm
import certorder.workflows.order_fsm_checks as fsm_checks
import certorder.workflows.order_fsm_table as fsm_table
from certorder.plugins.interface.status import PluginMethod
from certorder.workflows.models import OrderStatus
from certorder.workflows.order_fsm import (
    TRANSITIONS,
    InvalidTransitionTable,
    NextCall,
    Outcome,
    Rule,
)
from certorder.workflows.order_fsm_checks import validate

PENDING, ACTIVE, ERROR = OrderStatus.PENDING, OrderStatus.ACTIVE, OrderStatus.ERROR


def _replace(index: int, **changes: object) -> tuple[Rule, ...]:
    table = list(TRANSITIONS)
    table[index] = dataclasses.replace(table[index], **changes)
    return tuple(table)


def _row(method: PluginMethod, outcome: Outcome) -> int:
    return next(i for i, r in enumerate(TRANSITIONS) if (r.method, r.outcome) == (method, outcome))


def test_shipped_table_is_valid_and_total() -> None:
    index = validate(TRANSITIONS)
    assert len(index) == len(TRANSITIONS) == len(PluginMethod) * len(Outcome)


def test_missing_row_is_rejected() -> None:
    gone = (PENDING, PluginMethod.MODIFY, Outcome.REQUEST_CANCELED)
    table = tuple(r for r in TRANSITIONS if r.key != gone)
    named = r"no rule for \(PENDING, modify_certificate_request, request canceled\)"
    with pytest.raises(InvalidTransitionTable, match=named):
        validate(table)


def test_duplicate_row_is_rejected() -> None:
    table = TRANSITIONS + (TRANSITIONS[3],)
    with pytest.raises(InvalidTransitionTable, match="duplicate rules for") as info:
        validate(table)
    assert str(TRANSITIONS[3].outcome) in str(info.value)


def test_rule_out_of_active_is_rejected() -> None:
    escape = Rule(ACTIVE, PluginMethod.CHECK, Outcome.WAITING_FOR_CA, PENDING, NextCall.CHECK,
                  False, "reopen")
    with pytest.raises(InvalidTransitionTable,
                       match=r"out of a terminal state: \(ACTIVE, check_certificate_status"):
        validate(TRANSITIONS + (escape,))


def test_unreachable_state_is_rejected() -> None:
    # Send every ERROR row to ACTIVE instead: ERROR can no longer be reached.
    table = tuple(
        dataclasses.replace(r, to_status=ACTIVE) if r.to_status is ERROR else r
        for r in TRANSITIONS
    )
    with pytest.raises(InvalidTransitionTable, match="unreachable from PENDING: ERROR"):
        validate(table)


@pytest.mark.parametrize("outcome", [Outcome.REQUEST_CANCELED, Outcome.CERTIFICATE_REJECTED])
def test_store_certificate_on_a_wrong_row_is_rejected(outcome: Outcome) -> None:
    table = _replace(_row(PluginMethod.CHECK, outcome), store_certificate=True)
    with pytest.raises(InvalidTransitionTable,
                       match=f"store_certificate.*check_certificate_status, {outcome.value}"):
        validate(table)


def test_generated_row_without_store_is_rejected() -> None:
    table = _replace(_row(PluginMethod.ISSUE, Outcome.CERTIFICATE_GENERATED),
                     store_certificate=False)
    with pytest.raises(InvalidTransitionTable, match="store_certificate"):
        validate(table)


def test_terminal_row_with_a_next_call_is_rejected() -> None:
    table = _replace(_row(PluginMethod.ISSUE, Outcome.INVALID_OPERATION), next_call=NextCall.CHECK)
    with pytest.raises(InvalidTransitionTable, match="into a terminal state must have next_call"):
        validate(table)


def test_pending_row_without_a_next_call_is_rejected() -> None:
    table = _replace(_row(PluginMethod.CHECK, Outcome.WAITING_FOR_CA), next_call=NextCall.NONE)
    with pytest.raises(InvalidTransitionTable, match="staying PENDING need a next_call"):
        validate(table)


@pytest.mark.parametrize("module", [fsm, fsm_checks, fsm_table], ids=lambda m: m.__name__)
def test_fsm_modules_import_no_temporal(module) -> None:
    tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
                for alias in node.names}
    imported |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert imported, "the ast walk found no imports at all"
    assert not {name for name in imported if name.split(".")[0] == "temporalio"}
