"""Pages of the improvement app: the responsibility matrix (edit, copy, "Tiêu chí của
tôi"), the plans with their targets and tasks, the draft from the lost points, approval,
the progress dashboard and the Word/Excel exports. Plain forms with POST-redirect-GET
(:func:`parindex.web.helpers.run_action`); one service per action."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from parindex.accounts.http import AuthedHttpRequest
from parindex.accounts.permissions import is_admin, require_admin_page
from parindex.cycles.models import Cycle
from parindex.downloads import DOCX, XLSX, file_download
from parindex.evidence.views import serve_document
from parindex.frameworks.models import Criterion, Framework
from parindex.improvement import selectors as sel
from parindex.improvement import services as svc
from parindex.improvement.exports import plan_docx, plan_xlsx
from parindex.improvement.models import ImprovementPlan, PlanStatus, WorkStatus
from parindex.improvement.permissions import can_report
from parindex.improvement.services.plans import PLAN_FIELDS
from parindex.improvement.sources import (
    internal_unit_lost,
    national_label,
    national_lost,
    source_label,
)
from parindex.national.selectors import datasets_for
from parindex.units.models import Unit
from parindex.web.helpers import (
    error_messages,
    form_decimal,
    form_id,
    form_texts,
    form_year,
    run_action,
)

# --------------------------------------------------------------------------- form values


def _unit(raw: str | None) -> Unit | None:
    pk = form_id(raw)
    return Unit.objects.filter(pk=pk).first() if pk is not None else None


def _units(values: list[str]) -> list[Unit]:
    ids = [pk for v in values if (pk := form_id(v)) is not None]
    return list(Unit.objects.filter(pk__in=ids))


def _criterion(framework: Framework, raw: str | None) -> Criterion | None:
    text = (raw or "").strip()
    if not text:
        return None
    return Criterion.objects.filter(framework=framework, code=text).first()


def _date(raw: str | None) -> dt.date | None:
    text = (raw or "").strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    if text:
        raise ValidationError({"deadline": f"Thời hạn “{text}” không phải ngày (ngày/tháng/năm)."})
    return None


def _work_context(request: AuthedHttpRequest, work: Any) -> dict[str, Any]:
    """What the matrix row and the task pages share: who may edit (the admin) or report
    progress (the lead unit), the chosen partners, and the units and statuses to pick."""
    return {
        "nav": "improvement",
        "is_admin": is_admin(request.user),
        "can_report": can_report(request.user, work.lead_unit_id),
        "partner_ids": {u.pk for u in work.partner_units.all()},
        **_choices(),
    }


def _choices() -> dict[str, Any]:
    return {
        "all_units": Unit.objects.filter(is_active=True).order_by("name"),
        "statuses": WorkStatus.choices,
    }


# --------------------------------------------------------------------------- matrix


@login_required
@require_safe
def matrix(request: AuthedHttpRequest) -> HttpResponse:
    """The year's matrix for the province-wide roles; the admin edits it here."""
    sel.require_reader(request.user)
    year = form_year(request.GET.get("nam"))
    frameworks = Framework.objects.order_by("-year", "name")
    bo = form_id(request.GET.get("bo"))
    chosen = frameworks.filter(pk=bo).first() if bo is not None else None
    rows = list(sel.matrix_rows(request.user, year))
    framework = chosen or (rows[0].framework if rows else frameworks.first())
    ctx = {
        "nav": "improvement",
        "year": year,
        "years": sorted({*sel.matrix_years(), year, year - 1}, reverse=True),
        "rows": rows,
        "framework": framework,
        "frameworks": frameworks,
        "criteria": sel.framework_criteria(framework) if framework else [],
        "is_admin": is_admin(request.user),
        **_choices(),
    }
    return render(request, "improvement/matrix.html", ctx)


def _matrix_save(request: AuthedHttpRequest, row: Any = None) -> HttpResponse:
    framework = get_object_or_404(Framework, pk=request.POST.get("framework") or 0)
    year = row.year if row else form_year(request.POST.get("year"))
    code = row.criterion.code if row else request.POST.get("criterion")
    return run_action(
        request,
        lambda: svc.matrix_row_save(
            year=year,
            framework=framework,
            criterion=_criterion(framework, code),
            lead_unit=_unit(request.POST.get("lead_unit")),
            partner_units=_units(request.POST.getlist("partner_units")),
            **form_texts(request, "lead_evidence", "partner_evidence"),
            actor=request.user,
        ),
        success=f"Đã lưu phân công tiêu chí {code}.",
        back=f"{reverse('improvement:matrix')}?nam={year}&bo={framework.pk}",
    )


