"""The Decision 766 service index as data: a versioned catalogue and what dossiers support.

An indicator has a maximum (``None``: informational, no points), an optional threshold in
percent and a ``formula``: one of :data:`DOSSIER_FORMULAS` (computed from dossier files),
``survey`` (satisfaction 5.4, from the surveys when present) or ``external`` (data the
dossier files do not carry: publication, sync, PAKN…). Score of a ratio ``r`` (percent):
``min(max, max × r / threshold)`` with a threshold, else ``max × r / 100``. A denominator
of 0, or a field missing from the file, gives N/A (``None``), not 0.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

#: Formula id → (numerator, denominator) fields of :class:`DossierTotals`.
DOSSIER_FORMULAS: dict[str, tuple[str, str]] = {
    "progress": ("on_time", "counted"),  # 2.1: (early + on time + open within) / counted
    "online": ("online", "received"),  # 3.3: KenhThucHien = 2 / received in the period
    "online_payment": ("paid_online", "with_fee"),  # 3.6: paid online / dossiers with a fee
    "e_result": ("e_result", "finished"),  # 4.1: electronic result / finished dossiers
    "digitised": ("digitised", "received"),  # 4.2: a digitised component / received
    "reused": ("reused", "received"),  # 4.3: reused digitised data / received
}
#: Fields of :class:`DossierTotals` that need a column of the file (else N/A).
NEEDS_COLUMN = {
    "paid_online": "paid_online",
    "with_fee": "fee",
    "e_result": "result_file",
    "digitised": "digitised",
    "reused": "reused",
}


class Group(NamedTuple):
    """An indicator group (nhóm chỉ số) with its maximum points."""

    code: str
    name: str
    max_points: Decimal


@dataclass(frozen=True, slots=True)
class Indicator:
    """One indicator; ``max_points`` ``None`` = informational (no points)."""

    code: str
    name: str
    group: str
    max_points: Decimal | None
    formula: str
    threshold: Decimal | None = None
    api: str = ""


@dataclass(frozen=True, slots=True)
class Catalogue:
    version: str
    decision: str
    groups: tuple[Group, ...]
    indicators: tuple[Indicator, ...]
    uncertain: bool = False


@dataclass(slots=True)
class DossierTotals:
    """Counts over the dossiers of one unit and period (see :data:`DOSSIER_FORMULAS`).

    ``received``: received in the period (NgayTiepNhan in it, status not 1/3);
    ``counted``/``on_time``: as indicator 2.1; ``finished``: closed in the period.
    ``columns``: the optional fields the file had."""

    counted: int = 0
    on_time: int = 0
    received: int = 0
    online: int = 0
    finished: int = 0
    with_fee: int = 0
    paid_online: int = 0
    e_result: int = 0
    digitised: int = 0
    reused: int = 0
    columns: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class IndicatorResult:
    code: str
    name: str
    group: str
    numerator: int | None
    denominator: int | None
    ratio: Decimal | None
    points: Decimal | None
    max_points: Decimal | None
    note: str = ""


def points(ind: Indicator, ratio: Decimal | None) -> Decimal | None:
    """Points of a ratio in percent; ``None`` when the ratio or the maximum is missing."""
    if ratio is None or ind.max_points is None:
        return None
    if ind.threshold:
        return min(ind.max_points, ind.max_points * ratio / ind.threshold)
    return ind.max_points * ratio / 100


def _ratio(num: int, den: int) -> Decimal | None:
    return None if den == 0 else Decimal(num * 100) / Decimal(den)


def evaluate(
    catalogue: Catalogue,
    totals: DossierTotals,
    *,
    satisfaction: Decimal | None = None,
    decimals: int = 2,
) -> list[IndicatorResult]:
    """Every indicator of ``catalogue`` for one unit: computed where the data supports it,
    N/A (``ratio``/``points`` ``None``) with the reason in ``note`` elsewhere.

    ``satisfaction`` is indicator 5.4's ratio in percent (from the surveys), if known."""
    q = Decimal(1).scaleb(-decimals)
    out = []
    for ind in catalogue.indicators:
        num: int | None = None
        den: int | None = None
        note = ""
        ratio: Decimal | None = None
        if ind.formula in DOSSIER_FORMULAS:
            fn, fd = DOSSIER_FORMULAS[ind.formula]
            lacking = [NEEDS_COLUMN[f] for f in (fn, fd) if f in NEEDS_COLUMN]
            lacking = [c for c in lacking if c not in totals.columns]
            if lacking:
                note = f"tệp hồ sơ thiếu cột {', '.join(sorted(set(lacking)))}"
            else:
                num, den = getattr(totals, fn), getattr(totals, fd)
                ratio = _ratio(num, den)
                note = "" if ratio is not None else "mẫu số bằng 0"
        elif ind.formula == "survey":
            ratio = satisfaction
            note = "" if ratio is not None else "cần kết quả khảo sát (SIPAS / đánh giá hài lòng)"
        else:
            note = "không tính được từ tệp hồ sơ"
        pts = points(ind, ratio)
        out.append(
            IndicatorResult(
                code=ind.code,
                name=ind.name,
                group=ind.group,
                numerator=num,
                denominator=den,
                ratio=None if ratio is None else ratio.quantize(q, ROUND_HALF_UP),
                points=None if pts is None else pts.quantize(q, ROUND_HALF_UP),
                max_points=ind.max_points,
                note=note,
            )
        )
    return out


def catalogue_problems(cat: Catalogue) -> list[str]:
    """Consistency of a catalogue: unique codes, known groups and formulas, the declared
    maxima of a group's indicators not above the group's maximum, groups adding to 100."""
    problems = []
    codes = [i.code for i in cat.indicators]
    problems += [f"mã chỉ số {c} lặp lại" for c in sorted({c for c in codes if codes.count(c) > 1})]
    groups: Mapping[str, Group] = {g.code: g for g in cat.groups}
    known = {*DOSSIER_FORMULAS, "survey", "external"}
    for i in cat.indicators:
        if i.group not in groups:
            problems.append(f"chỉ số {i.code}: nhóm {i.group} không có")
        if i.formula not in known:
            problems.append(f"chỉ số {i.code}: formula {i.formula!r} không rõ")
    for g in cat.groups:
        declared = sum((i.max_points or Decimal(0)) for i in cat.indicators if i.group == g.code)
        if declared > g.max_points:
            problems.append(f"nhóm {g.code}: tổng điểm chỉ số {declared} > {g.max_points}")
    total = sum((g.max_points for g in cat.groups), Decimal(0))
    if total != 100:
        problems.append(f"tổng điểm các nhóm là {total}, không phải 100")
    return problems
