"""Results pages (issue 4): province overview, unit page, criterion page (read-only
dashboards). The Sở Nội vụ pages around them (rating classes and conditions, metrics,
recompute, accountability report, publication) are :mod:`parindex.web.views_results_admin`.

Reads go through :mod:`parindex.results.selectors` only, writes through
:mod:`parindex.results.services` only (docs/results.md). Chart data leaves the view as
plain JSON (``json_script``) and ``static/parindex/charts.js`` draws it with ECharts.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from parindex.accounts.http import AuthedHttpRequest
from parindex.accounts.models import User
from parindex.cycles.selectors import cycle_get, cycles_for
from parindex.engine.compare import describe_rank_change
from parindex.results import selectors as rsel
from parindex.results.explain import downgrade_lines, notes, rank_change_hidden
from parindex.results.models import METRIC_LABELS, RecomputeRequest, ResultStatus
from parindex.units.selectors import units_for
from parindex.web.charts import chart_number, counts_chart, ranking_chart
from parindex.web.templatetags.parindex import index as fmt_index
from parindex.web.templatetags.parindex import points as fmt_points

# --------------------------------------------------------------------------- helpers


def _province_reader(user: User) -> bool:
    return bool(user.sees_all_units)


def _require_province(user: User) -> None:
    if not _province_reader(user):
        raise Http404


def can_read_accountability(user: User) -> bool:
    return bool(user.is_province_admin or user.is_leader or user.is_council)


def _change_text(index_change: Decimal | None, rank_change: int | None, decimals: int) -> str:
    parts = []
    if index_change is not None:
        if index_change > 0:
            parts.append(f"tăng {fmt_index(index_change, decimals)} điểm")
        elif index_change < 0:
            parts.append(f"giảm {fmt_index(-index_change, decimals)} điểm")
        else:
            parts.append("chỉ số không đổi")
    text = describe_rank_change(rank_change)
    if text:
        parts.append(text)
    return ", ".join(parts)


def base_context(request: AuthedHttpRequest, cycle: Any, rs: Any) -> dict[str, Any]:
    user = request.user
    return {
        "nav": "results",
        "cycle": cycle,
        "rs": rs,
        "decimals": rs.decimals if rs is not None else 2,
        "provisional": rs is not None and rs.status != ResultStatus.FINAL,
        "is_admin": user.is_province_admin,
        "province": _province_reader(user),
        "can_accountability": can_read_accountability(user),
    }


# --------------------------------------------------------------------------- list


@login_required
def results_home(request: AuthedHttpRequest) -> HttpResponse:
    """Cycles with results the user may see; unit users go straight to their unit."""
    user = request.user
    if not _province_reader(user):
        if user.unit is None:
            raise Http404
        ctx = {"nav": "results", "own": True, "unit_code": user.unit.code}
        return render(request, "web/results/home.html", ctx | {"own_cycles": _own_cycles(user)})
    sets = list(rsel.scoped_results(user))
    return render(request, "web/results/home.html", {"nav": "results", "sets": sets})


def _own_cycles(user: User) -> list[Any]:
    return list(cycles_for(user).order_by("-year", "-id"))


# --------------------------------------------------------------------------- overview


def _group_charts(rows: list[Any], decimals: int, classes: list[str]) -> list[dict[str, Any]]:
    groups: dict[Any, dict[str, Any]] = {}
    for r in rows:
        g = groups.setdefault(
            r.group_id,
            {
                "id": r.group_id,
                "dom_id": f"rank-{r.group_id}",
                "name": r.group.name,
                "rows": [],
                "chart": None,
            },
        )
        g["rows"].append(r)
    for g in groups.values():
        g["chart"] = ranking_chart(g["name"], g["rows"], decimals, classes)
    return list(groups.values())


@login_required
def overview(request: AuthedHttpRequest, cycle_pk: int) -> HttpResponse:
    user = request.user
    _require_province(user)
    cycle = cycle_get(user, cycle_pk)
    rs = rsel.result_set_for(user, cycle)
    ctx = base_context(request, cycle, rs)
    if rs is None:
        ctx["pending"] = _pending(cycle)
        return render(request, "web/results/overview.html", ctx)
    ov = rsel.province_overview(user, cycle)
    d = rs.decimals
    groups = _group_charts(ov.ranking, d, [name for name, _ in ov.classes])

    # Printed cells computed here (one template node each): 150+ rows per page.
    unit_url = reverse("results_unit", args=[cycle.pk, "__unit__"])
    hidden = rank_change_hidden(rs.is_final, ov.ranking)
    for g in groups:
        g["rank_change_hidden"] = g["id"] in hidden
    for r in ov.ranking:
        shown = None if r.group_id in hidden else r.rank_change
        r.change_text = _change_text(r.index_change, shown, d)  # type: ignore[attr-defined]
        r.url = unit_url.replace("__unit__", r.unit.code)  # type: ignore[attr-defined]
        r.index_text = fmt_index(r.index, d)  # type: ignore[attr-defined]
    heat_rows = ov.heat["rows"]
    charts = {
        "distribution": counts_chart("histogram", ov.distribution),
        "classes": counts_chart("classes", ov.classes),
        "heat": {
            "kind": "heat",
            "areas": [f"LV {a}" for a in ov.heat["areas"]],
            "units": [name for name, _ in heat_rows],
            "cells": [
                [x, y, chart_number(v, 1)]
                for y, (_, values) in enumerate(heat_rows)
                for x, v in enumerate(values)
                if v is not None
            ],
        },
        "changes": {
            "kind": "changes",
            "labels": [n for n, c, _ in ov.changes if c is not None],
            "values": [chart_number(c, d) for _, c, _ in ov.changes if c is not None],
        },
    }
    ctx.update(
        {
            "ov": ov,
            "groups": groups,
            "charts": charts,
            "changed": [r for r in ov.ranking if r.index_change is not None],
            "not_compared": [r for r in ov.ranking if r.comparison_note],
            "pending": _pending(cycle) if user.is_province_admin else None,
        }
    )
    return render(request, "web/results/overview.html", ctx)


def _pending(cycle: Any) -> Any:
    """The recompute flag of the cycle (pending / last error), for the admin's button."""
    return RecomputeRequest.objects.filter(cycle_id=cycle.pk).first()


