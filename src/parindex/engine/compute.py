"""Index, rank, rating and change for many units at once (DESIGN §4).

:func:`compute` takes a framework, every unit's leaf scores and optionally unit groups,
metrics, a rating scheme and a previous result, and returns one :class:`UnitResult` per
unit, ordered by group, then rank, then unit code. It is the single implementation used
by ``parindex compute`` and by the web application.

Scores come either as a mapping ``{unit: {leaf code: Decimal | NA}}`` or as a
:class:`ScoreTable` (one flat column, what the CSV reader builds). Large tables are
evaluated column-wise with Polars (:mod:`parindex.engine.columnar`), small ones unit by
unit with :meth:`CompiledFramework.evaluate`; both give the same results (tested). A missing leaf
counts 0 points and is listed in :attr:`UnitResult.missing` (except bonus/penalty leaves,
where no score just means no bonus or penalty); a leaf whose rule is
``metric`` and has no score takes its value from the unit's metrics when present.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING

from parindex.engine.aggregate import (
    NA,
    CompiledFramework,
    NodeScore,
    _NAType,
    compile_framework,
    fraction_to_decimal,
    from_micro,
    index_fraction,
    to_micro,
)
from parindex.engine.framework import ADJUSTMENT_SOURCES, Framework
from parindex.engine.numtext import range_text
from parindex.engine.ranking import rank_ratios
from parindex.engine.rating import Rating, RatingScheme, prepare, rate_ratio
from parindex.engine.rules import RuleInputError, points_for

if TYPE_CHECKING:
    import polars as pl

#: Marks a leaf with no score in :attr:`ScoreTable.values`.
MISSING = -1
#: Marks a not-applicable leaf in :attr:`ScoreTable.values` (kept an int for speed).
NOT_APPLICABLE = -2


class ComputeError(ValueError):
    """Inputs that cannot be computed; ``problems`` lists every reason (Vietnamese)."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


@dataclass(slots=True)
class ScoreTable:
    """Leaf points of many units as one flat column, ``len(units) × n_leaves`` long.

    ``values[u * n_leaves + j]`` is unit ``u``'s points for leaf ``j`` (in the order of
    :attr:`CompiledFramework.leaf_codes`) in millionths, :data:`NOT_APPLICABLE` for N/A
    or :data:`MISSING`. ``flat`` holds them as given: a list, or the ``Int64`` Polars
    series the CSV reader builds (scored without a round trip through Python ints).
    """

    leaf_codes: tuple[str, ...]
    units: list[str]
    flat: list[int] | pl.Series

    @property
    def values(self) -> list[int]:
        return self.flat if isinstance(self.flat, list) else self.flat.to_list()

    def row(self, u: int) -> list[int]:
        """Unit number ``u``'s leaves."""
        L = len(self.leaf_codes)
        return list(self.flat[u * L : (u + 1) * L])


#: Tables of at least this many units are scored column-wise with Polars. Columns win
#: from about 300 units once Polars is loaded; 600 keeps its 0.17 s import out of a process
#: that only scores a province. Measured: benchmarks/bench_columnar_threshold.py.
COLUMNAR_MIN_UNITS = 600


@dataclass(frozen=True, slots=True)
class UnitInfo:
    """A unit's display name and ranking group (``units`` CSV: unit,name,group)."""

    name: str = ""
    group: str = ""


@dataclass(frozen=True, slots=True)
class PreviousResult:
    """What the change columns need from a previous year's result."""

    index: Decimal | None
    rank: int | None


@dataclass(slots=True)
class UnitResult:
    """One unit's result. Points are exact; ``index`` is an exact fraction (rank on it)."""

    unit: str
    name: str
    group: str
    points_micro: int
    max_micro: int | None
    area_codes: tuple[str, ...]
    area_points_micro: tuple[int, ...]
    area_max_micro: tuple[int | None, ...]
    missing: tuple[str, ...] = ()
    rank: int | None = None
    rating: Rating | None = None
    index_change: Fraction | None = None
    rank_change: int | None = None
    previous: PreviousResult | None = field(default=None)
    #: With ``score_units(…, every_node=True)``: the points then the applicable maxima
    #: (``None`` = N/A) of every node of the framework, by node number.
    nodes: tuple[tuple[int, ...], tuple[int | None, ...]] | None = None

    @property
    def index(self) -> Fraction | None:
        """Exact index (points / applicable max × 100); ``None`` when nothing applies."""
        return index_fraction(self.points_micro, self.max_micro)

    @property
    def points(self) -> Decimal:
        return from_micro(self.points_micro)

    @property
    def max_points(self) -> Decimal | None:
        return None if self.max_micro is None else from_micro(self.max_micro)

    @property
    def index_decimal(self) -> Decimal | None:
        return None if self.index is None else fraction_to_decimal(self.index)

    @property
    def areas(self) -> dict[str, NodeScore]:
        """Per-area points, applicable max (``None`` = N/A) and component index."""
        return {
            code: NodeScore(
                code, from_micro(p), None if m is None else from_micro(m), index_fraction(p, m)
            )
            for code, p, m in zip(
                self.area_codes, self.area_points_micro, self.area_max_micro, strict=True
            )
        }


