"""Results as CSV/JSON in the DESIGN §5 results format (machine-readable: dot decimals).

:mod:`parindex.formats.results` owns the columns, the number display and the writing;
this module feeds it the stored results. Columns, in this order (as for ``parindex
compute``): ``unit,group,points,max_points,index,rank,rating``, then per area of the
unit's framework ``area_<code>_points,area_<code>_index``, then ``index_change,rank_change``,
then ``rating_reasons``; this export adds ``unit_name`` last. ``unit`` and ``group`` are
codes. Numbers are rounded half-up to the cycle's display decimals; empty (JSON ``null``) =
not applicable / not available. Units of several frameworks: the area columns are the union,
in first-seen order.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from parindex.cycles.models import Cycle
from parindex.formats import results as fmt
from parindex.reports.data import ReportData, collect

if TYPE_CHECKING:
    from parindex.accounts.models import User


def columns_and_rows(data: ReportData) -> tuple[list[str], list[list[Any]]]:
    areas: list[str] = []
    for g in data.groups:
        for a in g.areas:
            if a.code not in areas:
                areas.append(a.code)
    cols = fmt.result_columns(areas, True, ("unit_name",))
    d = data.decimals
    num = fmt.decimal_cell
    rows = []
    for r in data.rows:
        row: list[Any] = [
            r.unit_code,
            r.group_code,
            num(r.points, d),
            num(r.max_points, d),
            num(r.index, d),
            r.rank,
            r.rating,
        ]
        for code in areas:
            cell = r.areas.get(code)
            row += [num(cell.points, d), num(cell.index, d)] if cell else ["", ""]
        row += [num(r.index_change, d), r.rank_change, r.reasons, r.unit]
        rows.append(row)
    return cols, rows


def csv_text(data: ReportData) -> str:
    return fmt.csv_text(*columns_and_rows(data))


def json_rows(data: ReportData) -> list[dict[str, Any]]:
    return fmt.json_records(*columns_and_rows(data))


def results_csv(cycle: Cycle, user: User | None = None) -> str:
    """The results of ``cycle`` as CSV (``user`` None = public: published cycles only)."""
    return csv_text(collect(cycle, user, with_leaves=False))


def results_json(cycle: Cycle, user: User | None = None) -> list[dict[str, Any]]:
    """The results of ``cycle`` as a list of dicts (JSON-ready; numbers as JSON numbers)."""
    return json_rows(collect(cycle, user, with_leaves=False))