@login_required
@require_POST
def matrix_add(request: AuthedHttpRequest) -> HttpResponse:
    require_admin_page(request.user)
    return _matrix_save(request)


@login_required
def matrix_row(request: AuthedHttpRequest, row_pk: int) -> HttpResponse:
    """One row: the admin's full form; the lead unit's progress form; read for others."""
    row = sel.matrix_row_get(request.user, row_pk)
    if request.method == "POST":
        require_admin_page(request.user)
        return _matrix_save(request, row)
    ctx = {"row": row, **_work_context(request, row)}
    return render(request, "improvement/matrix_row.html", ctx)


@login_required
@require_POST
def matrix_progress(request: AuthedHttpRequest, row_pk: int) -> HttpResponse:
    row = sel.matrix_row_get(request.user, row_pk)
    return run_action(
        request,
        lambda: svc.matrix_row_progress(
            row=row,
            **form_texts(request, "status", "note"),
            actor=request.user,
        ),
        success=f"Đã cập nhật tình trạng tiêu chí {row.criterion.code}.",
        back=reverse("improvement:matrix_row", args=[row.pk]),
    )


@login_required
@require_POST
def matrix_copy(request: AuthedHttpRequest) -> HttpResponse:
    require_admin_page(request.user)
    to_year = form_year(request.POST.get("to_year"))
    from_year = form_year(request.POST.get("from_year") or str(to_year - 1))
    return run_action(
        request,
        lambda: svc.matrix_copy(
            from_year=from_year,
            to_year=to_year,
            confirm=request.POST.get("confirm") == "1",
            actor=request.user,
        ),
        success=f"Đã sao chép ma trận phân công năm {from_year} sang năm {to_year}.",
        back=f"{reverse('improvement:matrix')}?nam={to_year}",
    )


@login_required
@require_safe
def my_criteria(request: AuthedHttpRequest) -> HttpResponse:
    """ "Tiêu chí của tôi": the matrix rows and the open tasks where the user's unit leads or
    partners (every row and task for the province-wide roles)."""
    year = form_year(request.GET.get("nam"))
    unit_id = getattr(request.user, "unit_id", None)
    rows = list(sel.matrix_rows(request.user, year))
    tasks = list(sel.tasks_for(request.user).filter(plan__year=year).order_by("deadline"))
    ctx = {
        "nav": "improvement",
        "year": year,
        "rows": rows,
        "tasks": tasks,
        "unit_id": unit_id,
        "today": timezone.localdate(),
    }
    return render(request, "improvement/my_criteria.html", ctx)


# --------------------------------------------------------------------------- plans


@login_required
def plans(request: AuthedHttpRequest) -> HttpResponse:
    sel.require_reader(request.user)
    if request.method == "POST":
        require_admin_page(request.user)
        framework = get_object_or_404(Framework, pk=request.POST.get("framework") or 0)
        year = form_year(request.POST.get("year"))
        try:
            plan = svc.plan_create(
                year=year,
                framework=framework,
                title=request.POST.get("title", ""),
                actor=request.user,
            )
        except ValidationError as exc:
            for text in error_messages(exc):
                messages.error(request, text)
            return redirect("improvement:plans")
        messages.success(request, f"Đã lập dự thảo kế hoạch năm {year}.")
        return redirect("improvement:plan", plan.pk)
    ctx = {
        "nav": "improvement",
        "plans": sel.plans_for(request.user),
        "frameworks": Framework.objects.order_by("-year", "name"),
        "year": timezone.localdate().year,
        "is_admin": is_admin(request.user),
    }
    return render(request, "improvement/plans.html", ctx)


@login_required
def plan(request: AuthedHttpRequest, plan_pk: int) -> HttpResponse:
    found = sel.plan_get(request.user, plan_pk)
    if request.method == "POST":
        require_admin_page(request.user)
        ranks = ("baseline_rank", "target_rank")
        values = form_texts(request, *PLAN_FIELDS, "baseline_points", "target_points", *ranks)
        return run_action(
            request,
            lambda: svc.plan_update(plan=found, actor=request.user, **values),
            success="Đã lưu mục tiêu và nội dung kế hoạch.",
            back=reverse("improvement:plan", args=[found.pk]),
        )
    admin = is_admin(request.user)
    ctx = {
        "nav": "improvement",
        "plan": found,
        "targets": sel.plan_targets(found),
        "tasks": list(sel.plan_tasks(found)),
        "criteria": sel.framework_criteria(found.framework),
        "is_admin": admin,
        "is_draft": found.status == PlanStatus.DRAFT,
        "cycles": Cycle.objects.order_by("-year") if admin else [],
        "datasets": datasets_for(request.user).filter(framework=found.framework) if admin else [],
        "today": timezone.localdate(),
        **_choices(),
    }
    return render(request, "improvement/plan.html", ctx)


