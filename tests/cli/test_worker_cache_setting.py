"""``max_cached_workflows``: the setting reaches the worker that ``run_worker`` builds
(a deployment expecting bursts of due checks raises it; docs/performance.md)."""

from __future__ import annotations

import pytest
from cli_helpers import running_worker

import certorder.worker as composition
from certorder.settings import SettingsError, load_settings


async def test_the_setting_reaches_the_worker(cli_queue, monkeypatch):
    built = []
    real = composition.build_worker

    def recording(*args, **kwargs):
        built.append(real(*args, **kwargs))
        return built[-1]

    monkeypatch.setattr(composition, "build_worker", recording)
    async with running_worker(cli_queue.model_copy(update={"max_cached_workflows": 7})):
        pass
    assert [worker.config()["max_cached_workflows"] for worker in built] == [7]


def test_a_negative_cache_is_one_line(monkeypatch):
    monkeypatch.setenv("CERTORDER_MAX_CACHED_WORKFLOWS", "-1")
    with pytest.raises(SettingsError, match="invalid setting max_cached_workflows"):
        load_settings()
    monkeypatch.setenv("CERTORDER_MAX_CACHED_WORKFLOWS", "5000")
    assert load_settings().max_cached_workflows == 5000
