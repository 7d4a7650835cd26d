"""Framework tree: areas → criteria → sub-criteria, with maximum points and rules.

Plain data only. A framework is immutable once built; every other part of the engine
(rules, aggregation, ranking, rating) reads it. ``max_points`` may be ``None`` where the
public sources do not establish a value: such a framework is reported as incomplete by
:func:`validate_framework` and refused by the computation, never guessed.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

#: Where a leaf's points come from (DESIGN §4).
SOURCES: tuple[str, ...] = ("self", "survey", "sipas", "statistic", "bonus", "penalty")
#: Sources whose points are not self-assessed by the unit.
EXTERNAL_SOURCES: frozenset[str] = frozenset({"survey", "sipas", "statistic"})
#: Sources whose maximum is not part of the parent's applicable maximum: bonus points are
#: added on top of the regular children, penalty points are subtracted.
ADJUSTMENT_SOURCES: frozenset[str] = frozenset({"bonus", "penalty"})

#: Rule types of DESIGN §4. ``manual`` (or no rule) means points are given directly.
RULE_TYPES: tuple[str, ...] = (
    "manual",
    "binary",
    "tiers",
    "bands",
    "proportional",
    "count",
    "deduction",
    "survey",
    "metric",
)


@dataclass(frozen=True, slots=True)
class Rule:
    """How a leaf turns an input into points.

    ``type`` is one of :data:`RULE_TYPES`; ``params`` holds the type's parameters exactly
    as written in the framework file (numbers already parsed to ``Decimal``), so that a
    framework round-trips through YAML and Excel unchanged.
    """

    type: str = "manual"
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Node:
    """One node of the framework tree. Depth 1 = area (lĩnh vực), 2 = criterion, 3+ = sub."""

    code: str
    name: str
    max_points: Decimal | None
    source: str = "self"
    rule: Rule | None = None
    guidance: str = ""
    evidence: str = ""
    #: Why the children do not add up to this node's maximum, when they deliberately don't.
    note: str = ""
    children: tuple[Node, ...] = ()

    @property
    def is_leaf(self) -> bool:
        return not self.children

    def walk(self) -> Iterator[Node]:
        """This node and all its descendants, depth first, in document order."""
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass(frozen=True, slots=True)
class Framework:
    """A versioned framework (Bộ tiêu chí). ``nodes`` are the areas."""

    code: str
    name: str
    decision: str = ""
    year: int | None = None
    total: Decimal | None = None
    nodes: tuple[Node, ...] = ()
    #: Free text shown to users, e.g. "Bộ tiêu chí mẫu" for shipped samples.
    label: str = ""

    def walk(self) -> Iterator[Node]:
        for node in self.nodes:
            yield from node.walk()

    def leaves(self) -> Iterator[Node]:
        return (n for n in self.walk() if n.is_leaf)

    def by_code(self) -> dict[str, Node]:
        return {n.code: n for n in self.walk()}

    def parents(self) -> dict[str, str | None]:
        """Map every node code to its parent's code (``None`` for areas)."""
        out: dict[str, str | None] = {}

        def visit(node: Node, parent: str | None) -> None:
            out[node.code] = parent
            for child in node.children:
                visit(child, node.code)

        for area in self.nodes:
            visit(area, None)
        return out


@dataclass(frozen=True, slots=True)
class FrameworkIssue:
    """One problem found in a framework. ``level`` is ``error`` or ``unknown``.

    ``unknown`` marks a value the sources do not establish (a maximum left blank): the
    framework is incomplete rather than wrong, and an admin completes it by importing
    the official table.
    """

    level: str
    code: str
    message: str

    def __str__(self) -> str:
        where = f"{self.code}: " if self.code else ""
        return f"{where}{self.message}"
