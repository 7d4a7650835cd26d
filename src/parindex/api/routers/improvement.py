"""Improvement (issue 12 parts 5–6): the responsibility matrix, the plans, their targets
and tasks, and the plan's Word/Excel exports. The same services and selectors as the pages:
the admin writes everything; a lead unit's staff and head report the progress of their own
matrix rows and tasks (403 for a partner, 404 for another unit); the province-wide roles
read; draft plans are the admin's."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from ninja import Router, Schema, Status

from parindex.accounts.http import ApiRequest
from parindex.api import schemas as s
from parindex.api.lookups import found_or_invalid, unit_by_code
from parindex.api.schemas import Id
from parindex.cycles.models import Cycle
from parindex.downloads import DOCX, XLSX, file_download
from parindex.frameworks.models import Criterion, Framework
from parindex.improvement import selectors as sel
from parindex.improvement import services as svc
from parindex.improvement.exports import plan_docx, plan_xlsx
from parindex.improvement.models import (
    ImprovementPlan,
    PlanTarget,
    PlanTask,
    ResponsibilityRow,
)
from parindex.improvement.sources import (
    internal_unit_lost,
    national_label,
    national_lost,
    source_label,
)
from parindex.national.selectors import dataset_get
from parindex.units.models import Unit

router = Router(tags=["Kế hoạch cải thiện chỉ số"])

EXPORTS = {"docx": DOCX, "xlsx": XLSX}


class MatrixRowOut(Schema):
    id: int
    year: int
    framework: str
    criterion: str
    criterion_name: str
    lead_unit: str
    partner_units: list[str]
    lead_evidence: str
    partner_evidence: str
    status: str
    note: str


class MatrixRowIn(Schema):
    year: int
    framework: str
    criterion: str
    lead_unit: str | None = None
    partner_units: list[str] = []
    lead_evidence: str = ""
    partner_evidence: str = ""


class ProgressIn(Schema):
    status: str
    note: str = ""


class PlanOut(Schema):
    id: int
    year: int
    framework: str
    title: str
    status: str
    baseline_points: Decimal | None
    baseline_rank: int | None
    target_points: Decimal | None
    target_rank: int | None


class PlanIn(Schema):
    year: int
    framework: str
    title: str = ""


class TargetOut(Schema):
    criterion: str
    max_points: Decimal | None
    baseline_points: Decimal | None
    target_points: Decimal | None
    target_rank: int | None


class TargetIn(Schema):
    criterion: str
    target_points: Decimal | None = None
    target_rank: int | None = None
    baseline_points: Decimal | None = None


class TaskOut(Schema):
    id: int
    plan: int
    title: str
    criterion: str | None
    lead_unit: str
    partner_units: list[str]
    deadline: dt.date
    status: str
    progress: int
    overdue: bool


class TaskIn(Schema):
    title: str
    lead_unit: str | None = None
    deadline: dt.date | None = None
    criterion: str | None = None
    partner_units: list[str] = []
    description: str = ""


class DraftIn(Schema):
    #: The source: a national dataset (the home province's losses), or a cycle and a unit.
    dataset_id: int | None = None
    cycle_id: int | None = None
    unit: str | None = None


class DraftOut(Schema):
    targets: int
    tasks: int
    without_lead: list[str]
    kept: list[str]


class TaskProgressIn(ProgressIn):
    progress: int = 0


def _codes(units: Any) -> list[str]:
    return [u.code for u in units.all()]


def _row_out(r: ResponsibilityRow) -> dict[str, Any]:
    return {
        "id": r.pk,
        "year": r.year,
        "framework": r.framework.code,
        "criterion": r.criterion.code,
        "criterion_name": r.criterion.name,
        "lead_unit": r.lead_unit.code,
        "partner_units": _codes(r.partner_units),
        "lead_evidence": r.lead_evidence,
        "partner_evidence": r.partner_evidence,
        "status": r.status,
        "note": r.note,
    }


def _plan_out(p: ImprovementPlan) -> dict[str, Any]:
    fields = ("id", "year", "title", "status", "baseline_points", "baseline_rank")
    return {
        **{f: getattr(p, f) for f in fields},
        "framework": p.framework.code,
        "target_points": p.target_points,
        "target_rank": p.target_rank,
    }


def _target_out(t: PlanTarget) -> dict[str, Any]:
    return {
        "criterion": t.criterion.code,
        "max_points": t.criterion.max_points,
        "baseline_points": t.baseline_points,
        "target_points": t.target_points,
        "target_rank": t.target_rank,
    }


def _task_out(t: PlanTask) -> dict[str, Any]:
    return {
        "id": t.pk,
        "plan": t.plan_id,
        "title": t.title,
        "criterion": t.criterion.code if t.criterion_id else None,
        "lead_unit": t.lead_unit.code,
        "partner_units": _codes(t.partner_units),
        "deadline": t.deadline,
        "status": t.status,
        "progress": t.progress,
        "overdue": sel.is_overdue(t),
    }


def _unit(code: str | None) -> Unit | None:
    return unit_by_code(code, "lead_unit") if code else None


def _units(codes: list[str]) -> list[Unit]:
    found = list(Unit.objects.filter(code__in=codes))
    unknown = sorted(set(codes) - {u.code for u in found})
    if unknown:
        raise ValidationError({"partner_units": f"Không có đơn vị mã {', '.join(unknown)}."})
    return found


def _criterion(framework: Framework, code: str | None) -> Criterion | None:
    if not code:
        return None
    found = Criterion.objects.filter(framework=framework, code=code)
    return found_or_invalid(found, "criterion", f"Bộ tiêu chí không có tiêu chí “{code}”.")


def _framework(code: str) -> Framework:
    found = Framework.objects.filter(code=code)
    return found_or_invalid(found, "framework", f"Không có bộ tiêu chí mã “{code}”.")


# --------------------------------------------------------------------------- matrix


@router.get(
    "/improvement/matrix",
    response={200: list[MatrixRowOut], **s.ERRORS},
    summary="Ma trận phân công tiêu chí của một năm",
    description=(
        "Năm mặc định là năm nay. Người dùng đơn vị chỉ thấy các tiêu chí đơn vị mình chủ trì "
        "hoặc phối hợp."
    ),
)
def matrix_list(request: ApiRequest, year: int | None = None) -> Any:
    year = year or timezone.localdate().year
    return [_row_out(r) for r in sel.matrix_rows(request.auth, year)]


@router.post(
    "/improvement/matrix",
    response={201: MatrixRowOut, **s.ERRORS},
    summary="Phân công một tiêu chí (Quản trị)",
)
def matrix_save(request: ApiRequest, payload: MatrixRowIn) -> Any:
    framework = _framework(payload.framework)
    row = svc.matrix_row_save(
        year=payload.year,
        framework=framework,
        criterion=_criterion(framework, payload.criterion),
        lead_unit=_unit(payload.lead_unit),
        partner_units=_units(payload.partner_units),
        lead_evidence=payload.lead_evidence,
        partner_evidence=payload.partner_evidence,
        actor=request.auth,
    )
    return Status(201, _row_out(sel.matrix_row_get(request.auth, row.pk)))


@router.get(
    "/improvement/matrix/{row_id}",
    response={200: MatrixRowOut, **s.ERRORS},
    summary="Một dòng phân công",
)
def matrix_detail(request: ApiRequest, row_id: Id) -> Any:
    return _row_out(sel.matrix_row_get(request.auth, row_id))


@router.post(
    "/improvement/matrix/{row_id}/progress",
    response={200: MatrixRowOut, **s.ERRORS},
    summary="Cập nhật tình trạng một tiêu chí (đơn vị chủ trì hoặc Quản trị)",
)
def matrix_progress(request: ApiRequest, row_id: Id, payload: ProgressIn) -> Any:
    row = sel.matrix_row_get(request.auth, row_id)
    svc.matrix_row_progress(row=row, status=payload.status, note=payload.note, actor=request.auth)
    return _row_out(sel.matrix_row_get(request.auth, row_id))


# --------------------------------------------------------------------------- plans


@router.get(
    "/improvement/plans",
    response={200: list[PlanOut], **s.ERRORS},
    summary="Các kế hoạch cải thiện",
    description="Quản trị thấy cả dự thảo; lãnh đạo, hội đồng, thẩm định viên thấy bản đã duyệt.",
)
def plan_list(request: ApiRequest) -> Any:
    return [_plan_out(p) for p in sel.plans_for(request.auth)]


@router.post(
    "/improvement/plans",
    response={201: PlanOut, **s.ERRORS},
    summary="Lập dự thảo kế hoạch của một năm (Quản trị)",
)
def plan_create(request: ApiRequest, payload: PlanIn) -> Any:
    plan = svc.plan_create(
        year=payload.year,
        framework=_framework(payload.framework),
        title=payload.title,
        actor=request.auth,
    )
    return Status(201, _plan_out(plan))


@router.get(
    "/improvement/plans/{plan_id}", response={200: PlanOut, **s.ERRORS}, summary="Một kế hoạch"
)
def plan_detail(request: ApiRequest, plan_id: Id) -> Any:
    return _plan_out(sel.plan_get(request.auth, plan_id))


@router.post(
    "/improvement/plans/{plan_id}/approve",
    response={200: PlanOut, **s.ERRORS},
    summary="Phê duyệt dự thảo (Quản trị)",
    description="409 khi kế hoạch không còn là dự thảo.",
)
def plan_approve(request: ApiRequest, plan_id: Id) -> Any:
    plan = sel.admin_plan_get(request.auth, plan_id)
    return _plan_out(svc.plan_approve(plan=plan, actor=request.auth))


@router.post(
    "/improvement/plans/{plan_id}/draft",
    response={200: DraftOut, **s.ERRORS},
    summary="Lập dự thảo từ điểm bị trừ (Quản trị)",
    description=(
        "Nguồn: dataset_id (điểm tỉnh bị trừ trong kết quả quốc gia) hoặc cycle_id và unit "
        "(một đơn vị trong một kỳ đánh giá). Mỗi tiêu chí bị trừ điểm: một mục tiêu và "
        "một nhiệm vụ do đơn vị chủ trì trong ma trận "
        "phân công thực hiện. 409 khi kế hoạch đã được phê duyệt."
    ),
)
def plan_draft(request: ApiRequest, plan_id: Id, payload: DraftIn) -> Any:
    plan = sel.admin_plan_get(request.auth, plan_id)
    if payload.dataset_id is not None:
        ds = dataset_get(request.auth, payload.dataset_id)
        if ds.framework_id != plan.framework_id:
            raise ValidationError("Bộ số liệu quốc gia không cùng bộ tiêu chí với kế hoạch.")
        lost, label = national_lost(request.auth, dataset=ds), national_label(ds)
    else:
        cycle = Cycle.objects.filter(pk=payload.cycle_id or 0).first()
        unit = Unit.objects.filter(code=payload.unit or "").first()
        if cycle is None or unit is None:
            raise ValidationError("Không có kỳ đánh giá hoặc đơn vị đã chọn.")
        lost = internal_unit_lost(request.auth, cycle=cycle, unit=unit)
        label = source_label(cycle, unit)
    result = svc.plan_draft_generate(plan=plan, lost=lost, actor=request.auth, source=label)
    return {
        "targets": result.targets,
        "tasks": result.tasks,
        "without_lead": result.without_lead,
        "kept": result.kept,
    }


@router.get(
    "/improvement/plans/{plan_id}/targets",
    response={200: list[TargetOut], **s.ERRORS},
    summary="Mục tiêu theo tiêu chí của kế hoạch",
)
def target_list(request: ApiRequest, plan_id: Id) -> Any:
    return [_target_out(t) for t in sel.plan_targets(sel.plan_get(request.auth, plan_id))]


@router.put(
    "/improvement/plans/{plan_id}/targets",
    response={200: TargetOut, **s.ERRORS},
    summary="Đặt mục tiêu một tiêu chí (Quản trị)",
    description="Điểm mục tiêu vượt điểm tối đa của tiêu chí: 400, không lưu gì.",
)
def target_put(request: ApiRequest, plan_id: Id, payload: TargetIn) -> Any:
    plan = sel.admin_plan_get(request.auth, plan_id)
    target = svc.target_set(
        plan=plan,
        criterion=_criterion(plan.framework, payload.criterion),
        target_points=payload.target_points,
        target_rank=payload.target_rank,
        baseline_points=payload.baseline_points,
        actor=request.auth,
    )
    return _target_out(target)


def _task_fields(request: ApiRequest, plan: ImprovementPlan, payload: TaskIn) -> dict[str, Any]:
    """``task_save``'s keywords from the body, for a new task and an edited one alike."""
    return {
        "plan": plan,
        "title": payload.title,
        "lead_unit": _unit(payload.lead_unit),
        "deadline": payload.deadline,
        "criterion": _criterion(plan.framework, payload.criterion),
        "partner_units": _units(payload.partner_units),
        "description": payload.description,
        "actor": request.auth,
    }


