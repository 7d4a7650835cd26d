"""Published results for everyone, no login (issue 4, part 6).

Reads as an anonymous user through :mod:`parindex.results.selectors`, so only published
cycles are visible (anything else is a 404), and shows only public fields: rank, index,
rating, the change against the previous year, and each downgrade as a short reason with
the conditions' legal source cited once (issue 8) — never appraisers' reasons, notes,
evidence or provisional figures.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from parindex.assessments.selectors import council_decisions
from parindex.cycles.models import Cycle, CycleStatus
from parindex.downloads import file_download
from parindex.reports.data import province_name
from parindex.reports.services import export_build
from parindex.results import selectors as rsel
from parindex.results.explain import downgrade_lines, notes
from parindex.results.models import Publication, ResultStatus
from parindex.results.services import ranking_csv
from parindex.web.charts import counts_chart, ranking_chart

ANONYMOUS = AnonymousUser()

#: Files of the exports module (``parindex.reports.services.export_build(cycle, kind)``
#: with no user = the public view) offered here. Only the official report in PDF: its public
#: build carries no appraisers' reasons or evidence (pinned by ``tests/test_public.py``) —
#: only each downgrade's short reason and the conditions' legal source, as on this page;
#: the Excel workbook's per-leaf sheet lists the appraisers' reasons, so it stays on the
#: internal exports page.
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
    conditions = rsel.rating_config_for(cycle).conditions
    groups: dict[int, dict[str, Any]] = {}
    for r in ov.ranking:
        r.downgrades = downgrade_lines(r.applied_conditions, conditions)  # type: ignore[attr-defined]
        g = groups.setdefault(r.group_id, {"id": r.group_id, "name": r.group.name, "rows": []})
        g["rows"].append(r)
    order = [name for name, _ in ov.classes]  # the configured order: colours match
    charts: dict[str, Any] = {}
    for g in groups.values():
        g["dom_id"] = f"rank-{g['id']}"
        g["chart"] = charts[g["dom_id"]] = ranking_chart(g["name"], g["rows"], d, order)
    charts["chart-classes"] = counts_chart("classes", ov.classes, drop_empty=True)
    charts["chart-distribution"] = counts_chart("histogram", ov.distribution)
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
            "province": province_name(),
            "condition_notes": notes((r.applied_conditions for r in ov.ranking), conditions),
            "nav": "public",
            **_versions(cycle),
        },
    )


def results_csv(request: HttpRequest, pk: int) -> HttpResponse:
    """The published ranking as CSV (UTF-8 with BOM so spreadsheet programs read the
    diacritics), dot decimals: group, rank, unit, index, rating, index change, rank change."""
    cycle, rs = _published(pk)
    return _attachment(ranking_csv(rs), "text/csv; charset=utf-8", cycle, "csv")


def _attachment(data: Any, content_type: str, cycle: Cycle, ext: str, suffix: str = "") -> Any:
    return file_download(
        data, filename=f"ket-qua-{cycle.year}-{cycle.pk}{suffix}.{ext}", content_type=content_type
    )


def _versions(cycle: Cycle) -> dict[str, Any]:
    """The cycle's publications for the versions block: the latest and the earlier ones."""
    pubs = list(
        Publication.objects.filter(cycle=cycle)
        .annotate(has_pdf=Q(pdf__isnull=False))
        .defer("csv", "pdf")
        .order_by("-number")
    )
    return {"latest": pubs[0] if pubs else None, "earlier": pubs[1:]}


def version_download(request: HttpRequest, pk: int, number: int, kind: str) -> HttpResponse:
    """An earlier publication's file, as it was published (the cycle may be reopened)."""
    pub = Publication.objects.filter(cycle_id=pk, number=number).select_related("cycle").first()
    if pub is None or kind not in ("csv", "pdf"):
        raise Http404("Không có phiên bản này.")
    if kind == "csv":
        data: Any = pub.csv
    else:
        if pub.pdf is None:
            raise Http404("Phiên bản này không lưu báo cáo PDF.")
        data = bytes(pub.pdf)
    ctype = "text/csv; charset=utf-8" if kind == "csv" else PUBLIC_EXPORTS["pdf"][0]
    return _attachment(data, ctype, pub.cycle, kind, f"-lan-{pub.number}")


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
        # Kept with the current publication: its PDF stays downloadable after a reopen.
        _keep_pdf(cycle, data)
    return _attachment(data, PUBLIC_EXPORTS[kind][0], cycle, kind)


def _keep_pdf(cycle: Cycle, data: bytes) -> None:
    latest = Publication.objects.filter(cycle=cycle).order_by("-number").first()
    if latest is not None and latest.pdf is None:
        Publication.objects.filter(pk=latest.pk).update(pdf=data)
