"""A namespace without certorder's search attributes: the worker refuses to start (its
orders would fail every workflow task), and the dev stack registers what is missing."""

from __future__ import annotations

import pytest
from temporal_server import FAST_TIMERS, temporal_binary
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from certorder.search_attribute_setup import (
    MissingSearchAttributesError,
    missing_search_attributes,
    register_missing,
    require_search_attributes,
)
from certorder.workflows import search_attributes as sa


async def test_a_namespace_from_before_an_upgrade_is_refused_then_completed():
    # As a dev database made before CertificateOrderNextAttempt existed.
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=temporal_binary(), data_converter=pydantic_data_converter,
        search_attributes=[sa.ORDER_STATUS, sa.ORDER_SUB_STATUS, sa.PLUGIN_NAME],
        dev_server_extra_args=FAST_TIMERS)
    try:
        with pytest.raises(MissingSearchAttributesError,
                           match="--name CertificateOrderNextAttempt --type Datetime"):
            await require_search_attributes(env.client)
        assert await register_missing(env.client) == ["CertificateOrderNextAttempt"]
        assert await missing_search_attributes(env.client) == []
        await require_search_attributes(env.client)
        assert await register_missing(env.client) == []  # idempotent
    finally:
        await env.shutdown()
