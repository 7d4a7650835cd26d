"""The chart data the pages hand to ``static/parindex/charts.js`` (plain JSON)."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

__all__ = ["chart_number", "heat_chart", "interval_chart", "ranking_chart"]


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


def _num(text: str) -> float | None:
    return float(text) if text not in ("", None) else None


def interval_chart(rows: Iterable[dict[str, Any]], label: str = "name") -> dict[str, Any]:
    """Bars with 95 % interval whiskers (survey indices): ``rows`` with ``index``,
    ``ci_low``, ``ci_high`` (display strings) and a ``label`` key."""
    shown = [r for r in rows if r.get("index") not in ("", None)]
    return {
        "kind": "intervals",
        "labels": [str(r.get("code", r[label])) for r in shown],
        "names": [str(r[label]) for r in shown],
        "values": [_num(r["index"]) for r in shown],
        "low": [_num(r["ci_low"]) for r in shown],
        "high": [_num(r["ci_high"]) for r in shown],
    }


def heat_chart(
    units: list[str], areas: list[str], values: dict[tuple[int, int], float | None]
) -> dict[str, Any]:
    """The heat map of ``charts.js`` (``heat``): ``values[(area, unit)]`` in percent."""
    return {
        "kind": "heat",
        "areas": areas,
        "units": units,
        "cells": [[a, u, v] for (a, u), v in sorted(values.items()) if v is not None],
    }
