"""Pages of the dossiers app: metrics with filters (chart and table), the drill-down list,
the officials report, the Excel export, imports (admin) with their progress, the calendar,
and the feed of the computed late rates into a cycle's rating metrics (admin)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from parindex.accounts.http import AuthedHttpRequest
from parindex.accounts.permissions import is_admin, require_admin_page
from parindex.cycles.selectors import cycle_get
from parindex.dossiers import selectors as sel
from parindex.dossiers.models import SOURCES, CalendarDay, Dossier, OfficialThreshold
from parindex.dossiers.services import (
    calendar_load,
    dossier_feeds,
    dossier_import_request,
)
from parindex.dossiers.xlsx import metrics_xlsx
from parindex.engine.dossier_codes import Period
from parindex.formats.errors import FormatError
from parindex.formats.numbers import vn_number
from parindex.web.charts import chart_number

PAGE = 50


def _period(request: AuthedHttpRequest) -> tuple[Period, str]:
    text = request.GET.get("period") or str(timezone.localdate().year)
    try:
        return Period.parse(text), text
    except ValueError as exc:
        raise ValidationError(f"Kỳ báo cáo {exc}") from None


def _filters(request: AuthedHttpRequest) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in sel.FILTERS:
        value = request.GET.get(name, "").strip()
        if value:
            out[name] = int(value) if name in ("unit", "channel") and value.isdigit() else value
    return out


def _params(period: str, filters: dict[str, Any], **extra: Any) -> str:
    return urlencode({"period": period, **filters, **extra})


@login_required
@require_safe
def metrics(request: AuthedHttpRequest) -> HttpResponse:
    sel.require_reader(request.user)
    by = request.GET.get("by", "unit")
    if by not in sel.GROUP_LABELS:
        by = "unit"
    try:
        period, text = _period(request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        period, text = Period.year(timezone.localdate().year), str(timezone.localdate().year)
    filters = _filters(request)
    rows = sel.metrics_rows(request.user, period, by, filters=filters)
    for r in rows:
        key = {} if by == "month" else {by: r["key"] if r["key"] is not None else ""}
        r["links"] = {
            c: "?" + _params(r["key"] if by == "month" else text, {**filters, **key}, c=c)
            for c in ("received", *sel.CLASS_NAMES, "late_all")
        }
    totals = {f: sum(r[f] for r in rows) for f in ("received", *sel.CLASS_NAMES, "online")}
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
        "rows": rows,
        "totals": totals,
        "by": by,
        "groups": sel.GROUP_LABELS.items(),
        "period": period,
        "period_text": text,
        "filters": filters,
        "units": sel.units_for(request.user).order_by("name"),
        "list_url": reverse("dossiers:list"),
        "xlsx_query": _params(text, filters, by=by),
        "chart": chart,
        "chart_rows": list(zip(chart["labels"], chart["values"], strict=True)),
        "late_chart": late_chart,
        "is_admin": is_admin(request.user),
    }
    return render(request, "dossiers/metrics.html", ctx)


@login_required
@require_safe
def metrics_export(request: AuthedHttpRequest) -> HttpResponse:
    sel.require_reader(request.user)
    by = request.GET.get("by", "unit")
    if by not in sel.GROUP_LABELS:
        by = "unit"
    try:
        period, text = _period(request)
    except ValidationError as exc:
        return HttpResponse(" ".join(exc.messages), status=400)
    rows = sel.metrics_rows(request.user, period, by, filters=_filters(request))
    data = metrics_xlsx(rows, by=by, period=text)
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="ho-so-{text}-{by}.xlsx"'
    return response


@login_required
@require_safe
def dossier_list(request: AuthedHttpRequest) -> HttpResponse:
    """The dossiers behind a number of the metrics page (same filters, a class)."""
    sel.require_reader(request.user)
    try:
        period, text = _period(request)
    except ValidationError as exc:
        return HttpResponse(" ".join(exc.messages), status=400)
    filters = _filters(request)
    cls = request.GET.get("c", "received")
    pks = sel.drill_down(request.user, period, classes=cls, filters=filters)
    page = Paginator(pks, PAGE).get_page(request.GET.get("page"))
    found = Dossier.objects.select_related("unit").in_bulk(list(page.object_list))
    items = [found[pk] for pk in page.object_list if pk in found]
    ctx = {
        "nav": "dossiers",
        "page": page,
        "items": items,
        "count": len(pks),
        "period_text": text,
        "cls": cls,
        "query": _params(text, filters, c=cls),
        "filters": filters,
    }
    return render(request, "dossiers/list.html", ctx)


@login_required
@require_safe
def officials(request: AuthedHttpRequest) -> HttpResponse:
    year_text = request.GET.get("year", "")
    year = int(year_text) if year_text.isdigit() else timezone.localdate().year
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
    return FileResponse(
        job.error_report.open("rb"),
        as_attachment=True,
        filename=f"bao-cao-loi-{job.pk}.csv",
        content_type="text/csv; charset=utf-8",
    )


@login_required
@require_safe
def calendar(request: AuthedHttpRequest) -> HttpResponse:
    sel.require_reader(request.user)
    year_text = request.GET.get("year", "")
    year = int(year_text) if year_text.isdigit() else timezone.localdate().year
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
