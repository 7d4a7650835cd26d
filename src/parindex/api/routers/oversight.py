"""Inspections, initiatives and the target register (issue 12 parts 7–9). The same
selectors and services as the pages: the admin, the council and the leaders read
everything, a unit's users their own unit's rows (404 for others); the admin writes, a
unit updates the resolution of the findings addressed to it and registers its own
initiatives (403 for a reader who may not act)."""

from datetime import date
from decimal import Decimal
from typing import Any

from django.http import Http404
from django.utils import timezone
from ninja import Field, Router, Schema, Status

from parindex.accounts.http import ApiRequest
from parindex.api import schemas as s
from parindex.api.lookups import unit_by_code
from parindex.api.schemas import Id, Text, Year
from parindex.cycles.models import Cycle
from parindex.cycles.selectors import cycle_get
from parindex.oversight import selectors as sel
from parindex.oversight.models import (
    Finding,
    FindingStatus,
    Initiative,
    InitiativeLevel,
    InspectionPlan,
    InspectionRecord,
    PlannedInspection,
    TargetIndicator,
    TargetKind,
)
from parindex.oversight.services import (
    TargetFields,
    finding_correct,
    finding_create,
    finding_resolve,
    initiative_register,
    inspection_plan_save,
    inspection_record_correct,
    inspection_record_create,
    planned_inspection_add,
    target_save,
    targets_feed,
)
from parindex.units.models import Unit

router = Router(tags=["Kiểm tra CCHC, sáng kiến, sổ chỉ tiêu"])


class InspectionPlanIn(Schema):
    title: Text
    min_share: Decimal = Field(Decimal("30"), gt=0, le=100)
    decision: str = ""


class CoverageKindOut(Schema):
    kind: str
    label: str
    total: int
    planned: int
    required: int
    short: int


class InspectionPlanOut(Schema):
    id: int
    cycle: int
    title: str
    decision: str
    min_share: Decimal
    total_units: int
    planned_units: int
    inspected_units: int
    required_units: int
    short: int
    warning: str
    by_kind: list[CoverageKindOut]


class InspectionEntryIn(Schema):
    unit: Text
    planned_on: date
    team: Text
    note: str = ""


class InspectionEntryOut(Schema):
    id: int
    unit: str
    unit_name: str
    planned_on: date
    team: str
    note: str


class InspectionRecordIn(Schema):
    inspected_on: date
    team: Text
    content: Text


class InspectionRecordOut(Schema):
    id: int
    entry: int
    unit: str
    inspected_on: date
    team: str
    content: str


class FindingIn(Schema):
    issue: Text
    recommendation: Text
    due_on: date | None = None


class FindingResolutionIn(Schema):
    status: FindingStatus
    reason: str = ""
    note: str = ""


class FindingOut(Schema):
    id: int
    record: int
    unit: str
    issue: str
    recommendation: str
    due_on: date | None
    status: str
    reason: str
    resolution_note: str


class FindingReportRow(Schema):
    unit: str
    unit_name: str
    recommended: int
    resolved: int
    in_progress: int
    unresolved: int
    reasons: list[str]


class FindingReportOut(Schema):
    rows: list[FindingReportRow]
    total: FindingReportRow


class InitiativeIn(Schema):
    unit: Text
    year: Year
    title: Text
    summary: str = ""
    authors: str = ""
    level: InitiativeLevel = InitiativeLevel.UNIT
    recognised_on: date | None = None
    decision: str = ""


class InitiativeOut(Schema):
    id: int
    unit: str
    year: int
    title: str
    summary: str
    authors: str
    level: str
    recognised_on: date | None
    decision: str
    has_file: bool


class InitiativeDepartmentOut(Schema):
    unit: str
    name: str
    count: int
    met: bool


class InitiativeProgressOut(Schema):
    year: int
    per_department: int
    ministry_goal: int
    ministry: int
    ministry_met: bool
    by_level: dict[str, int]
    departments_missing: list[str]
    departments: list[InitiativeDepartmentOut]


class TargetRowIn(Schema):
    kind: TargetKind
    name: Text
    unit: Text
    lead_unit: Text
    measure: Text
    target: s.Points
    actual: s.Points | None = None
    formula: str = "ratio"
    criterion: str = ""
    note: str = ""


class TargetRowOut(Schema):
    id: int
    cycle: int
    kind: str
    name: str
    unit: str
    lead_unit: str
    measure: str
    target: Decimal
    actual: Decimal | None
    formula: str
    criterion: str | None
    note: str


