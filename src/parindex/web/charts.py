"""The chart data the pages hand to ``static/parindex/charts.js`` (plain JSON)."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

__all__ = ["chart_number", "ranking_chart"]


def chart_number(value: Decimal | None, places: int = 2) -> float | None:
    """A Decimal as a rounded float for chart JSON (None stays None)."""
    return None if value is None else round(float(value), places)


def ranking_chart(
    title: str, rows: Iterable[Any], decimals: int, classes: list[str]
) -> dict[str, Any]:
    """The ranking bar chart of one group: its units with an index, in ``rows`` order;
    ``classes`` in the configured order, so that the colours match the ratings."""
    ranked = [r for r in rows if r.index is not None]
    return {
        "kind": "ranking",
        "title": title,
        "labels": [r.unit.short_name or r.unit.name for r in ranked],
        "names": [r.unit.name for r in ranked],
        "values": [chart_number(r.index, decimals) for r in ranked],
        "ranks": [r.rank for r in ranked],
        "ratings": [r.rating for r in ranked],
        "classes": classes,
    }
