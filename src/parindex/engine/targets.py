"""Points of a statistic leaf from the target register (issue 12 part 9): pure rules.

Each register row has a target, an actual value and a formula:

* ``ratio`` (the default): the row's share is ``min(1, actual / target)``: full points when
  the actual reaches the target, else in proportion (public-investment disbursement with a
  target of 95 % gets full points at ≥ 95 %);
* ``threshold``: all or nothing, 1 when ``actual ≥ target`` else 0;
* ``rule``: the leaf's own scoring rule with the actual as its input (a band table such
  as "80–95 %: 1 point, ≥ 95 %: 2 points"); the caller scores it and passes ``points``.

A leaf fed by several rows (the four financial-autonomy groups, "+1 unit in each group")
gets the mean of their shares. Points = ``max × share``, rounded half-even to the 3
decimals a leaf's points may have (the engine rounds half-even, ``rules._to_decimal``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction

__all__ = ["FORMULAS", "TargetRow", "row_share", "target_points"]

#: formula code → Vietnamese label.
FORMULAS = {
    "ratio": "Tỷ lệ thực hiện/chỉ tiêu (đủ điểm khi đạt chỉ tiêu)",
    "threshold": "Đạt/không đạt chỉ tiêu",
    "rule": "Theo cách chấm của tiêu chí (số thực hiện là giá trị đầu vào)",
}
POINT_PLACES = Decimal("0.001")


@dataclass(frozen=True)
class TargetRow:
    target: Decimal
    actual: Decimal | None
    formula: str = "ratio"
    #: For ``rule``: the points the leaf's rule gives the actual (scored by the caller).
    points: Decimal | None = None


def row_share(row: TargetRow, maximum: Decimal) -> Fraction | None:
    """The row's share of the leaf in [0, 1]; None while the actual is unknown."""
    if row.actual is None:
        return None
    if row.formula not in FORMULAS:
        raise ValueError(f"cách tính “{row.formula}” không có")
    if row.formula == "rule":
        if row.points is None or maximum <= 0:
            raise ValueError("cách tính theo tiêu chí cần điểm theo cách chấm của tiêu chí")
        return max(Fraction(0), min(Fraction(1), Fraction(row.points) / Fraction(maximum)))
    actual, target = Fraction(row.actual), Fraction(row.target)
    if target <= 0:
        return Fraction(1) if actual >= target else Fraction(0)
    if row.formula == "threshold":
        return Fraction(1) if actual >= target else Fraction(0)
    return max(Fraction(0), min(Fraction(1), actual / target))


def target_points(maximum: Decimal, rows: Sequence[TargetRow]) -> Decimal | None:
    """The leaf's points from its rows; None when no row has an actual value yet."""
    shares = [s for s in (row_share(r, maximum) for r in rows) if s is not None]
    if not shares:
        return None
    share = sum(shares, Fraction(0)) / len(shares)
    exact = Fraction(maximum) * share
    return (Decimal(exact.numerator) / Decimal(exact.denominator)).quantize(
        POINT_PLACES, rounding=ROUND_HALF_EVEN
    )