def _cycle(request: ApiRequest, cycle_id: int) -> Cycle:
    sel.require_reader(request.auth)
    return cycle_get(request.auth, cycle_id)


def _plan(request: ApiRequest, plan_id: int) -> InspectionPlan:
    plan = sel.plan_get(request.auth, plan_id)
    cycle_get(request.auth, plan.cycle_id)  # a unit sees the plans of its own cycles only
    return plan


def _with_unit(payload: Schema) -> dict[str, Any]:
    """The body's fields as the service's keywords, its unit code as the unit (400 when no
    unit has it)."""
    fields = payload.dict()
    fields["unit"] = unit_by_code(fields["unit"])
    return fields


def plan_out(plan: InspectionPlan) -> dict[str, Any]:
    c = sel.plan_coverage(plan)
    warning = (
        f"Kế hoạch chưa đủ: {c.planned}/{c.total} đơn vị, cần ít nhất {c.required}."
        if c.short
        else ""
    )
    kinds = [
        {"kind": k.kind, "label": k.label, "total": k.total, "planned": k.planned,
         "required": k.required, "short": k.short}
        for k in c.by_kind
    ]  # fmt: skip
    return {
        "id": plan.pk, "cycle": plan.cycle_id, "title": plan.title, "decision": plan.decision,
        "min_share": plan.min_share, "total_units": c.total, "planned_units": c.planned,
        "inspected_units": c.inspected, "required_units": c.required, "short": c.short,
        "warning": warning, "by_kind": kinds,
    }  # fmt: skip


def entry_out(e: PlannedInspection) -> dict[str, Any]:
    return {
        "id": e.pk, "unit": e.unit.code, "unit_name": e.unit.name, "planned_on": e.planned_on,
        "team": e.team, "note": e.note,
    }  # fmt: skip


def record_out(r: InspectionRecord) -> dict[str, Any]:
    return {
        "id": r.pk, "entry": r.entry_id, "unit": r.entry.unit.code,
        "inspected_on": r.inspected_on, "team": r.team, "content": r.content,
    }  # fmt: skip


def finding_out(f: Finding) -> dict[str, Any]:
    return {
        "id": f.pk, "record": f.record_id, "unit": f.unit.code, "issue": f.issue,
        "recommendation": f.recommendation, "due_on": f.due_on, "status": f.status,
        "reason": f.reason, "resolution_note": f.resolution_note,
    }  # fmt: skip


def initiative_out(i: Initiative) -> dict[str, Any]:
    return {
        "id": i.pk, "unit": i.unit.code, "year": i.year, "title": i.title,
        "summary": i.summary, "authors": i.authors, "level": i.level,
        "recognised_on": i.recognised_on, "decision": i.decision, "has_file": bool(i.file),
    }  # fmt: skip


def target_out(t: TargetIndicator) -> dict[str, Any]:
    return {
        "id": t.pk, "cycle": t.cycle_id, "kind": t.kind, "name": t.name, "unit": t.unit.code,
        "lead_unit": t.lead_unit.code, "measure": t.measure, "target": t.target,
        "actual": t.actual, "formula": t.formula,
        "criterion": t.criterion.code if t.criterion_id else None, "note": t.note,
    }  # fmt: skip


# --------------------------------------------------------------------------- inspections


@router.get(
    "/cycles/{cycle_id}/inspection-plan",
    response={200: InspectionPlanOut, **s.ERRORS},
    summary="Kế hoạch kiểm tra CCHC của kỳ, với độ bao phủ",
)
def plan_detail(request: ApiRequest, cycle_id: Id) -> Any:
    plan = sel.plan_for(request.auth, _cycle(request, cycle_id))
    if plan is None:
        raise Http404
    return plan_out(plan)


@router.put(
    "/cycles/{cycle_id}/inspection-plan",
    response={200: InspectionPlanOut, **s.ERRORS},
    summary="Lập hoặc sửa kế hoạch kiểm tra (Sở Nội vụ)",
)
def plan_put(request: ApiRequest, cycle_id: Id, payload: InspectionPlanIn) -> Any:
    plan = inspection_plan_save(
        cycle=_cycle(request, cycle_id), **payload.dict(), actor=request.auth
    )
    return plan_out(plan)


@router.get(
    "/inspection-plans/{inspection_plan_id}/entries",
    response={200: list[InspectionEntryOut], **s.ERRORS},
    summary="Đơn vị trong kế hoạch kiểm tra",
)
def entry_list(request: ApiRequest, inspection_plan_id: Id) -> Any:
    return [entry_out(e) for e in sel.entries_for(request.auth, _plan(request, inspection_plan_id))]


