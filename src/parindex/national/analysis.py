"""The national results of one dataset as plain data: every province's points per node,
the framework's maxima, ranks, and the comparison of a merged province with its
predecessors (docs/improvement.md, "National results").

**Merged provinces.** A province created by the 2025 merges has no result of its own
before 2025; its predecessors' results (``UnitLineage``) stand in for it, combined by
:data:`MERGE_RULE` — ``mean`` (the default: the average of the predecessors' points on each
node, an index-like figure comparable with one province) or ``sum`` — set by the
environment variable ``PARINDEX_NATIONAL_MERGE``. The combined row is labelled
"gồm: tỉnh A, tỉnh B trước sáp nhập".
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from parindex.engine import aggregate as agg
from parindex.engine.framework import Node
from parindex.engine.ranking import rank

MERGE_RULES = ("mean", "sum")


def merge_rule() -> str:
    """``mean`` or ``sum`` (``PARINDEX_NATIONAL_MERGE``; anything else falls back to mean)."""
    rule = os.environ.get("PARINDEX_NATIONAL_MERGE", "mean").strip().lower()
    return rule if rule in MERGE_RULES else "mean"


@dataclass(slots=True)
class Province:
    """One province's points in a dataset: ``points[code]`` (``""`` = total)."""

    unit_id: int
    code: str
    name: str
    region: str = ""
    points: dict[str, Decimal] = field(default_factory=dict)
    #: "gồm: …" when the row combines predecessors of a merged province.
    label: str = ""


@dataclass(frozen=True, slots=True)
class NodeInfo:
    code: str
    name: str
    level: int
    max_points: Decimal | None
    source: str
    is_leaf: bool


@dataclass(slots=True)
class Table:
    """A dataset's provinces with the national framework's nodes (document order)."""

    nodes: list[NodeInfo]
    provinces: dict[int, Province]
    total_max: Decimal | None
    compiled: agg.CompiledFramework | None

    @property
    def areas(self) -> list[NodeInfo]:
        return [n for n in self.nodes if n.level == 1]

    def info(self, code: str) -> NodeInfo | None:
        return next((n for n in self.nodes if n.code == code), None)

    def total(self, p: Province) -> Decimal | None:
        """The province's total: its total row, else the sum of its areas when all known."""
        if "" in p.points:
            return p.points[""]
        areas = [p.points.get(a.code) for a in self.areas]
        if areas and all(x is not None for x in areas):
            return sum((x for x in areas if x is not None), Decimal(0))
        return None

    def value(self, p: Province, code: str) -> Decimal | None:
        return self.total(p) if code == "" else p.points.get(code)

    def maximum(self, code: str) -> Decimal | None:
        if code == "":
            return self.total_max
        n = self.info(code)
        return None if n is None else n.max_points

    def ranks(self, code: str = "", among: Iterable[Province] | None = None) -> dict[int, int]:
        """Competition ranks (1, 2, 2, 4) of the provinces with a value on ``code``."""
        pool = [(p.unit_id, self.value(p, code)) for p in (among or self.provinces.values())]
        known = [(u, v) for u, v in pool if v is not None]
        ranks = rank([v for _, v in known])
        return {u: r for (u, _), r in zip(known, ranks, strict=True) if r is not None}

    def average(self, code: str, among: Iterable[Province] | None = None) -> Decimal | None:
        values = [self.value(p, code) for p in (among or self.provinces.values())]
        known = [v for v in values if v is not None]
        return sum(known, Decimal(0)) / len(known) if known else None

    def best(self, code: str) -> tuple[Province, Decimal] | None:
        pairs = [(p, self.value(p, code)) for p in self.provinces.values()]
        known = [(p, v) for p, v in pairs if v is not None]
        return max(known, key=lambda pv: pv[1]) if known else None

    def leaf_points(self, p: Province) -> dict[str, Decimal]:
        """The province's points on the framework's leaves (those it has)."""
        return {n.code: p.points[n.code] for n in self.nodes if n.is_leaf and n.code in p.points}


def framework_nodes(roots: Sequence[Node]) -> list[NodeInfo]:
    out: list[NodeInfo] = []

    def visit(node: Node, level: int) -> None:
        out.append(
            NodeInfo(node.code, node.name, level, node.max_points, node.source, not node.children)
        )
        for c in node.children:
            visit(c, level + 1)

    for n in roots:
        visit(n, 1)
    return out


def combine(members: Sequence[Province], *, unit_id: int, code: str, name: str) -> Province:
    """The predecessors' rows as one row (:func:`merge_rule`), labelled with their names."""
    rule = merge_rule()
    codes = set.intersection(*(set(m.points) for m in members)) if members else set()
    points = {}
    for c in codes:
        total = sum((m.points[c] for m in members), Decimal(0))
        points[c] = total if rule == "sum" else total / len(members)
    names = ", ".join(m.name for m in members)
    how = "cộng" if rule == "sum" else "trung bình"
    return Province(
        unit_id,
        code,
        name,
        next((m.region for m in members if m.region), ""),
        points,
        f"gồm: {names} trước sáp nhập ({how} điểm)",
    )
