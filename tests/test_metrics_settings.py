"""The metrics and log settings: defaults, bad values in one line (exit 2), and an
endpoint address that cannot be bound stopping the worker in one line."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from certorder.keys.envelope import new_kek_text
from certorder.settings import SettingsError, load_settings

ROOT = Path(__file__).parents[1]


def _worker(env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("CERTORDER_")}
    clean |= {"CERTORDER_DATA_DIR": str(tmp_path / "data"), **env}
    return subprocess.run([sys.executable, str(ROOT / "worker.py")], env=clean, cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)


def test_defaults_serve_no_metrics_and_log_text_at_info():
    settings = load_settings()
    assert (settings.metrics_address, settings.log_level, settings.log_format) == (
        "", "INFO", "text")


def test_levels_and_formats_are_read_in_any_case(monkeypatch):
    monkeypatch.setenv("CERTORDER_LOG_LEVEL", "debug")
    monkeypatch.setenv("CERTORDER_LOG_FORMAT", "JSON")
    settings = load_settings()
    assert (settings.log_level, settings.log_format) == ("DEBUG", "json")


@pytest.mark.parametrize(("name", "value", "says"), [
    ("METRICS_ADDRESS", "9464", "metrics_address"),
    ("METRICS_ADDRESS", "0.0.0.0:70000", "metrics_address"),
    ("LOG_LEVEL", "loud", "log_level"),
    ("LOG_FORMAT", "xml", "log_format"),
    ("METRICS_REFRESH_SECONDS", "-1", "metrics_refresh_seconds"),
])
def test_a_bad_value_is_one_line(monkeypatch, name, value, says):
    monkeypatch.setenv(f"CERTORDER_{name}", value)
    with pytest.raises(SettingsError, match=says) as caught:
        load_settings()
    assert "\n" not in str(caught.value)


def test_the_worker_refuses_a_bad_value_with_exit_2(tmp_path):
    run = _worker({"CERTORDER_LOG_FORMAT": "xml"}, tmp_path)
    assert run.returncode == 2
    assert run.stderr.strip().count("\n") == 0 and "log_format" in run.stderr


def test_a_metrics_port_in_use_stops_the_worker_in_one_line(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        address = f"127.0.0.1:{taken.getsockname()[1]}"
        run = _worker({"CERTORDER_METRICS_ADDRESS": address, "CERTORDER_KEK": new_kek_text(),
                       "CERTORDER_TEMPORAL_ADDRESS": "127.0.0.1:1"}, tmp_path)
    assert run.returncode == 2, run.stderr
    [line] = run.stderr.strip().splitlines()
    assert address in line and "cannot serve metrics" in line