@router.get(
    "/improvement/plans/{plan_id}/tasks",
    response={200: list[TaskOut], **s.ERRORS},
    summary="Nhiệm vụ của kế hoạch",
)
def task_list(request: ApiRequest, plan_id: Id) -> Any:
    return [_task_out(t) for t in sel.plan_tasks(sel.plan_get(request.auth, plan_id))]


@router.post(
    "/improvement/plans/{plan_id}/tasks",
    response={201: TaskOut, **s.ERRORS},
    summary="Thêm nhiệm vụ (Quản trị)",
    description="Thiếu đơn vị chủ trì hoặc thời hạn: 400, không lưu gì.",
)
def task_create(request: ApiRequest, plan_id: Id, payload: TaskIn) -> Any:
    plan = sel.admin_plan_get(request.auth, plan_id)
    task = svc.task_save(**_task_fields(request, plan, payload))
    return Status(201, _task_out(sel.task_get(request.auth, task.pk)))


@router.get(
    "/improvement/plans/{plan_id}/export.{fmt}",
    response={200: None, **s.ERRORS},
    openapi_extra=s.file_content(EXPORTS.values(), "Kế hoạch (Word) hoặc bảng nhiệm vụ (Excel)"),
    summary="Xuất kế hoạch: docx (Word “Kế hoạch”) hoặc xlsx",
)
def plan_export(request: ApiRequest, plan_id: Id, fmt: str) -> Any:
    plan = sel.plan_get(request.auth, plan_id)
    if fmt not in EXPORTS:
        raise ValidationError({"fmt": "Chỉ xuất docx hoặc xlsx."})
    build = plan_docx if fmt == "docx" else plan_xlsx
    return file_download(
        build(request.auth, plan),
        filename=f"ke-hoach-cai-thien-{plan.year}.{fmt}",
        content_type=EXPORTS[fmt],
    )


