"""Rank uncertainty (issue 12, part 4): Monte Carlo rank bands, as COINr and the JRC/OECD
handbook on composite indicators do it.

Each draw multiplies every area's maximum by an independent factor ``f`` uniform in
``[1 − s, 1 + s]`` (``s`` = weight spread, the same factors for every unit of the draw) and
scales that area's points in proportion, so the area keeps its component index and only its
weight in the total changes. The unit's index in the draw is

    index = clamp(Σ f_a · sign_a · points_a, 0, Σ f_a · max_a) / Σ f_a · max_a × 100

over the unit's applicable areas (``sign`` −1 for a penalty area; bonus and penalty areas
add no maximum) — with every ``f`` = 1 this is exactly the engine's index. Units are ranked
within their group in every draw (competition ranking, 1, 2, 2, 4).

**Survey sampling error.** Where an area's points come with a known interval (e.g. the 95%
confidence interval of a SIPAS or survey index, converted to points), the area's points are
also drawn in each draw: normal around the computed points with standard deviation
``(high − low) / (2 × 1.96)`` (the interval read as a 95% interval), clipped to
``[0, area max]``, independently per unit and draw.

**Percentiles.** For each unit, p05, p50 and p95 are the inverted-CDF percentiles of its
ranks over the draws (Hyndman–Fan definition 1, numpy's ``method="inverted_cdf"``): the
smallest rank ``r`` such that at least ``q × N`` of the ``N`` draws rank the unit ``r`` or
better. They are always ranks that occurred. With ``s = 0`` and no intervals nothing
varies, so the draws are skipped and ``p05 = p50 = p95 = rank`` exactly.

Draws use numpy's PCG64 generator seeded with ``seed``: the same inputs and seed give the
same bands on every machine. numpy is imported inside :func:`rank_bands` only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Final

from parindex.engine.aggregate import CompiledFramework
from parindex.engine.compute import UnitResult

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

#: The percentiles reported, in percent.
PERCENTILES: Final = (5, 50, 95)
#: z of a two-sided 95% interval: an interval of width w has standard deviation w / 3.92.
Z95: Final = 1.959963984540054


@dataclass(frozen=True, slots=True)
class RankBand:
    """A unit's computed rank and its 5th, 50th, 95th percentile rank over the draws."""

    unit: str
    group: str
    rank: int | None
    p05: int | None
    p50: int | None
    p95: int | None