@login_required
@require_POST
def target_set(request: AuthedHttpRequest, plan_pk: int) -> HttpResponse:
    found = sel.admin_plan_get(request.user, plan_pk)
    criterion = _criterion(found.framework, request.POST.get("criterion"))
    return run_action(
        request,
        lambda: svc.target_set(
            plan=found,
            criterion=criterion,
            target_points=form_decimal(request.POST.get("target_points"), "Điểm mục tiêu"),
            baseline_points=form_decimal(request.POST.get("baseline_points"), "Điểm hiện tại"),
            **form_texts(request, "target_rank", "note"),
            actor=request.user,
        ),
        success="Đã lưu mục tiêu tiêu chí.",
        back=reverse("improvement:plan", args=[found.pk]) + "#muc-tieu",
    )


def _task_fields(request: AuthedHttpRequest, found: ImprovementPlan) -> dict[str, Any]:
    return {
        "plan": found,
        **form_texts(request, "title", "description"),
        "criterion": _criterion(found.framework, request.POST.get("criterion")),
        "lead_unit": _unit(request.POST.get("lead_unit")),
        "partner_units": _units(request.POST.getlist("partner_units")),
        "deadline": _date(request.POST.get("deadline")),
        "actor": request.user,
    }


@login_required
@require_POST
def task_add(request: AuthedHttpRequest, plan_pk: int) -> HttpResponse:
    found = sel.admin_plan_get(request.user, plan_pk)
    return run_action(
        request,
        lambda: svc.task_save(**_task_fields(request, found)),
        success="Đã thêm nhiệm vụ.",
        back=reverse("improvement:plan", args=[found.pk]) + "#nhiem-vu",
    )


def _lost_source(request: AuthedHttpRequest, plan: ImprovementPlan) -> tuple[list[Any], str]:
    """The lost rows and the source's label chosen by the draft form; ValidationError with
    the reason when the choice is incomplete or has no result."""
    if request.POST.get("dataset"):
        dataset = datasets_for(request.user).filter(pk=form_id(request.POST["dataset"]) or 0)
        ds = dataset.first()
        if ds is None:
            raise ValidationError("Không có bộ số liệu quốc gia đã chọn.")
        if ds.framework_id != plan.framework_id:
            raise ValidationError(
                f"{ds} dùng bộ tiêu chí {ds.framework.code}, kế hoạch dùng "
                f"{plan.framework.code}: chọn bộ số liệu cùng bộ tiêu chí."
            )
        return national_lost(request.user, dataset=ds), national_label(ds)
    cycle = Cycle.objects.filter(pk=form_id(request.POST.get("cycle")) or 0).first()
    unit = _unit(request.POST.get("unit"))
    if cycle is None or unit is None:
        raise ValidationError("Cần chọn kỳ đánh giá và đơn vị để lấy điểm bị trừ.")
    try:
        return internal_unit_lost(request.user, cycle=cycle, unit=unit), source_label(cycle, unit)
    except Http404:
        raise ValidationError(f"{unit.name} chưa có kết quả trong {cycle.name}.") from None


@login_required
@require_POST
def plan_generate(request: AuthedHttpRequest, plan_pk: int) -> HttpResponse:
    """Draft the plan from the lost points of a source: the province in a national dataset
    (``dataset``), or a unit of an internal cycle (``cycle`` and ``unit``)."""
    found = sel.admin_plan_get(request.user, plan_pk)
    back = reverse("improvement:plan", args=[found.pk])
    try:
        lost, label = _lost_source(request, found)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(back)
    outcome: dict[str, Any] = {}

    def draft() -> None:
        outcome["r"] = svc.plan_draft_generate(
            plan=found, lost=lost, actor=request.user, source=label
        )

    response = run_action(request, draft, success="Đã lập dự thảo từ điểm bị trừ.", back=back)
    result = outcome.get("r")
    if result is not None:
        messages.info(request, f"{result.targets} mục tiêu, {result.tasks} nhiệm vụ mới.")
        if result.without_lead:
            messages.warning(
                request,
                "Chưa có đơn vị chủ trì trong ma trận phân công cho tiêu chí "
                f"{', '.join(result.without_lead)}: chưa lập nhiệm vụ.",
            )
    return response