# --------------------------------------------------------------------------- tasks


@router.get(
    "/improvement/tasks/{task_id}", response={200: TaskOut, **s.ERRORS}, summary="Một nhiệm vụ"
)
def task_detail(request: ApiRequest, task_id: Id) -> Any:
    return _task_out(sel.task_get(request.auth, task_id))


@router.put(
    "/improvement/tasks/{task_id}",
    response={200: TaskOut, **s.ERRORS},
    summary="Sửa nhiệm vụ (Quản trị)",
    description="Thiếu đơn vị chủ trì hoặc thời hạn: 400, không lưu gì.",
)
def task_update(request: ApiRequest, task_id: Id, payload: TaskIn) -> Any:
    task = sel.task_get(request.auth, task_id)
    svc.task_save(task=task, **_task_fields(request, task.plan, payload))
    return _task_out(sel.task_get(request.auth, task_id))


@router.post(
    "/improvement/tasks/{task_id}/progress",
    response={200: TaskOut, **s.ERRORS},
    summary="Cập nhật tiến độ nhiệm vụ (đơn vị chủ trì hoặc Quản trị)",
)
def task_progress(request: ApiRequest, task_id: Id, payload: TaskProgressIn) -> Any:
    task = sel.task_get(request.auth, task_id)
    svc.task_progress(
        task=task,
        status=payload.status,
        progress=payload.progress,
        note=payload.note,
        actor=request.auth,
    )
    return _task_out(sel.task_get(request.auth, task_id))
