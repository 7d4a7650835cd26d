"""Published results for everyone, no login (issue 4, part 6).

Reads as an anonymous user through :mod:`parindex.results.selectors`, so only published
cycles are visible (anything else is a 404), and shows only public fields: rank, index,
rating and the change against the previous year — never appraisers' reasons, applied
conditions, notes, evidence or provisional figures.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from parindex.assessments.selectors import council_decisions
from parindex.cycles.models import Cycle, CycleStatus
from parindex.reports.services import export_build
from parindex.results import selectors as rsel
from parindex.results.models import ResultStatus
from parindex.web.charts import ranking_chart

ANONYMOUS = AnonymousUser()

#: Files of the exports module (``parindex.reports.services.export_build(cycle, kind)``
#: with no user = the public view) offered here. Only the official report in PDF: its public
#: build carries no appraisers' reasons, applied conditions or evidence (pinned by
#: ``tests/test_public.py``); the Excel workbook's per-leaf sheet lists the appraisers'
#: reasons, so it stays on the internal exports page.
PUBLIC_EXPORTS = {"pdf": ("application/pdf", "Báo cáo kết quả (PDF)")}


def _published(pk: int) -> tuple[Cycle, Any]:
    cycle = Cycle.objects.filter(pk=pk, status=CycleStatus.PUBLISHED).first()
    if cycle is None:
        raise Http404("Kỳ đánh giá chưa được công bố.")
    rs = rsel.result_set_for(ANONYMOUS, cycle)
    if rs is None or rs.status != ResultStatus.FINAL:
        raise Http404("Kỳ đánh giá chưa được công bố.")
    return cycle, rs


def index(request: HttpRequest) -> HttpResponse:
    sets = [
        rs
        for rs in rsel.scoped_results(ANONYMOUS)
        if rs.cycle.status == CycleStatus.PUBLISHED and rs.status == ResultStatus.FINAL
    ]
    return render(request, "public/index.html", {"sets": sets, "nav": "public"})


def cycle_results(request: HttpRequest, pk: int) -> HttpResponse:
    cycle, rs = _published(pk)
    d = rs.decimals
    ov = rsel.province_overview(request.user, cycle)
    groups: dict[int, dict[str, Any]] = {}
    for r in ov.ranking:
        g = groups.setdefault(r.group_id, {"id": r.group_id, "name": r.group.name, "rows": []})
        g["rows"].append(r)
    order = [name for name, _ in ov.classes]  # the configured order: colours match
    charts: dict[str, Any] = {}
    for g in groups.values():
        charts[f"rank-{g['id']}"] = ranking_chart(g["name"], g["rows"], d, order)
    charts["chart-classes"] = {
        "kind": "classes",
        "labels": [name for name, n in ov.classes if n],
        "values": [n for _, n in ov.classes if n],
    }
    charts["chart-distribution"] = {
        "kind": "histogram",
        "labels": [label for label, _ in ov.distribution],
        "values": [n for _, n in ov.distribution],
    }
    files = [("csv", "Bảng xếp hạng (CSV)")]
    files += [(kind, label) for kind, (_, label) in PUBLIC_EXPORTS.items()]
    return render(
        request,
        "public/cycle.html",
        {
            "cycle": cycle,
            "rs": rs,
            "decimals": d,
            "groups": list(groups.values()),
            "charts": charts,
            "files": files,
            "decisions": council_decisions(cycle),
            "nav": "public",
        },
    )


def results_csv(request: HttpRequest, pk: int) -> HttpResponse:
    """The published ranking as CSV (UTF-8 with BOM so spreadsheet programs read the
    diacritics), dot decimals: group, rank, unit, index, rating, index change, rank change."""
    cycle, rs = _published(pk)
    out = io.StringIO()
    out.write("\ufeff")
    w = csv.writer(out)
    w.writerow(
        [
            "nhom",
            "xep_hang",
            "ma_don_vi",
            "don_vi",
            "chi_so",
            "xep_loai",
            "thay_doi_chi_so",
            "thay_doi_thu_hang",
        ]
    )
    q = Decimal(1).scaleb(-rs.decimals)
    for r in rsel.ranking(rs):
        w.writerow(
            [
                r.group.name,
                r.rank or "",
                r.unit.code,
                r.unit.name,
                "" if r.index is None else r.index.quantize(q),
                r.rating,
                "" if r.index_change is None else r.index_change.quantize(q),
                "" if r.rank_change is None else r.rank_change,
            ]
        )
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="ket-qua-{cycle.year}-{cycle.pk}.csv"'
    return response


def download(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """A file of the exports module for a published cycle."""
    if kind == "csv":
        return results_csv(request, pk)
    if kind not in PUBLIC_EXPORTS:
        raise Http404
    cycle, rs = _published(pk)
    # Built once per computed result set and kept in the cache: the page is public.
    key = f"public-export:{cycle.pk}:{rs.computed_at.timestamp()}:{kind}"
    data = cache.get(key)
    if data is None:
        data = export_build(cycle, kind)
        cache.set(key, data, 24 * 3600)
    response = HttpResponse(data, content_type=PUBLIC_EXPORTS[kind][0])
    response["Content-Disposition"] = (
        f'attachment; filename="ket-qua-{cycle.year}-{cycle.pk}.{kind}"'
    )
    return response