def table_from_mapping(
    cf: CompiledFramework, scores: Mapping[str, Mapping[str, Decimal | int | _NAType]]
) -> ScoreTable:
    """Build a :class:`ScoreTable` from ``{unit: {leaf code: points | NA}}``.

    Raises :class:`ComputeError` listing unknown codes and points outside ``[0, max]``.
    """
    L = cf.n_leaves
    units = list(scores)
    values: list[int] = [MISSING] * (L * len(units))
    problems: list[str] = []
    for u, unit in enumerate(units):
        for code, value in scores[unit].items():
            j = cf.leaf_index.get(code)
            if j is None:
                problems.append(f"{unit}: mã {code} không phải tiêu chí lá của bộ tiêu chí")
                continue
            if isinstance(value, _NAType):
                values[u * L + j] = NOT_APPLICABLE
                continue
            try:
                micro = to_micro(value)
            except (ValueError, ArithmeticError) as exc:
                problems.append(f"{unit}, {code}: {exc}")
                continue
            if micro < 0 or micro > cf.leaf_max[j]:
                problems.append(
                    f"{unit}, {code}: điểm {value} nằm ngoài khoảng "
                    f"{range_text(0, cf.leaf_max_decimal[j])}"
                )
                continue
            values[u * L + j] = micro
    if problems:
        raise ComputeError(problems)
    return ScoreTable(cf.leaf_codes, units, values)


def compute(
    framework: Framework | CompiledFramework,
    scores: ScoreTable | Mapping[str, Mapping[str, Decimal | int | _NAType]],
    units: Mapping[str, UnitInfo] | None = None,
    metrics: Mapping[str, Mapping[str, Decimal]] | None = None,
    rating: RatingScheme | None = None,
    previous: Mapping[str, PreviousResult] | None = None,
) -> list[UnitResult]:
    """Results of every unit (see the module docstring).

    Raises :class:`~parindex.engine.aggregate.FrameworkRefused` when the framework has
    errors or unknown maxima, :class:`ComputeError` for unusable scores (a unit absent
    from ``units`` when ``units`` is given, points out of range, a table built for another
    framework). Units listed in ``units`` without any score are included, all missing.
    """
    cf = framework if isinstance(framework, CompiledFramework) else compile_framework(framework)
    table = scores if isinstance(scores, ScoreTable) else table_from_mapping(cf, scores)
    results = score_units(cf, table, units, metrics)
    return finish(results, metrics, rating, previous)


def score_units(
    cf: CompiledFramework,
    table: ScoreTable,
    units: Mapping[str, UnitInfo] | None = None,
    metrics: Mapping[str, Mapping[str, Decimal]] | None = None,
    include_unscored: bool = True,
    every_node: bool = False,
) -> list[UnitResult]:
    """First stage of :func:`compute`: points, maxima and areas of every unit (no ranks).

    With ``include_unscored``, units of ``units`` absent from the table are added, all
    missing. With ``every_node``, each result also holds every node's points and maxima
    (:attr:`UnitResult.nodes`) of the evaluation that gives its total. Separate from
    :func:`finish` so that a caller can score several tables and rank them together.
    """
    if table.leaf_codes != cf.leaf_codes:
        raise ComputeError(["bảng điểm được đọc theo một bộ tiêu chí khác"])
    L = cf.n_leaves
    unit_ids = list(table.units)
    if units is not None:
        if unknown := [u for u in unit_ids if u not in units]:
            raise ComputeError([f"đơn vị {u} không có trong danh sách đơn vị" for u in unknown])
        present = set(unit_ids)
        extra = [u for u in units if u not in present] if include_unscored else []
        if extra:  # listed without any score: all missing
            flat, blank = table.flat, [MISSING] * (L * len(extra))
            grown = (
                flat + blank
                if isinstance(flat, list)
                else flat.extend_constant(MISSING, len(blank))
            )
            unit_ids += extra
            table = ScoreTable(cf.leaf_codes, unit_ids, grown)
    values, missing_of = _fill_metric_leaves(cf, table, metrics)
    no_info, n = UnitInfo(), len(cf.area_codes)
    info = [no_info if units is None else units.get(unit, no_info) for unit in unit_ids]
    # Per unit: the points of the areas, the total (and every node), then their maxima.
    nodes = [*cf.area_numbers, cf.root, *(range(len(cf.codes)) if every_node else ())]
    k = len(nodes)
    return [
        UnitResult(
            unit,
            i.name,
            i.group,
            r[n],  # type: ignore[arg-type]  # a total's points are never None
            r[k + n],
            cf.area_codes,
            r[:n],  # type: ignore[arg-type]
            r[k : k + n],
            missing_of.get(u, ()),
            nodes=(r[n + 1 : k], r[k + n + 1 :]) if every_node else None,  # type: ignore[arg-type]
        )
        for u, (unit, i, r) in enumerate(
            zip(unit_ids, info, evaluate_units(cf, values, nodes), strict=True)
        )
    ]


