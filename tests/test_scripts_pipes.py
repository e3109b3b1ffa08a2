"""Scripts under ``set -o pipefail`` never pipe into a reader that stops early.

``head`` exits after its lines; the writer then gets a broken pipe (certorder exits 1
on one, as `... | head` users expect), and pipefail turns that into the script's
failure. It depends on who wins a race, more often with ``PYTHONUNBUFFERED`` set: the
quickstart failed that way once.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
SCRIPTS = sorted([*ROOT.glob("scripts/*.sh"), *ROOT.glob(".ci/*"), *ROOT.glob("docker/*.sh")])
EARLY_EXIT = re.compile(r"\|\s*(head|grep\s+(-\w*\s+)*-\w*[qm])\b")


@pytest.mark.parametrize("script", SCRIPTS, ids=[str(p.relative_to(ROOT)) for p in SCRIPTS])
def test_no_early_exit_reader_under_pipefail(script: Path):
    text = script.read_text()
    if "pipefail" not in text:
        return
    found = [line.strip() for line in text.splitlines()
             if EARLY_EXIT.search(line) and not line.lstrip().startswith("#")
             and "|| true" not in line]
    assert not found, f"{script.name}: a reader that stops early, under pipefail: {found}"
