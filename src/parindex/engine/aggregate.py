"""Aggregation: leaf points → criterion, area and unit points and indices (DESIGN §4).

Arithmetic is exact integer fixed point: points are held as integers in millionths
(``micro`` = points × 10⁶), so every input with up to 6 decimals is exact; indices are
exact fractions (:class:`fractions.Fraction`) and are rounded only for display.

Semantics:

* A leaf is scored (points), not applicable (:data:`NA`), or missing. A missing leaf
  counts as 0 points and is reported in :attr:`UnitScore.missing`.
* A parent's points = sum of its regular children + bonus children − penalty children,
  clamped to ``[0, applicable max]``. Bonus/penalty maxima never count in a maximum.
* N/A removes both the points and the maximum of a leaf. A parent whose regular children
  are all N/A is itself N/A (for a parent made only of bonus/penalty children: all of
  them). A parent's applicable maximum is its declared maximum when nothing below it is
  N/A; otherwise, with ``S`` = sum of its regular children's declared maxima and ``A`` =
  the sum of their applicable maxima: ``min(max, A)`` when ``S ≥ max`` (children over-fill
  a capped parent) and ``A + (max − S)`` when ``S < max`` (a declared gap is kept). When the
  children add up to the parent (the validated case) both give ``A``.
* Index = points / applicable max × 100; ``None`` when the applicable max is 0 or N/A.
* The unit total is the framework's root: areas summed the same way, declared maximum
  = the framework's ``total`` (or the sum of the regular areas when not declared).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Final

from parindex.engine.framework import ADJUSTMENT_SOURCES, Framework, Node, Rule
from parindex.engine.numtext import range_text

MICRO: Final = 1_000_000


class _NAType:
    """The "not applicable" marker (một tiêu chí không áp dụng cho đơn vị)."""

    _instance: _NAType | None = None

    def __new__(cls) -> _NAType:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "NA"

    def __reduce__(self) -> str:
        return "NA"


#: Not applicable. ``leaf_points[code] = NA``.
NA: Final = _NAType()

REGULAR, BONUS, PENALTY = 0, 1, 2


def to_micro(points: Decimal | int) -> int:
    """Exact integer millionths; ``ValueError`` when more than 6 decimals are needed."""
    scaled = Decimal(points).scaleb(6)
    if scaled != scaled.to_integral_value():
        raise ValueError(f"điểm {points} có quá 6 chữ số thập phân")
    return int(scaled)


def from_micro(micro: int) -> Decimal:
    """``Decimal`` points from millionths, without trailing zeros (5, 2.5, 0.125)."""
    if micro % MICRO == 0:
        return Decimal(micro // MICRO)
    d = Decimal(micro).scaleb(-6).normalize()
    return d


def index_fraction(points_micro: int, max_micro: int | None) -> Fraction | None:
    """Exact index ``points / max × 100``, or ``None`` when max is 0 or N/A."""
    if not max_micro:
        return None
    return Fraction(points_micro * 100, max_micro)


def fraction_to_decimal(x: Fraction) -> Decimal:
    """A Fraction as Decimal with 28 significant digits (exact when it terminates)."""
    return Decimal(x.numerator) / Decimal(x.denominator)


def kind_of(node: Node) -> int:
    if node.source == "bonus":
        return BONUS
    if node.source == "penalty":
        return PENALTY
    return REGULAR


class CompiledFramework:
    """A validated framework flattened into arrays for scoring many units.

    Nodes are numbered leaves first (``0 … L-1``, document order), then parents in
    post-order, then the root (the unit total) last. Build it with :func:`compile_framework`.
    """

    def __init__(self, fw: Framework) -> None:
        leaves = list(fw.leaves())
        self.framework = fw
        self.leaf_codes: tuple[str, ...] = tuple(n.code for n in leaves)
        self.leaf_index: dict[str, int] = {c: i for i, c in enumerate(self.leaf_codes)}
        self.leaf_nodes: tuple[Node, ...] = tuple(leaves)
        self.leaf_rules: tuple[Rule | None, ...] = tuple(n.rule for n in leaves)
        self.leaf_max: list[int] = [to_micro(_need_max(n)) for n in leaves]
        self.leaf_max_decimal: tuple[Decimal, ...] = tuple(_need_max(n) for n in leaves)
        self.area_codes: tuple[str, ...] = tuple(a.code for a in fw.nodes)
        self.codes: list[str] = list(self.leaf_codes)
        # Parent tables (index = node number − L).
        self.children: list[list[tuple[int, int]]] = []
        self.declared: list[int] = []
        self.regular_sum: list[int] = []
        self.has_regular: list[bool] = []
        number: dict[int, int] = {}  # id(node) -> number
        for j, leaf in enumerate(leaves):
            number[id(leaf)] = j

        def visit(node: Node) -> int:
            if node.is_leaf:
                return number[id(node)]
            kids = [(visit(c), kind_of(c)) for c in node.children]
            return self._add_parent(node.code, _need_max(node), node.children, kids)

        area_numbers = [visit(a) for a in fw.nodes]
        total = fw.total
        if total is None:
            total = sum(
                (_need_max(a) for a in fw.nodes if a.source not in ADJUSTMENT_SOURCES),
                Decimal(0),
            )
        self.root = self._add_parent(
            "",
            total,
            fw.nodes,
            [(n, kind_of(a)) for n, a in zip(area_numbers, fw.nodes, strict=True)],
        )
        self.area_numbers: tuple[int, ...] = tuple(area_numbers)
        self.node_number: dict[str, int] = {c: i for i, c in enumerate(self.codes) if c}

    @property
    def n_leaves(self) -> int:
        return len(self.leaf_codes)

    def _add_parent(
        self, code: str, max_points: Decimal, nodes: Sequence[Node], kids: list[tuple[int, int]]
    ) -> int:
        self.codes.append(code)
        self.children.append(kids)
        self.declared.append(to_micro(max_points))
        self.regular_sum.append(
            sum(to_micro(_need_max(n)) for n in nodes if n.source not in ADJUSTMENT_SOURCES)
        )
        self.has_regular.append(any(k == REGULAR for _, k in kids))
        return len(self.codes) - 1

    def evaluate(self, v: Sequence[int | None]) -> tuple[list[int], list[int | None]]:
        """Points and applicable maxima (``None`` = N/A) of every node, in micro.

        ``v[j]`` is leaf ``j``'s points in micro, or ``None`` for N/A (a missing leaf must
        already be 0). The reference evaluator: :mod:`parindex.engine.columnar` does the
        same for many units at once, and the property tests hold the two equal.
        """
        L = self.n_leaves
        pts: list[int] = [0 if x is None else x for x in v]
        app: list[int | None] = [
            None if x is None else m for x, m in zip(v, self.leaf_max, strict=True)
        ]
        for p, kids in enumerate(self.children):
            s = 0
            a_sum = 0
            alive = False
            has_regular = self.has_regular[p]
            for c, kind in kids:
                a = app[c]
                if a is None:
                    continue
                if kind == REGULAR:
                    s += pts[c]
                    a_sum += a
                    alive = True
                elif kind == BONUS:
                    s += pts[c]
                    alive = alive or not has_regular
                else:
                    s -= pts[c]
                    alive = alive or not has_regular
            if not alive:
                pts.append(0)
                app.append(None)
                continue
            declared = self.declared[p]
            rs = self.regular_sum[p]
            if not has_regular or a_sum == rs:
                m = declared
            elif rs >= declared:
                m = min(declared, a_sum)
            else:
                m = a_sum + declared - rs
            pts.append(0 if s < 0 else (m if s > m else s))
            app.append(m)
        assert len(pts) == L + len(self.children)
        return pts, app


def _need_max(node: Node) -> Decimal:
    if node.max_points is None:
        raise ValueError(f"{node.code}: chưa rõ điểm tối đa")
    return node.max_points


def compile_framework(fw: Framework) -> CompiledFramework:
    """Flatten ``fw``. Raises ``ValueError`` listing every issue of an invalid framework."""
    from parindex.engine.framework import validate_framework

    issues = validate_framework(fw)
    if issues:
        raise FrameworkRefused(issues)
    return CompiledFramework(fw)


class FrameworkRefused(ValueError):
    """The framework has errors or unknown maxima; scores are not computed on it."""

    def __init__(self, issues: Sequence[object]) -> None:
        self.issues = list(issues)
        super().__init__(
            "bộ tiêu chí chưa hợp lệ, không tính điểm:\n" + "\n".join(str(i) for i in issues)
        )


@dataclass(frozen=True, slots=True)
class NodeScore:
    """Points, applicable maximum (``None`` = N/A) and component index of one node."""

    code: str
    points: Decimal
    max_points: Decimal | None
    index: Fraction | None

    @property
    def applicable(self) -> bool:
        return self.max_points is not None


@dataclass(frozen=True, slots=True)
class UnitScore:
    """One unit's scores: total, every node by code, and the leaves with no score."""

    points: Decimal
    max_points: Decimal | None
    index: Fraction | None
    nodes: Mapping[str, NodeScore]
    missing: tuple[str, ...]


