"""Head-of-unit accountability (seed 002, Khánh Hòa): which units, and so which heads,
a cycle's ratings call to account.

A unit is caught when it is rated one of ``once`` this year, or rated ``consecutive``
(or lower) ``years`` years in a row; its head cannot be rated "hoàn thành tốt nhiệm vụ"
or better when the unit is at or below ``head_not_good_at_or_below``. Pure: plain data
in, the reasons (Vietnamese) out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["AccountabilityRule", "accountability", "rating_history"]


@dataclass(frozen=True, slots=True)
class AccountabilityRule:
    consecutive_class: str | None = None
    years: int = 0
    once: frozenset[str] = frozenset()
    head_limit: str | None = None

    @classmethod
    def from_config(cls, rule: Mapping[str, Any]) -> AccountabilityRule:
        """From the stored JSON ``{consecutive: {class, years}, once: [...],
        head_not_good_at_or_below}``."""
        consecutive = rule.get("consecutive") or {}
        return cls(
            consecutive_class=consecutive.get("class") or None,
            years=int(consecutive.get("years") or 0),
            once=frozenset(rule.get("once") or []),
            head_limit=rule.get("head_not_good_at_or_below") or None,
        )


def _at_or_below(rating: str, limit: str | None, pos: Mapping[str, int]) -> bool:
    if not rating or not limit:
        return False
    if rating in pos and limit in pos:
        return pos[rating] >= pos[limit]
    return rating == limit


def rating_history(
    year: int,
    rating: str,
    previous_unit: int | None,
    past: Mapping[int, Mapping[int, tuple[str, int | None]]],
) -> list[tuple[int, str]]:
    """(year, rating), this year first, going back one year at a time through the unit
    each result was compared with (``past[unit][year] = (rating, its previous unit)``),
    and stopping at the first gap."""
    history = [(year, rating)]
    link, y = previous_unit, year - 1
    while link is not None and y in past.get(link, {}):
        r, nxt = past[link][y]
        history.append((y, r))
        link, y = nxt, y - 1
    return history


def accountability(
    history: Sequence[tuple[int, str]], rule: AccountabilityRule, class_order: Sequence[str]
) -> list[str]:
    """Why the unit with ``history`` ((year, rating), this year first) is caught by
    ``rule`` (an empty list when it is not); ``class_order`` = classes highest first."""
    pos = {n: i for i, n in enumerate(class_order)}
    year, rating = history[0]
    reasons = []
    if rating in rule.once:
        reasons.append(f"Năm {year} xếp loại {rating}.")
    if rule.years and rule.consecutive_class:
        run = history[: rule.years]
        if len(run) == rule.years and all(
            _at_or_below(r, rule.consecutive_class, pos) for _, r in run
        ):
            years = ", ".join(str(y) for y, _ in reversed(run))
            reasons.append(
                f"{rule.years} năm liên tục ({years}) xếp loại {rule.consecutive_class}."
            )
    if rule.head_limit and _at_or_below(rating, rule.head_limit, pos):
        reasons.append(
            f"Xếp loại CCHC {rating} (từ {rule.head_limit} trở xuống): người đứng đầu "
            "không được xếp loại hoàn thành tốt nhiệm vụ trở lên."
        )
    return reasons
