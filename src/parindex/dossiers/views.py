"""Pages of the dossiers app: metrics with filters (chart and table), the drill-down list,
the officials report, the Excel export, imports (admin) with their progress, the calendar,
and the feed of the computed late rates into a cycle's rating metrics (admin)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from parindex.accounts.http import AuthedHttpRequest
from parindex.accounts.permissions import is_admin, require_admin_page
from parindex.cycles.selectors import cycle_get
from parindex.dossiers import selectors as sel
from parindex.dossiers.explain import apology_of, explain, steps_of, timeline
from parindex.dossiers.filters import (
    APOLOGY_LABELS,
    GROUP_LABELS,
    DossierQuery,
    messages_of,
    read_query,
    read_year,
)
from parindex.dossiers.models import SOURCES, CalendarDay, Dossier, OfficialThreshold
from parindex.dossiers.services import (
    calendar_load,
    dossier_feeds,
    dossier_import_request,
)
from parindex.dossiers.xlsx import metrics_xlsx
from parindex.downloads import file_download
from parindex.formats.errors import FormatError
from parindex.formats.numbers import vn_number
from parindex.web.charts import chart_number

PAGE = 50
APOLOGY_FIELDS = ("late_apology_valid", "late_apology_invalid", "late_apology_none")


def _rows_with_links(request: AuthedHttpRequest, q: DossierQuery) -> list[dict[str, Any]]:
    """The metrics rows, each number with the link of its drill-down list."""
    rows = sel.metrics_rows(request.user, q.period, q.by, filters=q.filters)
    for r in rows:
        row_q = q.for_month(r["key"]) if q.by == "month" else q
        key = {} if q.by == "month" else {q.by: r["key"] if r["key"] is not None else ""}
        r["links"] = {
            c: "?" + row_q.params(**{**q.filters, **key}, c=c, by=None)
            for c in ("received", *sel.CLASS_NAMES, "late_all")
        }
        r["links"] |= {
            f"apology_{a}": "?" + row_q.params(**{**q.filters, **key}, c="late_all", apology=a)
            for a in APOLOGY_LABELS
        }
    return rows


@login_required
@require_safe
def metrics(request: AuthedHttpRequest) -> HttpResponse:
    sel.require_reader(request.user)
    q, errors = read_query(request.GET)
    for message in errors.values():
        messages.error(request, message)
    rows = _rows_with_links(request, q)
    totals = {
        f: sum(r[f] for r in rows)
        for f in ("received", *sel.CLASS_NAMES, "online", *APOLOGY_FIELDS)
    }
    chart = {
        "kind": "classes",
        "title": "Phân loại hồ sơ",
        "labels": [
            "Trước hạn",
            "Đúng hạn",
            "Quá hạn",
            "Đang xử lý trong hạn",
            "Đang xử lý quá hạn",
        ],
        "values": [totals[c] for c in sel.CLASS_NAMES],
    }
    late_chart = {
        "kind": "changes",
        "title": "Tỷ lệ trễ hạn (%)",
        "labels": [str(r["label"]) for r in rows if r["late_rate"] is not None][:40],
        "values": [chart_number(r["late_rate"]) for r in rows if r["late_rate"] is not None][:40],
    }
    ctx = {
        "nav": "dossiers",
        "q": q,
        "errors": errors,
        "rows": rows,
        "totals": totals,
        "by": q.by,
        "groups": GROUP_LABELS.items(),
        "period": q.period,
        "period_text": q.label,
        "filters": q.filters,
        "form": request.GET,
        "units": sel.units_for(request.user).order_by("name"),
        "list_url": reverse("dossiers:list"),
        "xlsx_query": q.params(by=q.by),
        "chart": chart,
        "chart_rows": list(zip(chart["labels"], chart["values"], strict=True)),
        "late_chart": late_chart,
        "is_admin": is_admin(request.user),
    }
    return render(request, "dossiers/metrics.html", ctx, status=400 if errors else 200)


def _bad(errors: dict[str, str]) -> HttpResponse:
    return HttpResponse(messages_of(errors), status=400, content_type="text/plain; charset=utf-8")


@login_required
@require_safe
def metrics_export(request: AuthedHttpRequest) -> HttpResponse:
    sel.require_reader(request.user)
    q, errors = read_query(request.GET)
    if errors:
        return _bad(errors)
    rows = sel.metrics_rows(request.user, q.period, q.by, filters=q.filters)
    data = metrics_xlsx(rows, by=q.by, period=q.label)
    return file_download(
        data,
        filename=f"ho-so-{q.slug}-{q.by}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@login_required
@require_safe
def dossier_list(request: AuthedHttpRequest) -> HttpResponse:
    """The dossiers behind a number of the metrics page (same filters, a class, and for
    late dossiers whether they had a valid apology)."""
    sel.require_reader(request.user)
    q, errors = read_query(request.GET)
    if errors:
        return _bad(errors)
    pks = sel.drill_down(
        request.user, q.period, classes=q.classes, filters=q.filters, apology=q.apology
    )
    page = Paginator(pks, PAGE).get_page(request.GET.get("page"))
    found = Dossier.objects.select_related("unit", "apology").in_bulk(list(page.object_list))
    items = [found[pk] for pk in page.object_list if pk in found]
    ctx = {
        "nav": "dossiers",
        "q": q,
        "page": page,
        "items": items,
        "count": len(pks),
        "period_text": q.label,
        "cls": q.classes,
        "query": q.params(c=q.classes, apology=q.apology),
        "filters": q.filters,
        "apologies": APOLOGY_LABELS.items(),
        "apology_query": q.params(c=q.classes),
        "back": q.params(by=q.by if q.by != "unit" else None),
    }
    return render(request, "dossiers/list.html", ctx)


@login_required
@require_safe
def dossier_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """One dossier: its fields, its time line, its apology and how it was classified."""
    dossier = sel.dossier_get(request.user, pk)
    ctx = {
        "nav": "dossiers",
        "d": dossier,
        "why": explain(dossier),
        "events": timeline(dossier),
        "steps": steps_of(dossier),
        "apology": apology_of(dossier),
        "back": request.GET.urlencode(),
    }
    return render(request, "dossiers/detail.html", ctx)


@login_required
@require_safe
def officials(request: AuthedHttpRequest) -> HttpResponse:
    year = read_year(request.GET)
    report = sel.officials_report(request.user, year)
    return render(
        request,
        "dossiers/officials.html",
        {"nav": "dossiers", **report, "threshold_text": vn_number(report["threshold"])},
    )


def _imports_context(request: AuthedHttpRequest) -> dict[str, Any]:
    jobs = list(sel.imports_for(request.user)[:30])
    return {"jobs": jobs, "polling": any(j.active for j in jobs)}


@login_required
def imports(request: AuthedHttpRequest) -> HttpResponse:
    """Upload a one-stop export (admin); the job list with progress (htmx poll)."""
    require_admin_page(request.user)
    if request.method == "POST":
        upload = request.FILES.get("file")
        try:
            if upload is None:
                raise ValidationError("Chọn tệp xuất từ hệ thống một cửa.")
            dossier_import_request(
                file=upload, source=request.POST.get("source", "dvcqg"), actor=request.user
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            if request.headers.get("HX-Request"):
                return HttpResponse(" ".join(exc.messages), status=400)
        else:
            messages.success(request, f"Đã đưa tệp “{upload.name}” vào hàng đợi nhập.")
        return redirect("dossiers:imports")
    ctx = {"nav": "dossiers", "sources": SOURCES, **_imports_context(request)}
    return render(request, "dossiers/imports.html", ctx)


@login_required
@require_safe
def import_jobs(request: AuthedHttpRequest) -> HttpResponse:
    require_admin_page(request.user)
    return render(request, "dossiers/_imports.html", _imports_context(request))


@login_required
@require_safe
def import_report(request: AuthedHttpRequest, pk: int) -> FileResponse:
    require_admin_page(request.user)
    job = sel.import_get(request.user, pk)
    if not job.error_report:
        raise Http404
    return file_download(
        job.error_report.open("rb"),
        filename=f"bao-cao-loi-{job.pk}.csv",
        content_type="text/csv; charset=utf-8",
    )


@login_required
@require_safe
def calendar(request: AuthedHttpRequest) -> HttpResponse:
    sel.require_reader(request.user)
    year = read_year(request.GET)
    days = CalendarDay.objects.filter(date__year=year)
    years = sorted({d.year for d in CalendarDay.objects.dates("date", "year")})
    ctx = {
        "nav": "dossiers",
        "days": days,
        "year": year,
        "years": years,
        "thresholds": OfficialThreshold.objects.all(),
        "is_admin": is_admin(request.user),
        "hours": "07:00–11:30, 13:30–17:00",
    }
    return render(request, "dossiers/calendar.html", ctx)


@login_required
@require_POST
def calendar_reload(request: AuthedHttpRequest) -> HttpResponse:
    """Reload the shipped tables, or an uploaded calendar file (``.yaml``)."""
    require_admin_page(request.user)
    upload = request.FILES.get("file")
    try:
        if upload is not None:
            import tempfile
            from pathlib import Path

            with tempfile.TemporaryDirectory() as folder:
                path = Path(folder) / Path(upload.name or "lich.yaml").name
                path.write_bytes(upload.read())
                n = calendar_load(paths=[path], actor=request.user)
        else:
            n = calendar_load(actor=request.user)
    except FormatError as exc:
        messages.error(request, "; ".join(str(p) for p in exc.problems))
        return redirect("dossiers:calendar")
    messages.success(request, f"Đã nạp {n} ngày nghỉ, ngày làm bù.")
    return redirect("dossiers:calendar")


@login_required
@require_POST
def feed(request: AuthedHttpRequest, cycle_id: int) -> HttpResponse:
    """Take the late rate per unit from the dossiers into the cycle's rating metrics."""
    require_admin_page(request.user)
    cycle = cycle_get(request.user, cycle_id)
    try:
        done = dossier_feeds(cycle=cycle, actor=request.user)
    except (ValidationError, PermissionDenied, FormatError) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        if request.headers.get("HX-Request"):
            return HttpResponse(status=409)
    else:
        leaves = ", ".join(done["leaves"])
        messages.success(
            request,
            f"Đã lấy tỷ lệ hồ sơ trễ hạn năm {cycle.year} của {len(done['rates'])} đơn vị từ "
            f"hồ sơ" + (f"; điểm tiêu chí {leaves}: {done['rows']} đơn vị." if leaves else "."),
        )
    return redirect("results_metrics", cycle.pk)
