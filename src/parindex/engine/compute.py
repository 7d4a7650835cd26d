"""Index, rank, rating and change for many units at once (DESIGN §4).

:func:`compute` takes a framework, every unit's leaf scores and optionally unit groups,
metrics, a rating scheme and a previous result, and returns one :class:`UnitResult` per
unit, ordered by group, then rank, then unit code. It is the single implementation used
by ``parindex compute`` and by the web application.

Scores come either as a mapping ``{unit: {leaf code: Decimal | NA}}`` or as a
:class:`ScoreTable` (flat arrays, what the CSV reader builds for speed). A missing leaf
counts 0 points and is listed in :attr:`UnitResult.missing` (except bonus/penalty leaves,
where no score just means no bonus or penalty); a leaf whose rule is
``metric`` and has no score takes its value from the unit's metrics when present.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

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
    """Leaf points of many units as one flat list, ``len(units) × n_leaves`` long.

    ``values[u * n_leaves + j]`` is unit ``u``'s points for leaf ``j`` (in the order of
    :attr:`CompiledFramework.leaf_codes`) in millionths, :data:`NOT_APPLICABLE` for N/A
    or :data:`MISSING`.
    """

    leaf_codes: tuple[str, ...]
    units: list[str]
    values: list[int]


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
) -> list[UnitResult]:
    """First stage of :func:`compute`: points, maxima and areas of every unit (no ranks).

    With ``include_unscored``, units of ``units`` absent from the table are added, all
    missing. Separate from :func:`finish` so that a caller can score parts of a large
    table independently (``parindex compute`` does, on two cores) and finish once.
    """
    if table.leaf_codes != cf.leaf_codes:
        raise ComputeError(["bảng điểm được đọc theo một bộ tiêu chí khác"])
    L = cf.n_leaves
    unit_ids = list(table.units)
    values = table.values
    if units is not None:
        unknown = [u for u in unit_ids if u not in units]
        if unknown:
            raise ComputeError([f"đơn vị {u} không có trong danh sách đơn vị" for u in unknown])
        present = set(unit_ids)
        extra = [u for u in units if u not in present] if include_unscored else []
        if extra:
            unit_ids += extra
            values = values + [MISSING] * (L * len(extra))
    metric_leaves = [
        (j, rule, cf.leaf_max_decimal[j], str(rule.params.get("metric", "")))
        for j, rule in enumerate(cf.leaf_rules)
        if rule is not None and rule.type == "metric"
    ]
    fast = cf.fast
    general = cf.general
    n_areas = len(cf.area_codes)
    area_numbers = cf.area_numbers
    root_max = cf.declared[-1]
    # An area may itself be a leaf (number < L): its maximum is the leaf's, not a parent's.
    area_max = tuple(cf.leaf_max[n] if n < L else cf.declared[n - L] for n in area_numbers)
    leaf_codes = cf.leaf_codes
    area_codes = cf.area_codes
    empty_info = UnitInfo()
    # A bonus/penalty leaf without a score simply means no bonus / no penalty.
    adjustment = {j for j, n in enumerate(cf.leaf_nodes) if n.source in ADJUSTMENT_SOURCES}
    problems: list[str] = []
    results: list[UnitResult] = []
    for u, unit in enumerate(unit_ids):
        row = values[u * L : (u + 1) * L]
        if metric_leaves and metrics is not None:
            um = metrics.get(unit)
            if um:
                for j, rule, mx, name in metric_leaves:
                    if row[j] == MISSING and name in um:
                        try:
                            row[j] = to_micro(points_for(rule, mx, um[name]))
                        except RuleInputError as exc:
                            problems.append(f"{unit}, {leaf_codes[j]} ({name}): {exc}")
        missing: tuple[str, ...] = ()
        # The common case, every leaf scored and applicable, needs neither check below.
        common = bool(row) and min(row) >= 0
        if not common and MISSING in row:
            missing = tuple(
                leaf_codes[j] for j, x in enumerate(row) if x == MISSING and j not in adjustment
            )
            row = [0 if x == MISSING else x for x in row]
        if not common and NOT_APPLICABLE in row:
            g_pts, g_app = general(row)
            a_pts = g_pts[:n_areas]
            a_max = g_app[:n_areas]
            total, total_max = g_pts[n_areas], g_app[n_areas]
        else:
            out = fast(row)
            a_pts, a_max, total, total_max = out[:n_areas], area_max, out[n_areas], root_max
        info = empty_info if units is None else units.get(unit, empty_info)
        results.append(
            UnitResult(
                unit, info.name, info.group, total, total_max, area_codes, a_pts, a_max, missing
            )
        )
    if problems:
        raise ComputeError(problems)
    return results


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
    "finish",
    "score_units",
    "table_from_mapping",
]