def evaluate_units(
    cf: CompiledFramework, values: list[int] | pl.Series, nodes: Sequence[int]
) -> Sequence[tuple[int | None, ...]]:
    """For every unit of a flat unit-major table (a missing leaf counts 0): the points of
    ``nodes`` (numbers of :class:`CompiledFramework`), then their applicable maxima
    (``None`` = N/A). Column-wise from :data:`COLUMNAR_MIN_UNITS` units on, else unit by
    unit with the reference evaluator."""
    L = cf.n_leaves
    if len(values) >= COLUMNAR_MIN_UNITS * L:
        from parindex.engine.columnar import score_columns

        return score_columns(cf, values, nodes)
    flat = values if isinstance(values, list) else values.to_list()
    rows = (flat[k : k + L] for k in range(0, len(flat), L))
    evaluated = (cf.evaluate([None if x == NOT_APPLICABLE else max(x, 0) for x in r]) for r in rows)
    return [(*(p[n] for n in nodes), *(a[n] for n in nodes)) for p, a in evaluated]


def _fill_metric_leaves(
    cf: CompiledFramework,
    table: ScoreTable,
    metrics: Mapping[str, Mapping[str, Decimal]] | None,
) -> tuple[list[int] | pl.Series, dict[int, tuple[str, ...]]]:
    """The table's values with each missing ``metric`` leaf converted from the unit's
    metric when it has one, and the codes still missing per unit number (bonus/penalty
    leaves apart: no score there just means none). :class:`ComputeError` lists every
    metric value a rule refuses."""
    values, L = table.flat, cf.n_leaves
    if isinstance(values, list):
        gaps = [k for k, x in enumerate(values) if x == MISSING]
    else:  # rare in a large table: found column-wise
        gaps = (values == MISSING).arg_true().to_list()
    rules = {j: r for j, r in enumerate(cf.leaf_rules) if r is not None and r.type == "metric"}
    filled: dict[int, int] = {}
    missing: dict[int, list[str]] = {}
    problems: list[str] = []
    for k in gaps:  # unit by unit, leaves in order
        u, j = divmod(k, L)
        rule = rules.get(j) if metrics else None
        name = "" if rule is None else str(rule.params.get("metric", ""))
        um = None if rule is None or metrics is None else metrics.get(table.units[u])
        if rule is not None and um and name in um:
            try:
                filled[k] = to_micro(points_for(rule, cf.leaf_max_decimal[j], um[name]))
            except RuleInputError as exc:
                problems.append(f"{table.units[u]}, {cf.leaf_codes[j]} ({name}): {exc}")
        elif cf.leaf_nodes[j].source not in ADJUSTMENT_SOURCES:
            missing.setdefault(u, []).append(cf.leaf_codes[j])
    if problems:
        raise ComputeError(problems)
    if isinstance(values, list):
        values = list(values) if filled else values
        for k, x in filled.items():
            values[k] = x
    elif filled:
        values = values.clone().scatter(list(filled), list(filled.values()))
    return values, {u: tuple(codes) for u, codes in missing.items()}


def finish(
    results: list[UnitResult],
    metrics: Mapping[str, Mapping[str, Decimal]] | None = None,
    rating: RatingScheme | None = None,
    previous: Mapping[str, PreviousResult] | None = None,
) -> list[UnitResult]:
    """Second stage of :func:`compute`: ranks within groups, ratings, changes, order."""
    ranks = rank_ratios(
        [r.points_micro for r in results],
        [r.max_micro for r in results],
        [r.group for r in results],
    )
    prepared = None if rating is None else prepare(rating)
    for r, rk in zip(results, ranks, strict=True):
        r.rank = rk
        if rating is not None and prepared is not None:
            if r.max_micro:
                r.rating = rate_ratio(
                    r.points_micro * 100,
                    r.max_micro,
                    None if metrics is None else metrics.get(r.unit),
                    rating,
                    prepared,
                )
            else:
                r.rating = Rating(None, None)
        if previous is not None:
            prev = previous.get(r.unit)
            if prev is not None:
                r.previous = prev
                if r.index is not None and prev.index is not None:
                    r.index_change = r.index - Fraction(prev.index)
                if rk is not None and prev.rank is not None:
                    r.rank_change = prev.rank - rk
    results.sort(key=lambda r: (r.group, r.rank is None, r.rank or 0, r.unit))
    return results


__all__ = [
    "MISSING",
    "NA",
    "NOT_APPLICABLE",
    "ComputeError",
    "PreviousResult",
    "ScoreTable",
    "UnitInfo",
    "UnitResult",
    "compute",
    "evaluate_units",
    "finish",
    "score_units",
    "table_from_mapping",
]
