"""Why a unit's rating is lower than its index gives (issue 8, part 4): one short line per
applied condition ("Hạ xếp loại: tỷ lệ hồ sơ trễ hạn 6,5% ≥ 5%", decimal comma), and the
legal source of each condition once, as a note under the table (the condition's
``reason`` in the cycle's rating configuration).

The stored :attr:`UnitResult.applied_conditions` keep ``metric``, ``value``, ``cap`` and
``reason``; the threshold and operator come from the configuration the result was computed
with (a configuration change recomputes the result set: it is part of the fingerprint).
Used by the unit page, the public page, and the PDF and Word reports.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

#: How a downgrade line names a metric (lower case: it follows "Hạ xếp loại:").
METRIC_PHRASES = {
    "late_dossier_rate": "tỷ lệ hồ sơ trễ hạn",
    "satisfaction_index": "chỉ số hài lòng",
}
#: The comparison as printed.
OP_SIGNS = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "==": "="}


def vi_number(value: Any) -> str:
    """``6.50`` → ``6,5``; ``5`` → ``5`` (decimal comma, no trailing zeros)."""
    try:
        d = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    return f"{d.normalize():f}".replace(".", ",")


@dataclass(frozen=True, slots=True)
class Note:
    """A condition cited under the table: ``rule`` ("tỷ lệ hồ sơ trễ hạn ≥ 5%") and its
    legal source (the configured reason)."""

    rule: str
    source: str


def _condition_of(
    applied: Mapping[str, Any], conditions: Sequence[Mapping[str, Any]]
) -> Mapping[str, Any] | None:
    """The configured condition an applied one came from (same metric and cap)."""
    for c in conditions:
        if c.get("metric") == applied.get("metric") and c.get("cap") == applied.get("cap"):
            return c
    return None


def _rule(metric: str, cond: Mapping[str, Any] | None) -> str:
    phrase = METRIC_PHRASES.get(metric, metric)
    if cond is None:
        return phrase
    sign = OP_SIGNS.get(str(cond.get("op")), str(cond.get("op")))
    return f"{phrase} {sign} {vi_number(cond.get('value'))}%"


def downgrade_line(applied: Mapping[str, Any], conditions: Sequence[Mapping[str, Any]]) -> str:
    """``Hạ xếp loại: tỷ lệ hồ sơ trễ hạn 6,5% ≥ 5%`` for one applied condition."""
    metric = str(applied.get("metric") or "")
    phrase = METRIC_PHRASES.get(metric, metric)
    value = applied.get("value")
    shown = f"{phrase} {vi_number(value)}%" if value not in (None, "") else phrase
    cond = _condition_of(applied, conditions)
    if cond is None:
        return f"Hạ xếp loại: {shown} (tối đa {applied.get('cap')})"
    sign = OP_SIGNS.get(str(cond.get("op")), str(cond.get("op")))
    return f"Hạ xếp loại: {shown} {sign} {vi_number(cond.get('value'))}%"


def downgrade_lines(
    applied: Iterable[Mapping[str, Any]] | None, conditions: Sequence[Mapping[str, Any]]
) -> list[str]:
    return [downgrade_line(a, conditions) for a in applied or []]


def notes(
    applied_lists: Iterable[Iterable[Mapping[str, Any]] | None],
    conditions: Sequence[Mapping[str, Any]],
) -> list[Note]:
    """The legal source of every condition applied to some unit, once each, in the
    configuration's order."""
    used: set[tuple[str, str]] = set()
    for applied in applied_lists:
        for a in applied or []:
            used.add((str(a.get("metric")), str(a.get("cap"))))
    out: list[Note] = []
    for c in conditions:
        key = (str(c.get("metric")), str(c.get("cap")))
        if key in used:
            used.discard(key)
            out.append(Note(_rule(key[0], c), str(c.get("reason") or "").strip()))
    for metric, _cap in sorted(used):  # applied under a configuration since changed
        out.append(Note(_rule(metric, None), ""))
    return out


def rank_change_hidden(final: bool, rows: Iterable[Any]) -> set[Any]:
    """Groups (``group_id``) whose rank change against last year is not shown: on a
    provisional result set, every group in which some unit still has leaves without
    points (its rank would move once they are scored, so "tăng 11 bậc" would mislead).
    On a final result set nothing is hidden (docs/results.md)."""
    if final:
        return set()
    return {r.group_id for r in rows if r.missing_leaves}