# --------------------------------------------------------------------------- unit page


@login_required
def unit_page(request: AuthedHttpRequest, cycle_pk: int, code: str) -> HttpResponse:
    user = request.user
    unit = units_for(user).filter(code=code).first()
    if unit is None:
        raise Http404
    if not _province_reader(user) and user.unit_id != unit.pk:
        raise Http404
    cycle = cycle_get(user, cycle_pk)
    page = rsel.unit_result(user, cycle, unit)
    rs = page.result_set
    d = rs.decimals
    res = page.result
    ctx = base_context(request, cycle, rs)
    conditions = rsel.rating_config_for(cycle).conditions
    hidden = not rs.is_final and (
        bool(res.missing_leaves) or rsel.group_has_missing_points(rs, res.group_id)
    )
    best = {code: page.best.get(code, ("", None)) for code in (a.code for a in page.areas)}
    radar = {
        "kind": "radar",
        "indicators": [f"{a.code}. {a.name}" if a.name else a.code for a in page.areas],
        "codes": [f"LV {a.code}" for a in page.areas],
        "series": [
            {"name": unit.name, "values": [chart_number(a.index, 1) for a in page.areas]},
            {
                "name": "Trung bình nhóm",
                "values": [chart_number(page.group_average.get(a.code), 1) for a in page.areas],
            },
            {
                "name": "Đơn vị cao nhất",
                "values": [chart_number(best[a.code][1], 1) for a in page.areas],
            },
        ],
    }
    top_lost = page.lost[:15]
    lost_chart = {
        "kind": "lost",
        "labels": [x.code for x in reversed(top_lost)],
        "names": [x.name for x in reversed(top_lost)],
        "values": [chart_number(x.lost, 3) for x in reversed(top_lost)],
    }
    trend_chart = {
        "kind": "trend",
        "labels": [str(t.year) for t in page.trend],
        "values": [chart_number(t.index, d) for t in page.trend],
        "ranks": [t.rank for t in page.trend],
        "units": [t.unit_name for t in page.trend],
    }
    ctx.update(
        {
            "unit": unit,
            "page": page,
            "res": res,
            "best": [(a, best[a.code]) for a in page.areas],
            "group_average": page.group_average,
            "charts": {"radar": radar, "lost": lost_chart, "trend": trend_chart},
            "change_text": _change_text(res.index_change, None if hidden else res.rank_change, d),
            "rank_change_hidden": hidden,
            "metric_labels": METRIC_LABELS,
            "downgrades": downgrade_lines(res.applied_conditions, conditions),
            "condition_notes": notes([res.applied_conditions], conditions),
        }
    )
    return render(request, "web/results/unit.html", ctx)


# --------------------------------------------------------------------------- criterion page


@login_required
def criterion_page(request: AuthedHttpRequest, cycle_pk: int, code: str) -> HttpResponse:
    user = request.user
    _require_province(user)
    cycle = cycle_get(user, cycle_pk)
    rs = rsel.result_set_for(user, cycle)
    if rs is None:
        raise Http404
    page = rsel.criterion_results(user, cycle, code)
    rows = [r for r in page.rows if r.points is not None]
    # Worst first (drawn at the top): share of the maximum reached, then points lost.
    by_points = sorted(
        rows,
        key=lambda r: (r.index if r.index is not None else 101, -(r.lost or 0), r.unit.name),
    )
    chart = {
        "kind": "criterion",
        "labels": [r.unit.short_name or r.unit.name for r in by_points],
        "names": [r.unit.name for r in by_points],
        "values": [chart_number(r.points, 3) for r in by_points],
        "max": [chart_number(r.max_points, 3) for r in by_points],
    }
    ctx = base_context(request, cycle, rs)
    ctx.update(
        {
            "page": page,
            "charts": {"criterion": chart},
            "lost_rows": [r for r in page.rows if r.lost],
            "table": _criterion_table(cycle, page.rows),
        }
    )
    return render(request, "web/results/criterion.html", ctx)


def _criterion_table(cycle: Any, rows: list[Any]) -> list[dict[str, Any]]:
    """Rows ready to print (one template node per cell: the page lists every unit, and
    with a whole area that is thousands of reasons). The same reason given on several
    leaves is shown once with the leaves' codes."""
    unit_url = reverse("results_unit", args=[cycle.pk, "__unit__"])
    out = []
    for r in rows:
        grouped: dict[tuple[str, str], list[str]] = {}
        for leaf, r1, r2 in r.reasons:
            grouped.setdefault((r1, r2), []).append(leaf)
        out.append(
            {
                "url": unit_url.replace("__unit__", r.unit.code),
                "name": r.unit.name,
                "group": r.group_name,
                "points": "không áp dụng"
                if r.max_points is None
                else f"{fmt_points(r.points)} / {fmt_points(r.max_points)}",
                "lost": fmt_points(r.lost) if r.lost else "",
                "reasons": [(", ".join(codes), r1, r2) for (r1, r2), codes in grouped.items()],
            }
        )
    return out