@login_required
@require_POST
def plan_approve(request: AuthedHttpRequest, plan_pk: int) -> HttpResponse:
    found = sel.admin_plan_get(request.user, plan_pk)
    return run_action(
        request,
        lambda: svc.plan_approve(plan=found, actor=request.user),
        success="Đã phê duyệt kế hoạch; các đơn vị chủ trì được nhắc hạn nhiệm vụ.",
        back=reverse("improvement:plan", args=[found.pk]),
    )


@login_required
@require_safe
def dashboard(request: AuthedHttpRequest, plan_pk: int) -> HttpResponse:
    found = sel.plan_get(request.user, plan_pk)
    board = sel.dashboard(request.user, found)
    chart = {
        "kind": "changes",
        "title": "Tỷ lệ nhiệm vụ hoàn thành theo đơn vị chủ trì (%)",
        "labels": [t.label for t in board.by_unit],
        "values": [t.percent_done for t in board.by_unit],
    }
    ctx = {"nav": "improvement", "plan": found, "board": board, "chart": chart}
    return render(request, "improvement/dashboard.html", ctx)


@login_required
@require_safe
def export_docx(request: AuthedHttpRequest, plan_pk: int) -> HttpResponse:
    found = sel.plan_get(request.user, plan_pk)
    name = f"ke-hoach-cai-thien-{found.year}.docx"
    return file_download(plan_docx(request.user, found), filename=name, content_type=DOCX)


@login_required
@require_safe
def export_xlsx(request: AuthedHttpRequest, plan_pk: int) -> HttpResponse:
    found = sel.plan_get(request.user, plan_pk)
    name = f"ke-hoach-cai-thien-{found.year}.xlsx"
    return file_download(plan_xlsx(request.user, found), filename=name, content_type=XLSX)


# --------------------------------------------------------------------------- tasks


@login_required
def task(request: AuthedHttpRequest, task_pk: int) -> HttpResponse:
    """A task: its history and evidence; the admin's edit form; the lead unit's progress."""
    found = sel.task_get(request.user, task_pk)
    if request.method == "POST":
        require_admin_page(request.user)
        return run_action(
            request,
            lambda: svc.task_save(task=found, **_task_fields(request, found.plan)),
            success="Đã lưu nhiệm vụ.",
            back=reverse("improvement:task", args=[found.pk]),
        )
    ctx = {
        "task": found,
        "notes": found.notes.select_related("author"),
        "evidence": found.evidence.select_related("document"),
        "overdue": sel.is_overdue(found),
        "criteria": sel.framework_criteria(found.plan.framework),
        **_work_context(request, found),
    }
    return render(request, "improvement/task.html", ctx)


@login_required
@require_POST
def task_progress(request: AuthedHttpRequest, task_pk: int) -> HttpResponse:
    found = sel.task_get(request.user, task_pk)
    return run_action(
        request,
        lambda: svc.task_progress(
            task=found,
            progress=request.POST.get("progress", "0") or "0",
            **form_texts(request, "status", "note"),
            actor=request.user,
        ),
        success="Đã cập nhật tiến độ nhiệm vụ.",
        back=reverse("improvement:task", args=[found.pk]),
    )


@login_required
@require_safe
def task_document(request: AuthedHttpRequest, task_pk: int, document_pk: int) -> FileResponse:
    """A task's evidence file for everyone who may read the task, partners included (the
    evidence library itself stays the lead unit's)."""
    return serve_document(sel.task_document_get(request.user, task_pk, document_pk))


@login_required
@require_POST
def task_evidence(request: AuthedHttpRequest, task_pk: int) -> HttpResponse:
    found = sel.task_get(request.user, task_pk)
    return run_action(
        request,
        lambda: svc.task_evidence_add(
            task=found,
            file=request.FILES.get("file"),
            title=request.POST.get("title", ""),
            actor=request.user,
        ),
        success="Đã thêm tài liệu kiểm chứng.",
        back=reverse("improvement:task", args=[found.pk]) + "#tai-lieu",
    )
