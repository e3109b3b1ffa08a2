"""Every command block of README.md and docs/cli.md runs as written, so the docs cannot
drift from the program.

The stack is the documented ``certorder dev`` itself, in a scratch HOME on free ports;
each ``sh`` block then runs in bash (``set -e``), with the placeholders the docs name
filled in: ``ORDER_ID`` (an issued order), ``PENDING_ID`` (an order awaiting approval),
``CA_ID`` (a sub-CA), and ``/etc/ssl/www`` mapped into the scratch directory. ``python``
blocks run as scripts. ``text`` blocks are synopses and samples, not commands. The
README's set-up block (quickstart, test suite) is what CI itself runs.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from servers.ports import free_port
from x509_helpers import make_csr, make_key

ROOT = Path(__file__).parents[1]
DOCS = (ROOT / "README.md", ROOT / "docs" / "cli.md")
SET_UP = ("bash scripts/quickstart.sh", "bash scripts/test.sh")
_BLOCK = re.compile(r"^```(\w+)\n(.*?)^```", re.S | re.M)


def _blocks(kind: str) -> list[tuple[str, str]]:
    found = []
    for path in DOCS:
        for number, match in enumerate(_BLOCK.finditer(path.read_text())):
            if match.group(1) == kind:
                found.append((f"{path.name}#{number}", match.group(2)))
    return found


def _is_set_up(block: str) -> bool:
    return any(line.startswith(SET_UP) for line in block.splitlines())


def _is_dev_stack(block: str) -> bool:
    return block.splitlines()[0].strip() == "certorder dev"


class Stack:
    """``certorder dev`` as the docs start it, and a shell that talks to it."""

    def __init__(self, tmp: Path) -> None:
        self.home, self.work = tmp / "home", tmp / "work"
        self.home.mkdir()
        self.work.mkdir()
        port = free_port()
        inherited = {k: v for k, v in os.environ.items()
                     if not k.startswith(("CERTORDER_", "TEMPORAL_"))}
        self.env = {**inherited, "HOME": str(self.home),
                    "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
                    "CERTORDER_DEV_PORT": str(port), "CERTORDER_DEV_UI_PORT": str(free_port()),
                    "CERTORDER_TEMPORAL_ADDRESS": f"127.0.0.1:{port}"}
        self.dev: subprocess.Popen[str] | None = None
        self.drain = threading.Thread()

    def start(self, block: str) -> None:
        self.dev = subprocess.Popen(["bash", "-c", block], cwd=self.work, env=self.env,
                                    stderr=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                    text=True, start_new_session=True)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            line = self.dev.stderr.readline()
            if "worker running" in line:
                # Keep reading: a full stderr pipe (64 KiB of log lines) would block the
                # stack mid-test, and the commands talking to it would hang.
                self.drain = threading.Thread(target=self.dev.stderr.read, daemon=True)
                self.drain.start()
                return
            if not line and self.dev.poll() is not None:
                break
        raise AssertionError("the documented `certorder dev` did not start")

    def stop(self) -> None:
        if self.dev is not None and self.dev.poll() is None:
            os.killpg(self.dev.pid, signal.SIGINT)
            self.dev.wait(timeout=60)
            if self.drain.is_alive():
                self.drain.join(timeout=10)
        assert self.dev is None or self.dev.returncode == 0

    def run(self, script: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["bash", "-e", "-o", "pipefail", "-c", script], cwd=self.work,
                              env=self.env, capture_output=True, text=True, timeout=timeout)

    def certorder(self, *argv: str) -> str:
        done = self.run(" ".join(f"'{a}'" for a in ("certorder", *argv)))
        assert done.returncode == 0, done
        return done.stdout.strip()

    def placeholders(self, block: str) -> dict[str, str]:
        """Fresh stand-ins for what ``block`` names."""
        makers = {
            "ORDER_ID": lambda: self.certorder("order", "submit", "--csr", "www.csr",
                                               "--wait").splitlines()[0],
            "PENDING_ID": lambda: self.certorder("order", "submit", "--csr", "www.csr",
                                                 "--require-approval"),
            "CA_ID": lambda: self.certorder("ca", "create", "--name", "docs example"),
            "/etc/ssl/www": lambda: str(self.work / "etc-ssl-www"),
        }
        return {name: make() for name, make in makers.items() if name in block}


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    stack = Stack(tmp_path_factory.mktemp("docs"))
    for name in ("www.csr", "my.csr"):
        (stack.work / name).write_text(make_csr(make_key("p256"), ["www.example.test"]))
    [(_, dev_block)] = [b for b in _blocks("sh") if _is_dev_stack(b[1])]
    stack.start(dev_block)
    yield stack
    stack.stop()


def _fill(block: str, values: dict[str, str]) -> str:
    for name, value in values.items():
        block = re.sub(rf"(?<![\w-]){re.escape(name)}(?![\w-])", value, block)
    return block


_RUNNABLE = [b for b in _blocks("sh") if not _is_set_up(b[1]) and not _is_dev_stack(b[1])]


@pytest.mark.parametrize("where, block", _RUNNABLE, ids=[b[0] for b in _RUNNABLE])
def test_every_command_block_runs_as_written(stack, where, block):
    done = stack.run(_fill(block, stack.placeholders(block)))
    assert done.returncode == 0, f"{where}:\n{block}\nstdout: {done.stdout}\nstderr: {done.stderr}"
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("where, block", _blocks("python"), ids=[b[0] for b in _blocks("python")])
def test_every_python_block_runs_as_a_script(stack, where, block):
    done = stack.run(f"python - <<'PY'\n{block}\nPY\n", timeout=180)
    assert done.returncode == 0, f"{where}:\n{done.stdout}\n{done.stderr}"


def test_the_readme_settings_file_creates_nothing_when_read(stack):
    [(_, settings)] = _blocks("toml")
    (stack.work / "certorder.toml").write_text(settings)
    existed = Path("/var/lib/certorder").exists()
    done = stack.run("certorder --config certorder.toml order list --json")
    # Its temporal_address is overridden by the environment (the stack's); reading the
    # settings must not make /var/lib/certorder, keys, or a store.
    assert done.returncode == 0, done
    json.loads(done.stdout)
    assert Path("/var/lib/certorder").exists() == existed


def test_there_are_blocks_to_run():
    assert len(_RUNNABLE) >= 6 and _blocks("python") and _blocks("toml")
