"""The chart data the pages hand to ``static/parindex/charts.js`` (plain JSON)."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from parindex.formats.numbers import vn_number

__all__ = [
    "chart_number",
    "chart_text",
    "counts_chart",
    "heat_chart",
    "interval_chart",
    "ranking_chart",
]


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


def counts_chart(
    kind: str, pairs: Iterable[tuple[str, int]], *, drop_empty: bool = False
) -> dict[str, Any]:
    """Bars of counts from ``(label, count)`` pairs: ``histogram`` (units per index band)
    or ``classes`` (units per rating, in the configured order so that the colours match);
    ``drop_empty`` leaves out the labels with no unit."""
    shown = [(label, n) for label, n in pairs if n or not drop_empty]
    return {"kind": kind, "labels": [label for label, _ in shown], "values": [n for _, n in shown]}


def _float(text: str) -> float | None:
    return float(text) if text not in ("", None) else None


def interval_chart(rows: Iterable[dict[str, Any]], label: str = "name") -> dict[str, Any]:
    """Bars with 95 % interval whiskers (survey indices): ``rows`` with ``index``,
    ``ci_low``, ``ci_high`` (display strings) and a ``label`` key."""
    shown = [r for r in rows if r.get("index") not in ("", None)]
    return {
        "kind": "intervals",
        "labels": [str(r.get("code", r[label])) for r in shown],
        "names": [str(r[label]) for r in shown],
        "values": [_float(r["index"]) for r in shown],
        "low": [_float(r["ci_low"]) for r in shown],
        "high": [_float(r["ci_high"]) for r in shown],
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


def _num(value: Any) -> str:
    """A chart number the Vietnamese way (89,33; no trailing zeros), "—" when missing."""
    if value is None:
        return "—"
    return vn_number(Decimal(str(value)), 3, strip=True)


def _extremes(names: list[str], values: list[Any]) -> str:
    pairs = [(v, n) for n, v in zip(names, values, strict=False) if v is not None]
    if not pairs:
        return "chưa có số liệu"
    hi = max(pairs, key=lambda p: p[0])
    lo = min(pairs, key=lambda p: p[0])
    return f"cao nhất {hi[1]} ({_num(hi[0])}), thấp nhất {lo[1]} ({_num(lo[0])})"


def chart_text(data: dict[str, Any]) -> dict[str, Any]:
    """The same numbers as a chart, as text (issue 13 part 4): a one-line ``summary`` for
    the chart's accessible label, and a table (``headers``, ``rows`` of strings) shown
    beside the chart or behind a toggle, so the data reads without the picture."""
    kind = data.get("kind")
    headers: list[str]
    rows: list[list[str]]
    if kind == "ranking":
        headers = ["Hạng", "Đơn vị", "Chỉ số", "Xếp loại"]
        rows = [
            [str(r or "—"), n, _num(v), rt or "—"]
            for r, n, v, rt in zip(
                data["ranks"], data["names"], data["values"], data["ratings"], strict=False
            )
        ]
        summary = f"{len(rows)} đơn vị; " + _extremes(data["names"], data["values"])
    elif kind in ("histogram", "classes"):
        headers = ["Khoảng chỉ số" if kind == "histogram" else "Xếp loại", "Số đơn vị"]
        rows = [[lb, str(v)] for lb, v in zip(data["labels"], data["values"], strict=False)]
        summary = "; ".join(f"{lb}: {v} đơn vị" for lb, v in rows) or "chưa có số liệu"
    elif kind == "heat":
        areas, units = data["areas"], data["units"]
        grid = [["—"] * len(areas) for _ in units]
        for x, y, v in data["cells"]:
            grid[y][x] = _num(v)
        headers = ["Đơn vị", *areas]
        rows = [[u, *grid[i]] for i, u in enumerate(units)]
        summary = f"{len(units)} đơn vị × {len(areas)} lĩnh vực, chỉ số (%) từng ô"
    elif kind in ("changes", "lost"):
        names = data.get("names")
        labels = data["labels"]
        if names:
            labels = [f"{c} {n}" for c, n in zip(labels, names, strict=False)]
        headers = ["Đơn vị" if kind == "changes" else "Tiêu chí"]
        headers.append("Thay đổi chỉ số" if kind == "changes" else "Điểm bị mất")
        rows = [[lb, _num(v)] for lb, v in zip(labels, data["values"], strict=False)]
        summary = f"{len(rows)} dòng; " + _extremes(labels, data["values"])
    elif kind == "radar":
        headers = ["Lĩnh vực", *[s["name"] for s in data["series"]]]
        rows = [
            [ind, *[_num(s["values"][i]) for s in data["series"]]]
            for i, ind in enumerate(data["indicators"])
        ]
        first = data["series"][0] if data["series"] else {"values": []}
        summary = f"{len(rows)} lĩnh vực; " + _extremes(data["indicators"], first["values"])
    elif kind == "trend":
        headers = ["Năm", "Đơn vị", "Chỉ số", "Hạng"]
        rows = [
            [y, u, _num(v), str(r or "—")]
            for y, u, v, r in zip(
                data["labels"], data["units"], data["values"], data["ranks"], strict=False
            )
        ]
        summary = "; ".join(f"{y}: {v}" for y, _, v, _ in rows) or "chưa có số liệu"
    elif kind == "criterion":
        headers = ["Đơn vị", "Điểm đạt", "Điểm tối đa"]
        rows = [
            [n, _num(v), _num(m)]
            for n, v, m in zip(data["names"], data["values"], data["max"], strict=False)
        ]
        summary = f"{len(rows)} đơn vị; " + _extremes(data["names"], data["values"])
    else:
        headers, rows, summary = [], [], ""
    return {"summary": summary, "headers": headers, "rows": rows}