def aggregate(
    framework: Framework | CompiledFramework,
    leaf_points: Mapping[str, Decimal | int | _NAType],
) -> UnitScore:
    """Aggregate one unit's leaf points (Decimal, or :data:`NA`) up the tree.

    Leaves absent from ``leaf_points`` count 0 and are listed in ``missing``. Raises
    ``ValueError`` for an unknown code, a code that is not a leaf, or points outside
    ``[0, max]`` of the leaf.
    """
    cf = framework if isinstance(framework, CompiledFramework) else compile_framework(framework)
    v: list[int | None] = [0] * cf.n_leaves
    seen = [False] * cf.n_leaves
    for code, value in leaf_points.items():
        j = cf.leaf_index.get(code)
        if j is None:
            kind = "không phải tiêu chí lá" if code in cf.node_number else "không có"
            raise ValueError(f"mã {code}: {kind} trong bộ tiêu chí")
        seen[j] = True
        if isinstance(value, _NAType):
            v[j] = None
            continue
        micro = to_micro(value)
        if micro < 0 or micro > cf.leaf_max[j]:
            raise ValueError(
                f"mã {code}: điểm {value} nằm ngoài khoảng {range_text(0, cf.leaf_max_decimal[j])}"
            )
        v[j] = micro
    pts, app = cf.evaluate(v)
    nodes: dict[str, NodeScore] = {}
    for n, code in enumerate(cf.codes):
        if not code:
            continue
        a = app[n]
        nodes[code] = NodeScore(
            code,
            from_micro(pts[n]),
            None if a is None else from_micro(a),
            index_fraction(pts[n], a),
        )
    r = cf.root
    ra = app[r]
    return UnitScore(
        points=from_micro(pts[r]),
        max_points=None if ra is None else from_micro(ra),
        index=index_fraction(pts[r], ra),
        nodes=nodes,
        missing=tuple(c for c, s in zip(cf.leaf_codes, seen, strict=True) if not s),
    )
