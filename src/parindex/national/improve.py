"""What-if, cheapest path and rank bands on stored results — the engine's
:mod:`parindex.engine.whatif` and :mod:`parindex.engine.rank_bands` fed with a national
dataset (the province among the other provinces) or an internal cycle (a unit among the
other units of its group). Reads only: nothing here writes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from parindex.engine import aggregate as agg
from parindex.engine.compute import UnitResult as EngineResult
from parindex.engine.rank_bands import RankBand, rank_bands
from parindex.engine.ranking import rank
from parindex.engine.whatif import WhatIf, WhatIfError, cheapest_path, what_if
from parindex.national.analysis import Table
from parindex.national.models import NationalDataset
from parindex.national.selectors import dataset_get, load_table, province_of

#: The rank-band form's defaults (docs/improvement.md): 1,000 draws, ±25 % on each area's
#: weight, seed 2025 — the same answer on every visit.
DEFAULT_DRAWS, DEFAULT_SPREAD, DEFAULT_SEED = 1000, 0.25, 2025
MAX_DRAWS = 20_000


@dataclass(frozen=True, slots=True)
class LeafLine:
    """One leaf on the what-if form: its maximum, its points now."""

    code: str
    name: str
    max_points: Decimal
    points: Decimal | None
    #: ``False`` for a not-applicable leaf (it cannot change).
    applicable: bool = True


@dataclass(slots=True)
class WhatIfPage:
    """What the what-if page shows: the leaves, the answer or the error."""

    unit: str
    name: str
    leaves: list[LeafLine]
    others: int
    answer: WhatIf | None = None
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Question:
    """A what-if question from the form: forward (``targets``) or reverse (``target_rank``)."""

    targets: Mapping[str, Decimal] = field(default_factory=dict)
    target_rank: int | None = None
    effort: Mapping[str, Decimal] = field(default_factory=dict)

    @property
    def asked(self) -> bool:
        return bool(self.targets) or self.target_rank is not None


def answer(
    cf: agg.CompiledFramework,
    leaf_points: Mapping[str, Decimal | agg._NAType],
    others: Sequence[tuple[int, int]],
    question: Question,
    *,
    unit: str,
) -> tuple[WhatIf | None, list[str]]:
    """The engine's answer to ``question``, or its problems (Vietnamese)."""
    if not question.asked:
        return None, []
    try:
        if question.target_rank is not None:
            return (
                cheapest_path(
                    cf, leaf_points, question.target_rank, others, unit=unit, effort=question.effort
                ),
                [],
            )
        return what_if(
            cf, leaf_points, question.targets, others, unit=unit, effort=question.effort
        ), []
    except WhatIfError as exc:
        return None, str(exc).splitlines()


def micro(value: Decimal) -> int:
    return agg.to_micro(value)


# --------------------------------------------------------------------------- national


def national_whatif(user: Any, ds: NationalDataset, question: Question) -> WhatIfPage:
    """The home province among the other provinces of the dataset (their totals)."""
    ds = dataset_get(user, ds.pk)
    table = load_table(ds)
    p = province_of(ds, table)
    leaves = table.leaf_points(p)
    lines = [
        LeafLine(n.code, n.name, n.max_points or Decimal(0), leaves.get(n.code))
        for n in table.nodes
        if n.is_leaf
    ]
    top = table.total_max
    others = [
        (micro(t), micro(top))
        for q in table.provinces.values()
        if q.unit_id != p.unit_id and (t := table.total(q)) is not None and top
    ]
    page = WhatIfPage(p.code, p.name, lines, len(others))
    if table.compiled is None:
        page.errors = ["Bộ tiêu chí quốc gia chưa đủ điểm tối đa nên chưa tính được."]
        return page
    page.answer, page.errors = answer(table.compiled, leaves, others, question, unit=p.code)
    return page


def national_bands(
    user: Any, ds: NationalDataset, *, draws: int, spread: float, seed: int
) -> tuple[list[tuple[RankBand, str]], int]:
    """Rank bands of the provinces whose points per area are all known; with the number
    of provinces left out (total only)."""
    ds = dataset_get(user, ds.pk)
    table = load_table(ds)
    if table.compiled is None:
        return [], len(table.provinces)
    results = national_results(table)
    names = {q.code: q.name for q in table.provinces.values()}
    bands = rank_bands(table.compiled, results, draws=draws, spread=spread, seed=seed)
    ordered = sorted(bands, key=lambda b: (b.rank is None, b.rank or 0, names[b.unit]))
    return [(b, names[b.unit]) for b in ordered], len(table.provinces) - len(results)


def national_results(table: Table) -> list[EngineResult]:
    """The provinces with every area's points, as the engine's ranked results."""
    assert table.compiled is not None
    cf = table.compiled
    maxima = [table.maximum(c) for c in cf.area_codes]
    if any(m is None for m in maxima):
        return []
    area_max = tuple(micro(m) for m in maxima if m is not None)
    rows = []
    for q in table.provinces.values():
        pts = [q.points.get(c) for c in cf.area_codes]
        if any(x is None for x in pts):
            continue
        area_pts = tuple(micro(x) for x in pts if x is not None)
        rows.append((q, area_pts))
    totals = [sum(a) for _, a in rows]
    ranks = rank(totals)
    return [
        EngineResult(q.code, q.name, "", sum(a), sum(area_max), cf.area_codes, a, area_max, rank=r)
        for (q, a), r in zip(rows, ranks, strict=True)
    ]