def rank_bands(
    cf: CompiledFramework,
    results: Sequence[UnitResult],
    *,
    draws: int,
    spread: float,
    seed: int,
    intervals: Mapping[tuple[str, str], tuple[Decimal, Decimal]] | None = None,
) -> list[RankBand]:
    """Rank bands of ``results`` (ranked, as :func:`parindex.engine.compute.compute` returns).

    ``intervals`` maps ``(unit, area code)`` to ``(low, high)`` points. Units without an
    index (nothing applicable) get no rank and no band. Raises ``ValueError`` for
    ``draws < 1``, a spread outside ``[0, 1]``, or an interval on an unknown unit or area,
    or with ``low > high``.
    """
    if draws < 1:
        raise ValueError(f"số lượt mô phỏng phải từ 1 trở lên (nhận {draws})")
    if not 0 <= spread <= 1:
        raise ValueError(f"độ dao động trọng số phải trong [0, 1] (nhận {spread})")
    cells = _interval_cells(cf, results, intervals or {})
    if spread == 0 and not cells:
        return [RankBand(r.unit, r.group, r.rank, r.rank, r.rank, r.rank) for r in results]
    import numpy as np

    ranks = draw_ranks(cf, results, draws=draws, spread=spread, seed=seed, cells=cells)
    ordered = np.sort(ranks, axis=0)
    picks = [max(-(-draws * q // 100), 1) - 1 for q in PERCENTILES]
    bands = ordered[picks, :]
    out = []
    for u, r in enumerate(results):
        if r.rank is None:
            out.append(RankBand(r.unit, r.group, None, None, None, None))
        else:
            lo, mid, hi = (int(x) for x in bands[:, u])
            out.append(RankBand(r.unit, r.group, r.rank, lo, mid, hi))
    return out


def draw_ranks(
    cf: CompiledFramework,
    results: Sequence[UnitResult],
    *,
    draws: int,
    spread: float,
    seed: int,
    cells: Sequence[tuple[int, int, float, float]] = (),
) -> npt.NDArray[np.int64]:
    """Ranks within the group in every draw: an int array ``draws × units`` (0 = no rank).

    ``cells`` are the interval cells ``(unit number, area number, σ, area max)``.
    """
    import numpy as np

    n_units, n_areas = len(results), len(cf.area_codes)
    sign = np.array([-1.0 if _is_penalty(cf, a) else 1.0 for a in range(n_areas)])
    regular = np.array([0.0 if _is_adjustment(cf, a) else 1.0 for a in range(n_areas)])
    points = np.zeros((n_units, n_areas))
    maxima = np.zeros((n_units, n_areas))
    for u, r in enumerate(results):
        for a, (p, m) in enumerate(zip(r.area_points_micro, r.area_max_micro, strict=True)):
            if m is not None:
                points[u, a] = p / 1e6
                maxima[u, a] = m / 1e6
    rng = np.random.default_rng(seed)
    factors = rng.uniform(1.0 - spread, 1.0 + spread, size=(draws, n_areas))
    num = factors @ (points * sign).T
    den = factors @ (maxima * regular).T
    if cells:
        us = np.array([c[0] for c in cells])
        areas = np.array([c[1] for c in cells])
        sigma = np.array([c[2] for c in cells])
        top = np.array([c[3] for c in cells])
        base = points[us, areas]
        noise = rng.standard_normal((draws, len(cells)))
        delta = np.clip(base + sigma * noise, 0.0, top) - base
        np.add.at(num.T, us, (factors[:, areas] * sign[areas] * delta).T)
    has_index = np.array([r.max_micro is not None and r.max_micro > 0 for r in results])
    safe = np.where(has_index, den, 1.0)
    index = np.clip(num, 0.0, safe) / safe
    ranks = np.zeros((draws, n_units), dtype=np.int64)
    groups: dict[str, list[int]] = {}
    for u, r in enumerate(results):
        if has_index[u]:
            groups.setdefault(r.group, []).append(u)
    for members in groups.values():
        cols = np.array(members)
        ranks[:, cols] = competition_ranks(index[:, cols])
    return ranks


def competition_ranks(values: npt.NDArray[np.float64]) -> npt.NDArray[np.int64]:
    """Row-wise competition ranks, highest first: ``[[3, 5, 5, 1]] → [[3, 1, 1, 4]]``."""
    import numpy as np

    draws, n = values.shape
    order = np.argsort(-values, axis=1, kind="stable")
    ordered = np.take_along_axis(values, order, axis=1)
    positions = np.broadcast_to(np.arange(1, n + 1), (draws, n))
    new_value = np.ones((draws, n), dtype=bool)
    new_value[:, 1:] = ordered[:, 1:] != ordered[:, :-1]
    first = np.maximum.accumulate(np.where(new_value, positions, 0), axis=1)
    out = np.empty((draws, n), dtype=np.int64)
    np.put_along_axis(out, order, first, axis=1)
    return out


def _is_penalty(cf: CompiledFramework, a: int) -> bool:
    return cf.framework.nodes[a].source == "penalty"


def _is_adjustment(cf: CompiledFramework, a: int) -> bool:
    return cf.framework.nodes[a].source in ("bonus", "penalty")


def _interval_cells(
    cf: CompiledFramework,
    results: Sequence[UnitResult],
    intervals: Mapping[tuple[str, str], tuple[Decimal, Decimal]],
) -> list[tuple[int, int, float, float]]:
    unit_number = {r.unit: u for u, r in enumerate(results)}
    area_number = {c: a for a, c in enumerate(cf.area_codes)}
    cells = []
    problems = []
    for (unit, code), (low, high) in intervals.items():
        u, a = unit_number.get(unit), area_number.get(code)
        if u is None:
            problems.append(f"khoảng tin cậy: đơn vị {unit} không có trong kết quả")
        elif a is None:
            problems.append(f"khoảng tin cậy: mã {code} không phải lĩnh vực của bộ tiêu chí")
        elif low > high:
            problems.append(
                f"khoảng tin cậy {unit}, {code}: cận dưới {low} lớn hơn cận trên {high}"
            )
        else:
            m = results[u].area_max_micro[a]
            if m is not None and high > low:
                cells.append((u, a, float(high - low) / (2 * Z95), m / 1e6))
    if problems:
        raise ValueError("\n".join(problems))
    return cells


__all__ = ["PERCENTILES", "RankBand", "competition_ranks", "draw_ranks", "rank_bands"]
