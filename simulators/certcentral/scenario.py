"""What the simulated CA does with the next orders placed: the scenario controls.

A scenario is captured by each order when it is placed, so changing it later does not
change orders already placed. ``polls`` counts ``GET order/certificate/{id}`` reads.

========== ==================================================================
kind       behaviour
========== ==================================================================
issue      issued at once; the order answer carries ``certificate_chain``
pending    ``pending`` for ``polls`` reads, then ``issued``
dcv        ``pending``; ``check-dcv`` fails with DigiCert's DCV error until the
           client changes the DCV method or resends the DCV emails (or, when
           ``polls`` > 0, until DigiCert's own DCV polling succeeds after that
           many reads); then ``issued``
approval   ``needs_approval`` until ``PUT request/{id}/status`` approves it (or
           ``polls`` reads pass, when > 0); then ``issued``
reject     ``pending`` for ``polls`` reads, then ``rejected`` with ``reason``
cancel     ``pending`` for ``polls`` reads, then ``canceled`` (by the CA)
========== ==================================================================
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["issue", "pending", "dcv", "approval", "reject", "cancel"]
KINDS: tuple[str, ...] = ("issue", "pending", "dcv", "approval", "reject", "cancel")


@dataclass(frozen=True)
class Scenario:
    """How orders placed from now on behave (see the module table)."""

    kind: Kind = "issue"
    polls: int = 0
    reason: str = "Organization validation failed: the organization could not be verified."

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown scenario kind {self.kind!r}; use one of {KINDS}")
        if self.polls < 0:
            raise ValueError("polls must be >= 0")


@dataclass
class Fault:
    """An answer given instead of the real one to the next ``count`` API requests."""

    status: int
    count: int
    retry_after: int | None = None
