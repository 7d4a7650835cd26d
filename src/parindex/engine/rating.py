"""Rating classes (xếp loại) with capping conditions (DESIGN §4, §5).

A :class:`RatingScheme` lists classes highest first, each with an inclusive lower bound on
the index (Xuất sắc ≥ 90, Tốt ≥ 80, …). The base class is the first whose ``min`` the
index reaches. Each :class:`Condition` compares one metric of the unit (e.g.
``late_dossier_rate >= 5``) and, when met, caps the class at ``cap`` (the unit gets at
most that class); every condition that lowers the class is reported with its reason in
:attr:`Rating.applied` (a condition met by a unit already rated at or below its cap
changes nothing and is not listed).

Missing data: a condition whose metric is not given for a unit does **not** apply (the
unit is not downgraded on a guess) and is listed in :attr:`Rating.missing`, so the
report can say the rating is provisional.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

OPS: dict[str, Callable[[int, int], bool]] = {
    ">=": operator.ge,
    ">": operator.gt,
    "<=": operator.le,
    "<": operator.lt,
    "==": operator.eq,
}


@dataclass(frozen=True, slots=True)
class Condition:
    """``metric op value`` → at most class ``cap``; ``reason`` is shown to users."""

    metric: str
    op: str
    value: Decimal
    cap: str
    reason: str = ""

    def describe(self) -> str:
        return self.reason or f"{self.metric} {self.op} {self.value} → tối đa {self.cap}"


@dataclass(frozen=True, slots=True)
class RatingScheme:
    """Classes as ``(name, min)`` pairs, highest first; conditions that cap the class."""

    classes: tuple[tuple[str, Decimal], ...]
    conditions: tuple[Condition, ...] = ()

    def __post_init__(self) -> None:
        problems = validate_scheme(self)
        if problems:
            raise ValueError("; ".join(problems))


@dataclass(frozen=True, slots=True)
class Rating:
    """Result of :func:`rate`: ``name`` after conditions, ``base_name`` from the index."""

    name: str | None
    base_name: str | None
    applied: tuple[tuple[Condition, str], ...] = ()
    missing: tuple[Condition, ...] = field(default=())

    def reasons(self) -> list[str]:
        """Applied reasons, then the conditions not checked for lack of data."""
        out = [text for _, text in self.applied]
        out += [
            f"không có số liệu {c.metric}: chưa xét điều kiện “{c.describe()}”"
            for c in self.missing
        ]
        return out


def validate_scheme(scheme: RatingScheme) -> list[str]:
    """Problems (Vietnamese) with a scheme: empty classes, duplicate names or thresholds,
    thresholds not strictly descending, unknown operator, cap naming an unknown class."""
    out: list[str] = []
    if not scheme.classes:
        out.append("chưa khai báo mức xếp loại nào")
    names = [n for n, _ in scheme.classes]
    for n in sorted({n for n in names if names.count(n) > 1}):
        out.append(f"mức xếp loại {n!r} bị trùng")
    for (n1, m1), (n2, m2) in zip(scheme.classes, scheme.classes[1:], strict=False):
        if m2 == m1:
            out.append(f"mức {n1!r} và {n2!r} có cùng ngưỡng {m1}")
        elif m2 > m1:
            out.append(
                f"các mức phải xếp từ cao xuống thấp: {n2!r} (≥ {m2}) đứng sau {n1!r} (≥ {m1})"
            )
    for c in scheme.conditions:
        if c.op not in OPS:
            out.append(f"phép so sánh {c.op!r} không hợp lệ (dùng {', '.join(OPS)})")
        if c.cap not in names:
            out.append(f"điều kiện {c.metric}: mức trần {c.cap!r} không có trong các mức")
        if not c.metric:
            out.append("điều kiện thiếu tên chỉ số (metric)")
    return out


#: Per class its lower bound as an integer ratio; per condition the condition, its
#: comparison, its value as an integer ratio, the position of its cap and its description.
Prepared = tuple[
    tuple[tuple[int, int], ...],
    tuple[tuple[Condition, Callable[[int, int], bool], int, int, int, str], ...],
]


def _ratio(x: Decimal | Fraction | int) -> tuple[int, int]:
    return x.as_integer_ratio()


@functools.lru_cache(maxsize=64)
def _prepared(scheme: RatingScheme) -> Prepared:
    lowers = tuple(_ratio(lower) for _, lower in scheme.classes)
    positions = {name: i for i, (name, _) in enumerate(scheme.classes)}
    conditions = tuple(
        (c, OPS[c.op], *_ratio(c.value), positions[c.cap], c.describe()) for c in scheme.conditions
    )
    return lowers, conditions


def rate(
    index: Decimal | Fraction | None,
    metrics: Mapping[str, Decimal] | None,
    scheme: RatingScheme,
) -> Rating:
    """Class of a unit with this (unrounded) index and these metrics under ``scheme``."""
    if index is None:
        return Rating(None, None)
    n, d = _ratio(index)
    return rate_ratio(n, d, metrics, scheme, _prepared(scheme))


def prepare(scheme: RatingScheme) -> Prepared:
    """Thresholds as integer ratios, for :func:`rate_ratio` on many units."""
    return _prepared(scheme)


def rate_ratio(
    num: int,
    den: int,
    metrics: Mapping[str, Decimal] | None,
    scheme: RatingScheme,
    prepared: Prepared,
) -> Rating:
    """:func:`rate` for an index given as the exact ratio ``num / den`` (``den`` > 0)."""
    lowers, conditions = prepared
    pos = None
    for k, (ln, ld) in enumerate(lowers):
        if num * ld >= ln * den:
            pos = k
            break
    if pos is None:
        return Rating(None, None)
    applied: list[tuple[Condition, str]] = []
    missing: list[Condition] = []
    final = pos
    for cond, op, cn, cd, cap_pos, text in conditions:
        value = None if metrics is None else metrics.get(cond.metric)
        if value is None:
            missing.append(cond)
            continue
        vn, vd = value.as_integer_ratio()  # exact: both sides cross-multiplied
        # met, and capping below what the index alone gives
        if op(vn * cd, cn * vd) and cap_pos > pos:
            final = max(final, cap_pos)
            applied.append((cond, f"{text} ({cond.metric} = {value})"))
    return Rating(scheme.classes[final][0], scheme.classes[pos][0], tuple(applied), tuple(missing))
