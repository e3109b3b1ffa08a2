"""docs/order-states.md is generated from the transition table and must stay in step."""

from __future__ import annotations

import re
import subprocess
import sys

from certorder.workflows.order_fsm import TRANSITIONS
from certorder.workflows.order_states_doc import DOC_PATH, REGENERATE, main, render_markdown


def test_committed_doc_matches_the_table() -> None:
    assert DOC_PATH.is_file(), f"{DOC_PATH} is missing; run `{REGENERATE}`"
    assert DOC_PATH.read_text(encoding="utf-8") == render_markdown(), (
        f"{DOC_PATH.name} is stale; regenerate it with `{REGENERATE}` and commit it"
    )


def test_doc_says_it_is_generated_and_how() -> None:
    head = render_markdown().splitlines()[:4]
    assert any("Generated" in line and REGENERATE in line for line in head)


def test_every_row_appears_in_the_table() -> None:
    rows = [line for line in render_markdown().splitlines() if line.startswith("| PENDING |")]
    assert len(rows) == len(TRANSITIONS)
    for rule, row in zip(TRANSITIONS, rows, strict=True):
        cells = [c.strip() for c in row.strip("|").split(" | ")]
        assert cells[:6] == [
            rule.from_status.value, f"`{rule.method.value}`", rule.outcome.value,
            rule.to_status.value, rule.next_call.value, "yes" if rule.store_certificate else "no",
        ]


def test_diagram_has_every_edge_and_start_and_ends() -> None:
    text = render_markdown()
    diagram = re.search(r"```mermaid\n(.*?)```", text, re.S)
    assert diagram, "no mermaid block"
    lines = [line.strip() for line in diagram.group(1).splitlines()]
    assert lines[0] == "stateDiagram-v2"
    assert "[*] --> PENDING" in lines
    assert {"ACTIVE --> [*]", "ERROR --> [*]"} <= set(lines)
    edges = {(line.split(" : ")[0], line.split(" : ")[1].split(",")[0].split(" (")[0])
             for line in lines if " : " in line}
    expected = {(f"{r.from_status.value} --> {r.to_status.value}", r.outcome.value)
                for r in TRANSITIONS}
    assert edges == expected
    assert "PENDING --> PENDING : CA unavailable for request, then the same method" in lines
    assert "PENDING --> PENDING : waiting for CA, then check_certificate_status" in lines
    # Mermaid ends a label at ':' or ';'; only the separator may contain a colon.
    assert all(line.count(":") <= 1 and ";" not in line for line in lines)


def test_output_is_deterministic_across_processes() -> None:
    runs = [
        subprocess.run(
            [sys.executable, "-m", "certorder.workflows.order_states_doc"],
            capture_output=True, text=True, check=True,
            env={"PYTHONHASHSEED": seed}, cwd=DOC_PATH.parent.parent,
        ).stdout
        for seed in ("1", "2")
    ]
    assert runs[0] == runs[1] == render_markdown()


def test_main_prints_the_document(capsys) -> None:
    main([])
    assert capsys.readouterr().out == render_markdown()
