"""Results as CSV/JSON in the DESIGN §5 results format (machine-readable: dot decimals).

Columns, in this order (as :mod:`parindex.formats.tables` writes them for ``parindex
compute``): ``unit,group,points,max_points,index,rank,rating``, then per area of the
unit's framework ``area_<code>_points,area_<code>_index``, then ``index_change,rank_change``,
then ``rating_reasons``; this export adds ``unit_name`` last. ``unit`` and ``group`` are
codes. Numbers are rounded half-up to the cycle's display decimals; empty (JSON ``null``) =
not applicable / not available. Units of several frameworks: the area columns are the union,
in first-seen order.
"""

from __future__ import annotations

import csv
import io
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from parindex.cycles.models import Cycle
from parindex.reports.data import ReportData, collect


def _num(value: Decimal | None, decimals: int) -> str:
    if value is None:
        return ""
    q = Decimal(1).scaleb(-decimals)
    return f"{value.quantize(q, rounding=ROUND_HALF_UP):f}"


def columns_and_rows(data: ReportData) -> tuple[list[str], list[list[Any]]]:
    areas: list[str] = []
    for g in data.groups:
        for a in g.areas:
            if a.code not in areas:
                areas.append(a.code)
    cols = ["unit", "group", "points", "max_points", "index", "rank", "rating"]
    for code in areas:
        cols += [f"area_{code}_points", f"area_{code}_index"]
    cols += ["index_change", "rank_change", "rating_reasons", "unit_name"]
    d = data.decimals
    rows = []
    for r in data.rows:
        row: list[Any] = [
            r.unit_code,
            r.group_code,
            _num(r.points, d),
            _num(r.max_points, d),
            _num(r.index, d),
            r.rank,
            r.rating,
        ]
        for code in areas:
            cell = r.areas.get(code)
            row += [_num(cell.points, d), _num(cell.index, d)] if cell else ["", ""]
        row += [_num(r.index_change, d), r.rank_change, r.reasons, r.unit]
        rows.append(row)
    return cols, rows


def csv_text(data: ReportData) -> str:
    cols, rows = columns_and_rows(data)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(cols)
    w.writerows(["" if v is None else v for v in row] for row in rows)
    return buf.getvalue()


TEXT = {"unit", "group", "rating", "rating_reasons", "unit_name"}


def json_rows(data: ReportData) -> list[dict[str, Any]]:
    cols, rows = columns_and_rows(data)
    out = []
    for row in rows:
        item: dict[str, Any] = {}
        for c, v in zip(cols, row, strict=True):
            if c in TEXT or v is None or isinstance(v, int):
                item[c] = v
            else:
                item[c] = None if v == "" else (int(v) if "." not in v else float(v))
        out.append(item)
    return out


def results_csv(cycle: Cycle, user: Any = None) -> str:
    """The results of ``cycle`` as CSV (``user`` None = public: published cycles only)."""
    return csv_text(collect(cycle, user, with_leaves=False))


def results_json(cycle: Cycle, user: Any = None) -> list[dict[str, Any]]:
    """The results of ``cycle`` as a list of dicts (JSON-ready; numbers as JSON numbers)."""
    return json_rows(collect(cycle, user, with_leaves=False))