@router.post(
    "/inspection-plans/{inspection_plan_id}/entries",
    response={201: InspectionEntryOut, **s.ERRORS},
    summary="Thêm đơn vị vào kế hoạch (đơn vị phải tham gia kỳ đánh giá)",
)
def entry_create(request: ApiRequest, inspection_plan_id: Id, payload: InspectionEntryIn) -> Any:
    plan = _plan(request, inspection_plan_id)
    entry = planned_inspection_add(plan=plan, **_with_unit(payload), actor=request.auth)
    return Status(201, entry_out(entry))


@router.get(
    "/inspection-plans/{inspection_plan_id}/records",
    response={200: list[InspectionRecordOut], **s.ERRORS},
    summary="Biên bản kiểm tra",
)
def record_list(request: ApiRequest, inspection_plan_id: Id) -> Any:
    return [
        record_out(r) for r in sel.records_for(request.auth, _plan(request, inspection_plan_id))
    ]


@router.post(
    "/inspection-entries/{entry_id}/records",
    response={201: InspectionRecordOut, **s.ERRORS},
    summary="Ghi biên bản kiểm tra tại một đơn vị trong kế hoạch (Sở Nội vụ)",
)
def record_create(request: ApiRequest, entry_id: Id, payload: InspectionRecordIn) -> Any:
    entry = sel.entry_get(request.auth, entry_id)
    row = inspection_record_create(entry=entry, **payload.dict(), actor=request.auth)
    return Status(201, record_out(row))


@router.get(
    "/inspection-plans/{inspection_plan_id}/findings",
    response={200: list[FindingOut], **s.ERRORS},
    summary="Kiến nghị sau kiểm tra và kết quả xử lý",
)
def finding_list(request: ApiRequest, inspection_plan_id: Id) -> Any:
    return [
        finding_out(f) for f in sel.findings_for(request.auth, _plan(request, inspection_plan_id))
    ]


@router.post(
    "/inspection-records/{record_id}/findings",
    response={201: FindingOut, **s.ERRORS},
    summary="Ghi một kiến nghị của biên bản (Sở Nội vụ)",
)
def finding_post(request: ApiRequest, record_id: Id, payload: FindingIn) -> Any:
    record = sel.record_get(request.auth, record_id)
    row = finding_create(record_row=record, **payload.dict(), actor=request.auth)
    return Status(201, finding_out(row))


@router.put(
    "/findings/{finding_id}/resolution",
    response={200: FindingOut, **s.ERRORS},
    summary="Cập nhật kết quả xử lý kiến nghị (đơn vị được kiến nghị hoặc Sở Nội vụ)",
    description="status: resolved (đã xử lý), in_progress (đang xử lý), unresolved (chưa xử "
    "lý — reason bắt buộc).",
)
def finding_put(request: ApiRequest, finding_id: Id, payload: FindingResolutionIn) -> Any:
    finding = sel.finding_get(request.auth, finding_id)
    return finding_out(finding_resolve(finding=finding, **payload.dict(), actor=request.auth))


@router.put(
    "/inspection-records/{record_id}",
    response={200: InspectionRecordOut, **s.ERRORS},
    summary="Sửa biên bản kiểm tra (Sở Nội vụ; nội dung cũ còn trong nhật ký)",
)
def record_put(request: ApiRequest, record_id: Id, payload: InspectionRecordIn) -> Any:
    record = sel.record_get(request.auth, record_id)
    row = inspection_record_correct(record_row=record, **payload.dict(), actor=request.auth)
    return record_out(row)


@router.put(
    "/findings/{finding_id}",
    response={200: FindingOut, **s.ERRORS},
    summary="Sửa vấn đề, kiến nghị, hạn xử lý của một kiến nghị (Sở Nội vụ)",
)
def finding_correct_put(request: ApiRequest, finding_id: Id, payload: FindingIn) -> Any:
    finding = sel.finding_get(request.auth, finding_id)
    return finding_out(finding_correct(finding=finding, **payload.dict(), actor=request.auth))


def _report_row(unit: Unit | None, counts: dict[str, Any]) -> dict[str, Any]:
    keys = ("recommended", "resolved", "in_progress", "unresolved", "reasons")
    return {
        "unit": unit.code if unit else "",
        "unit_name": unit.name if unit else "Tổng cộng",
        **{k: counts[k] for k in keys},
    }


