"""The client's error boundary: every lower-level error becomes one CertOrderError line."""

from __future__ import annotations

import pytest
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from certorder.client_errors import (
    CertOrderError,
    InvalidInputError,
    OrderExistsError,
    OrderNotFoundError,
    TemporalUnavailableError,
    plugin_errors,
    temporal_errors,
)
from certorder.plugins.interface.errors import (
    CAOperationError,
    CAUnavailableError,
    InvalidOrderError,
    PluginLoadError,
    PluginNotFoundError,
    UnknownCAError,
)


def _rpc(status: RPCStatusCode, message: str = "boom") -> RPCError:
    return RPCError(message, status, b"")


@pytest.mark.parametrize(
    ("error", "expected", "exit_code", "fragment"),
    [
        (_rpc(RPCStatusCode.NOT_FOUND), OrderNotFoundError, 2, "no order o-1"),
        (_rpc(RPCStatusCode.ALREADY_EXISTS), OrderExistsError, 2, "order o-1 already exists"),
        (WorkflowAlreadyStartedError("o-1", "T"), OrderExistsError, 2, "already exists"),
        (_rpc(RPCStatusCode.UNAVAILABLE), TemporalUnavailableError, 1,
         "cannot reach Temporal at h:1"),
        (_rpc(RPCStatusCode.INVALID_ARGUMENT, "search attribute X is not defined"),
         CertOrderError, 1, "temporal operator search-attribute create"),
        (_rpc(RPCStatusCode.INVALID_ARGUMENT, "id too long"), InvalidInputError, 2, "id too long"),
        (_rpc(RPCStatusCode.PERMISSION_DENIED, "line one\nline two"), CertOrderError, 1,
         "(PERMISSION_DENIED): line one line two"),
    ],
)  # fmt: skip
def test_temporal_errors_are_mapped(error, expected, exit_code, fragment):
    with pytest.raises(expected) as caught, temporal_errors("h:1", "o-1"):
        raise error
    assert caught.value.exit_code == exit_code
    assert fragment in str(caught.value)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("error", "exit_code"),
    [
        (InvalidOrderError("bad CSR"), 2),
        (PluginNotFoundError("no plugin"), 2),
        (UnknownCAError("no CA x"), 2),
        (PluginLoadError("cannot import"), 2),
        (CAUnavailableError("CA down"), 1),
        (CAOperationError("refused"), 2),
    ],
)
def test_plugin_errors_keep_their_message(error, exit_code):
    with pytest.raises(CertOrderError) as caught, plugin_errors():
        raise error
    assert caught.value.exit_code == exit_code
    assert str(error) in str(caught.value)


def test_other_exceptions_pass_through():
    with pytest.raises(KeyError), temporal_errors("h:1"), plugin_errors():
        raise KeyError("bug")
