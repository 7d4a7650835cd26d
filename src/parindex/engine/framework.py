"""Framework tree: areas → criteria → sub-criteria, with maximum points and rules.

Plain data only. A framework is immutable once built; every other part of the engine
(rules, aggregation, ranking, rating) reads it. ``max_points`` may be ``None`` where the
public sources do not establish a value: such a framework is reported as incomplete by
:func:`validate_framework` and refused by the computation, never guessed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from parindex.engine.numtext import vn_number

#: Where a leaf's points come from (DESIGN §4).
SOURCES: tuple[str, ...] = ("self", "survey", "sipas", "statistic", "bonus", "penalty")
#: Sources whose points are not self-assessed by the unit.
EXTERNAL_SOURCES: frozenset[str] = frozenset({"survey", "sipas", "statistic"})
#: Sources whose maximum is not part of the parent's applicable maximum: bonus points are
#: added on top of the regular children, penalty points are subtracted.
ADJUSTMENT_SOURCES: frozenset[str] = frozenset({"bonus", "penalty"})

#: The deepest tree accepted: depth 1 = area, … 6 (codes like ``1.2.3.4.5.6``). Every part
#: of the app handles depths 1 to 6, mixed in one framework; deeper trees are refused by
#: :func:`validate_framework` and by both readers (YAML, Excel) before they recurse.
MAX_DEPTH = 6

#: Criterion and framework codes: ASCII letters and digits, then also ``.``, ``_``, ``-``
#: (``1.2.3``, ``KQ``, ``par-province-2024``). Codes end up in URLs, file names, CSV cells
#: and HTML ids, so nothing else is accepted. (Their length is the database's business:
#: ``frameworks.services`` refuses codes longer than the columns, 50 and 100.)
CODE_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
CODE_RULE = (
    "chỉ gồm chữ cái không dấu, chữ số, dấu chấm, gạch ngang, gạch dưới và bắt đầu bằng chữ hoặc số"
)


def code_problem(code: str, *, framework: bool = False) -> str | None:
    """Why ``code`` is not an acceptable criterion (or framework) code, or None."""
    if CODE_RE.fullmatch(code):
        return None
    shown = code if len(code) <= 60 else code[:60] + "…"
    what = "mã bộ tiêu chí" if framework else "mã"
    return f"{what} {shown!r} không hợp lệ: {CODE_RULE}"


def too_deep_message(code: str, depth: int) -> str:
    """The one wording of the depth limit (engine validation and both readers)."""
    where = f"mục '{code}'" if code else "một mục"
    return f"Bộ tiêu chí sâu quá {MAX_DEPTH} cấp: {where} ở cấp {depth} (tối đa {MAX_DEPTH} cấp)"


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


def validate_framework(fw: Framework) -> list[FrameworkIssue]:
    """Every problem of ``fw``, in document order (DESIGN §4, last point).

    Level ``error``: duplicate codes, codes outside :data:`CODE_RE`, negative maxima,
    unknown source or rule type, invalid rule parameters, children (excluding bonus/penalty)
    not summing to the parent's maximum without a ``note``, areas (excluding bonus/penalty)
    not summing to the declared total.
    Level ``unknown``: a maximum left blank (``chưa rõ điểm tối đa``). A framework with any
    issue is refused by :func:`parindex.engine.compute.compute`.
    """
    from parindex.engine.rules import rule_problems

    issues: list[FrameworkIssue] = []
    seen: set[str] = set()

    def err(code: str, message: str) -> None:
        issues.append(FrameworkIssue("error", code, message))

    def regular_sum(nodes: tuple[Node, ...]) -> Decimal | None:
        """Sum of the regular maxima; a group made only of bonus/penalty sums them all."""
        only_adjustments = all(n.source in ADJUSTMENT_SOURCES for n in nodes)
        total = Decimal(0)
        for n in nodes:
            if n.source in ADJUSTMENT_SOURCES and not only_adjustments:
                continue
            if n.max_points is None:
                return None
            total += n.max_points
        return total

    deep = _too_deep(fw)
    if deep is not None:
        # Refused before the recursive checks below (a 300-level tree would recurse).
        return [FrameworkIssue("error", deep.code, too_deep_message(deep.code, MAX_DEPTH + 1))]
    if fw.code and (bad := code_problem(fw.code, framework=True)):
        err("", bad)
    for node in fw.walk():
        code = node.code
        if not code or not str(code).strip():
            err(code, f"nút {node.name!r} không có mã")
        elif code in seen:
            err(code, f"mã {code} bị trùng")
        elif bad := code_problem(code):
            err("", f"tiêu chí {node.name[:60]!r}: {bad}")
        seen.add(code)
        if node.max_points is None:
            issues.append(FrameworkIssue("unknown", code, "chưa rõ điểm tối đa"))
        elif node.max_points < 0:
            err(code, f"điểm tối đa {vn_number(node.max_points)} âm")
        if node.source not in SOURCES:
            err(code, f"nguồn điểm không hợp lệ: {node.source!r} (hợp lệ: {', '.join(SOURCES)})")
        if node.rule is not None:
            if node.children:
                err(code, "cách chấm chỉ dùng cho tiêu chí lá (không có tiêu chí con)")
            for reason in rule_problems(node.rule, node.max_points):
                err(code, reason)
        if node.children and node.max_points is not None and not node.note:
            s = regular_sum(node.children)
            if s is not None and s != node.max_points:
                err(
                    code,
                    f"tổng điểm tối đa các tiêu chí con là {_num(s)}, khác điểm tối đa "
                    f"{_num(node.max_points)} của {code} (và không có ghi chú giải thích)",
                )
    if fw.total is not None:
        s = regular_sum(fw.nodes)
        if s is not None and s != fw.total:
            err(
                "",
                f"tổng điểm tối đa các lĩnh vực là {_num(s)}, khác tổng điểm khai báo "
                f"{_num(fw.total)}",
            )
    return issues


def depth_of(fw: Framework) -> int:
    """The depth of the deepest leaf (0 for an empty framework), without recursion."""
    deepest = 0
    stack = [(n, 1) for n in fw.nodes]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((c, depth + 1) for c in node.children)
    return deepest


def _too_deep(fw: Framework) -> Node | None:
    """The first node (document order) below :data:`MAX_DEPTH`, iteratively."""
    stack = [(n, 1) for n in reversed(fw.nodes)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            return node
        stack.extend((c, depth + 1) for c in reversed(node.children))
    return None


def _num(d: Decimal) -> str:
    """Vietnamese notation without trailing zeros: 10, 2,5 (never 1E+1)."""
    return vn_number(d)
