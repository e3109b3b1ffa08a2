"""Render docs/order-states.md from the order state machine's transition table.

``python -m certorder.workflows.order_states_doc`` prints the document;
``python -m certorder.workflows.order_states_doc --write`` rewrites docs/order-states.md.
A test fails when the committed document differs from :func:`render_markdown`.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from certorder.plugins.interface.status import PluginMethod
from certorder.workflows.models import OrderStatus
from certorder.workflows.order_fsm import TRANSITIONS, NextCall, Rule

#: The generated document, relative to the repository root (the parent of ``workflows``).
DOC_PATH = Path(__file__).resolve().parent.parent / "docs" / "order-states.md"
#: The command that regenerates :data:`DOC_PATH`, as the document and the stale-doc test say.
REGENERATE = "python -m certorder.workflows.order_states_doc --write"

_INTRO = """\
# Order states

> Generated from `workflows/order_fsm_table.py` by `{command}`; do not edit by hand.

An order starts `PENDING`. After each plugin call (or a core event) the core looks
up the row for (order status, method, outcome) below: it says whether the order stays
`PENDING` and which method to call after the result's `retry_msec`, or whether it ends
`ACTIVE` or `ERROR`. Outcomes are the six `CertificateStatus` values plus two the core
produces: `plugin raised` (the method raised) and `certificate rejected` (the core's
check of an issued certificate failed). While `PENDING`, `sub_status` and
`sub_status_message` mirror the last result; an explicit `retry_method` in the result
overrides the next call. Finished orders (`ACTIVE`, `ERROR`) accept no transition.
"""

_TABLE_HEAD = (
    "| From | Method | Outcome | To | Next call | Stores certificate | Why (seed rule) |\n"
    "|---|---|---|---|---|---|---|\n"
)


def _edge_label(rule: Rule, methods: list[str]) -> str:
    label = rule.outcome.value
    if rule.next_call is NextCall.CHECK:
        label += ", then check_certificate_status"
    elif rule.next_call is NextCall.SAME:
        label += ", then the same method"
    if rule.store_certificate:
        label += " (certificate stored)"
    if len(methods) < len(PluginMethod):
        label += f" (on {' or '.join(methods)})"
    # Mermaid ends a transition label at ':' or ';' and treats '#' as a comment.
    if any(ch in label for ch in ":;#"):
        raise ValueError(f"cannot put {label!r} in a Mermaid label")
    return label


def _mermaid(rules: tuple[Rule, ...]) -> str:
    # One edge per (from, outcome, to, next call), whichever methods share it, in table order.
    edges: dict[tuple[object, ...], tuple[Rule, list[str]]] = {}
    for rule in rules:
        key = (rule.from_status, rule.outcome, rule.to_status, rule.next_call,
               rule.store_certificate)
        edges.setdefault(key, (rule, []))[1].append(rule.method.value)
    lines = ["```mermaid", "stateDiagram-v2", f"    [*] --> {OrderStatus.PENDING.value}"]
    lines += [
        f"    {rule.from_status.value} --> {rule.to_status.value} : {_edge_label(rule, methods)}"
        for rule, methods in edges.values()
    ]
    lines += [f"    {status.value} --> [*]" for status in OrderStatus if status.is_terminal]
    lines.append("```")
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _table(rules: tuple[Rule, ...]) -> str:
    rows = [
        "| " + " | ".join(_cell(c) for c in (
            r.from_status.value, f"`{r.method.value}`", r.outcome.value, r.to_status.value,
            r.next_call.value, "yes" if r.store_certificate else "no", r.why,
        )) + " |\n"
        for r in rules
    ]
    return _TABLE_HEAD + "".join(rows)


def render_markdown() -> str:
    """The whole document for :data:`~certorder.workflows.order_fsm.TRANSITIONS`: the same
    table, the same text."""
    return "\n".join((
        _INTRO.format(command=REGENERATE),
        "## Diagram\n\n" + _mermaid(TRANSITIONS),
        f"## Transitions ({len(TRANSITIONS)} rows)\n\n" + _table(TRANSITIONS),
    ))


def main(argv: list[str] | None = None) -> None:
    """Print the document, or write it to docs/order-states.md with ``--write``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help=f"write {DOC_PATH.name}")
    args = parser.parse_args(argv)
    text = render_markdown()
    if not args.write:
        print(text, end="")
        return
    DOC_PATH.parent.mkdir(parents=True, exist_ok=True)
    partial = DOC_PATH.with_name(DOC_PATH.name + ".tmp")
    partial.write_text(text, encoding="utf-8")
    partial.replace(DOC_PATH)  # atomic: a reader never sees half a document
    print(f"wrote {DOC_PATH}")


if __name__ == "__main__":
    main()
