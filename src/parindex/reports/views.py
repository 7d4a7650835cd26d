"""Pages: "Xuất báo cáo" per cycle (job history with progress, request buttons, downloads)
and the Word template page (admin). Admin, council and leader only; everyone else 404."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_safe

from parindex.accounts.http import AuthedHttpRequest
from parindex.accounts.models import User
from parindex.cycles.models import Cycle
from parindex.cycles.selectors import cycle_get
from parindex.downloads import file_download
from parindex.jobs.status import JobStatus
from parindex.reports.document import KNOWN_VARIABLES, REQUIRED_VARIABLES, template_path
from parindex.reports.models import CONTENT_TYPES, ExportJob, ExportKind, ReportTemplate
from parindex.reports.services import (
    can_export,
    can_manage_templates,
    export_request,
    file_name,
    report_template_reset,
    report_template_upload,
)
from parindex.results.selectors import result_set_for

HISTORY = 30


def _cycle_for_export(user: User, pk: int) -> Cycle:
    if not can_export(user):
        raise Http404
    return cycle_get(user, pk)


def _jobs(cycle: Any) -> list[ExportJob]:
    return list(ExportJob.objects.filter(cycle=cycle).select_related("requested_by")[:HISTORY])


#: The file names the status region announces when a watched job is ready (issue 13 part 2).
READY_NAMES: dict[str, str] = {
    ExportKind.XLSX: "Tệp Excel",
    ExportKind.DOCX: "Tệp Word",
    ExportKind.PDF: "Tệp PDF",
    ExportKind.CSV: "Tệp CSV",
    ExportKind.JSON: "Tệp JSON",
}


def _watched(request: AuthedHttpRequest) -> set[int]:
    """The jobs the page was waiting for when it polled (``?watch=1,2``)."""
    return {int(x) for x in request.GET.get("watch", "").split(",") if x.isdigit()}


def _jobs_context(cycle: Any, watched: set[int] | None = None) -> dict[str, Any]:
    jobs = _jobs(cycle)
    active = [j.pk for j in jobs if j.active]
    ready = [
        f"{READY_NAMES.get(j.kind, 'Tệp')} đã sẵn sàng"
        for j in jobs
        if watched and j.pk in watched and j.status == JobStatus.DONE
    ]
    return {
        "cycle": cycle,
        "jobs": jobs,
        "polling": bool(active),
        "watch": ",".join(str(pk) for pk in active),
        "status_text": "; ".join(ready),
    }


@login_required
def exports(request: AuthedHttpRequest, cycle_id: int) -> HttpResponse:
    cycle = _cycle_for_export(request.user, cycle_id)
    if request.method == "POST":
        kind = request.POST.get("kind", "")
        htmx = request.headers.get("HX-Request") == "true"
        try:
            export_request(cycle=cycle, kind=kind, actor=request.user)
        except ValidationError as exc:
            text = " ".join(exc.messages)
            if not htmx:
                messages.error(request, text)
        else:
            text = f"Đã đưa yêu cầu xuất {ExportKind(kind).label} vào hàng đợi."
            if not htmx:
                messages.success(request, text)
        if htmx:  # the job list, and the outcome in the status region (out of band)
            ctx = _jobs_context(cycle)
            ctx["status_text"] = text
            return render(request, "reports/_jobs.html", ctx)
        return redirect("reports:exports", cycle.pk)

    ctx = _jobs_context(cycle)
    ctx.update(
        {
            "kinds": ExportKind.choices,
            "result_set": result_set_for(request.user, cycle),
            "can_manage_templates": can_manage_templates(request.user),
            "nav": "exports",
        }
    )
    return render(request, "reports/exports.html", ctx)


@login_required
@require_safe
def jobs(request: AuthedHttpRequest, cycle_id: int) -> HttpResponse:
    """The job list alone (htmx polls it every 2 s while a job is queued or running)."""
    cycle = _cycle_for_export(request.user, cycle_id)
    return render(request, "reports/_jobs.html", _jobs_context(cycle, _watched(request)))


@login_required
@require_safe
def download(request: AuthedHttpRequest, pk: int) -> FileResponse:
    if not can_export(request.user):
        raise Http404
    job = get_object_or_404(ExportJob.objects.select_related("cycle"), pk=pk)
    cycle_get(request.user, job.cycle_id)  # 404 outside the user's cycles
    if job.status != JobStatus.DONE or not job.file:
        raise Http404("Tệp chưa sẵn sàng.")
    try:
        handle = job.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("Không tìm thấy tệp.") from exc
    return file_download(
        handle,
        filename=file_name(job.cycle, job.kind),
        content_type=CONTENT_TYPES[ExportKind(job.kind)],
    )


@login_required
def template_page(request: AuthedHttpRequest) -> HttpResponse:
    if not can_manage_templates(request.user):
        raise Http404

    if request.method == "POST":
        if request.POST.get("action") == "reset":
            report_template_reset(actor=request.user)
            messages.success(request, "Đã quay về mẫu báo cáo mặc định.")
            return redirect("reports:template")
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, "Chưa chọn tệp mẫu .docx.")
        else:
            try:
                report_template_upload(
                    file=upload, actor=request.user, name=request.POST.get("name", "")
                )
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, "Đã thay mẫu báo cáo Word.")
                return redirect("reports:template")
    current = ReportTemplate.objects.filter(is_active=True).select_related("uploaded_by").first()
    return render(
        request,
        "reports/template.html",
        {
            "current": current,
            "history": ReportTemplate.objects.select_related("uploaded_by")[:10],
            "path": template_path(),
            "required": sorted(REQUIRED_VARIABLES),
            "known": sorted(KNOWN_VARIABLES),
            "nav": "exports",
        },
    )


@login_required
@require_safe
def template_download(request: AuthedHttpRequest) -> FileResponse:
    """The template in use (to edit it and upload it back)."""
    if not can_manage_templates(request.user):
        raise Http404

    return file_download(
        template_path().open("rb"),
        filename="bao-cao-ket-qua.docx",
        content_type=CONTENT_TYPES[ExportKind.DOCX],
    )