@router.get(
    "/inspection-plans/{inspection_plan_id}/report",
    response={200: FindingReportOut, **s.ERRORS},
    summary="Số vấn đề đã kiến nghị xử lý, đã xử lý xong, chưa xử lý, lý do chưa xử lý",
)
def finding_report(request: ApiRequest, inspection_plan_id: Id) -> Any:
    report = sel.finding_report(request.auth, _plan(request, inspection_plan_id))
    return {
        "rows": [_report_row(r["unit"], r) for r in report.rows],
        "total": _report_row(None, report.total),
    }


# --------------------------------------------------------------------------- initiatives


@router.get(
    "/initiatives",
    response={200: list[InitiativeOut], **s.ERRORS},
    summary="Sáng kiến CCHC (trong phạm vi của tôi)",
)
def initiative_list(request: ApiRequest, year: Year | None = None) -> Any:
    qs = sel.initiatives_for(request.auth, year).order_by("-year", "unit__name", "pk")
    return [initiative_out(i) for i in qs]


@router.post(
    "/initiatives",
    response={201: InitiativeOut, **s.ERRORS},
    summary="Đăng ký sáng kiến (đơn vị của mình; Sở Nội vụ: mọi đơn vị)",
)
def initiative_create(request: ApiRequest, payload: InitiativeIn) -> Any:
    sel.require_reader(request.auth)
    fields = _with_unit(payload)
    own = sel.own_unit(request.auth)
    if own is not None and fields["unit"].pk != own:  # another unit's register: not in scope
        raise Http404
    return Status(201, initiative_out(initiative_register(**fields, actor=request.auth)))


@router.get(
    "/initiatives/progress",
    response={200: InitiativeProgressOut, **s.ERRORS},
    summary="Tiến độ so với chỉ tiêu sáng kiến của năm (mặc định năm nay)",
)
def initiative_progress(request: ApiRequest, year: Year | None = None) -> Any:
    year = year or timezone.localdate().year
    p = sel.initiative_progress(request.auth, year)
    departments = [
        {"unit": d["unit"].code, "name": d["unit"].name, "count": d["count"], "met": d["met"]}
        for d in p.departments
    ]
    return {
        "year": year, "per_department": p.goal.per_department,
        "ministry_goal": p.goal.ministry, "ministry": p.ministry,
        "ministry_met": p.ministry_met, "by_level": p.by_level,
        "departments_missing": [d["unit"].code for d in p.missing],
        "departments": departments,
    }  # fmt: skip


# --------------------------------------------------------------------------- targets


def _fields(payload: TargetRowIn) -> TargetFields:
    """The row's fields: the body's, with its unit codes as units and its criterion code."""
    return TargetFields(
        **payload.dict(exclude={"unit", "lead_unit", "criterion"}),
        unit=unit_by_code(payload.unit),
        lead_unit=unit_by_code(payload.lead_unit, "lead_unit"),
        criterion_code=payload.criterion,
    )


@router.get(
    "/cycles/{cycle_id}/targets",
    response={200: list[TargetRowOut], **s.ERRORS},
    summary="Sổ chỉ tiêu thống kê của kỳ",
)
def target_list(request: ApiRequest, cycle_id: Id) -> Any:
    return [target_out(t) for t in sel.targets_for(request.auth, _cycle(request, cycle_id))]


@router.post(
    "/cycles/{cycle_id}/targets",
    response={201: TargetRowOut, **s.ERRORS},
    summary="Thêm một dòng sổ chỉ tiêu (Sở Nội vụ)",
)
def target_create(request: ApiRequest, cycle_id: Id, payload: TargetRowIn) -> Any:
    cycle = _cycle(request, cycle_id)
    row = target_save(cycle=cycle, fields=_fields(payload), actor=request.auth)
    return Status(201, target_out(row))


@router.put(
    "/targets/{target_id}",
    response={200: TargetRowOut, **s.ERRORS},
    summary="Sửa một dòng sổ chỉ tiêu (Sở Nội vụ)",
)
def target_put(request: ApiRequest, target_id: Id, payload: TargetRowIn) -> Any:
    row = sel.target_get(request.auth, target_id)
    row = target_save(cycle=row.cycle, fields=_fields(payload), row=row, actor=request.auth)
    return target_out(row)


@router.post(
    "/cycles/{cycle_id}/targets/feed",
    response={200: dict[str, int], **s.ERRORS},
    summary="Tính điểm các tiêu chí thống kê từ sổ chỉ tiêu (Sở Nội vụ)",
)
def target_feed(request: ApiRequest, cycle_id: Id) -> Any:
    return targets_feed(cycle=_cycle(request, cycle_id), actor=request.auth)
