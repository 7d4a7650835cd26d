"""Cycles: list, detail, progress; open (admin), deadline extensions, appraisal teams,
survey/SIPAS/statistic points by CSV."""

from typing import Any

from django.core.exceptions import ValidationError
from ninja import File, Router, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from parindex.accounts.http import ApiRequest
from parindex.accounts.models import User
from parindex.accounts.permissions import require_admin
from parindex.api import schemas as s
from parindex.api.lookups import found_or_invalid
from parindex.api.pagination import Mapped, Pages
from parindex.api.schemas import Id
from parindex.assessments.models import AppraisalAssignment, DeadlineExtension
from parindex.assessments.selectors import progress
from parindex.assessments.services import assignment_set as set_assignment
from parindex.assessments.services import cycle_open as open_cycle
from parindex.assessments.services import deadline_extend, external_points_import
from parindex.cycles.selectors import cycle_get, cycles_for, participants_of
from parindex.formats.scores import read_points
from parindex.formats.text import read_upload
from parindex.frameworks.models import Framework
from parindex.results.services import cycle_stage_move
from parindex.units.models import Unit, UnitGroup

router = Router(tags=["Kỳ đánh giá"])


def _codes(model: Any, codes: list[str], label: str) -> dict[str, Any]:
    """Objects by code, or a ValidationError naming the unknown codes (parsing only)."""
    found = {o.code: o for o in model.objects.filter(code__in=codes)}
    unknown = [c for c in codes if c not in found]
    if unknown:
        raise ValidationError(f"Không có {label} mã: {', '.join(unknown)}.")
    return found


def progress_out(row: Any) -> dict[str, Any]:
    return {
        "assessment": row.assessment.pk,
        "unit": row.unit.code,
        "unit_name": row.unit.name,
        "status": row.status,
        "status_label": row.status_label,
        "self_leaves": row.self_leaves,
        "scored": row.scored,
        "claimed": row.claimed,
        "supported": row.supported,
        "scored_share": str(row.scored_share),
        "evidenced_share": str(row.evidenced_share),
        "stage": row.stage,
        "deadline": row.deadline,
        "days_left": row.days_left,
        "overdue": row.overdue,
    }


@router.get(
    "/cycles",
    response={200: list[s.CycleOut], **s.ERRORS},
    summary="Danh sách kỳ đánh giá",
    description="Các kỳ đánh giá người dùng được xem, mới nhất trước.",
)
@paginate(Pages)
def cycle_list(request: ApiRequest) -> Any:
    return Mapped(cycles_for(request.auth), s.cycle_out)


@router.get(
    "/cycles/{cycle_id}",
    response={200: s.CycleOut, **s.ERRORS},
    summary="Chi tiết kỳ đánh giá",
)
def cycle_detail(request: ApiRequest, cycle_id: Id) -> Any:
    return s.cycle_out(cycle_get(request.auth, cycle_id))


@router.post(
    "/cycles/{cycle_id}/transition",
    response={200: s.CycleOut, **s.ERRORS},
    summary="Chuyển giai đoạn kỳ đánh giá (Sở Nội vụ)",
    description="Sang giai đoạn sau (400 kèm danh sách những gì còn vướng), về giai đoạn "
    "trước hoặc mở lại kỳ đã phê duyệt/công bố (bắt buộc có lý do); sang “published” là "
    "công bố kết quả.",
)
def cycle_transition(request: ApiRequest, cycle_id: Id, payload: s.TransitionIn) -> Any:
    cycle = cycle_get(request.auth, cycle_id)
    moved = cycle_stage_move(cycle=cycle, to=payload.to, reason=payload.reason, actor=request.auth)
    return s.cycle_out(moved)


@router.get(
    "/cycles/{cycle_id}/units",
    response={200: list[s.ParticipantOut], **s.ERRORS},
    summary="Đơn vị tham gia kỳ đánh giá",
)
def cycle_units(request: ApiRequest, cycle_id: Id) -> Any:
    cycle = cycle_get(request.auth, cycle_id)
    return [
        {"unit": p.unit.code, "name": p.unit.name, "group": p.group.code}
        for p in participants_of(request.auth, cycle)
    ]


@router.get(
    "/cycles/{cycle_id}/progress",
    response={200: list[s.ProgressOut], **s.ERRORS},
    summary="Tiến độ của các đơn vị",
    description="Trạng thái, tỷ lệ tiêu chí đã chấm và có tài liệu, số ngày còn lại; "
    "đơn vị quá hạn trước.",
)
def cycle_progress(request: ApiRequest, cycle_id: Id) -> Any:
    cycle = cycle_get(request.auth, cycle_id)
    return [progress_out(r) for r in progress(request.auth, cycle)]


@router.post(
    "/cycles",
    response={201: s.CycleOut, **s.ERRORS},
    summary="Mở kỳ đánh giá (Sở Nội vụ)",
    description="Tạo kỳ, chọn bộ tiêu chí cho từng nhóm, đơn vị tham gia và các hạn; mở "
    "phiếu tự chấm và gửi thông báo.",
)
def cycle_open(request: ApiRequest, payload: s.CycleOpenIn) -> Any:
    groups = _codes(UnitGroup, list(payload.frameworks), "nhóm đơn vị")
    frameworks = _codes(Framework, list(payload.frameworks.values()), "bộ tiêu chí")
    units = _codes(Unit, payload.units, "đơn vị")
    cycle = open_cycle(
        year=payload.year,
        name=payload.name,
        frameworks={groups[g]: frameworks[f] for g, f in payload.frameworks.items()},
        units=[units[c] for c in payload.units],
        deadlines=payload.deadlines,
        actor=request.auth,
    )
    return Status(201, s.cycle_out(cycle))


@router.get(
    "/cycles/{cycle_id}/extensions",
    response={200: list[s.ExtensionOut], **s.ERRORS},
    summary="Các lần gia hạn của kỳ",
)
def extension_list(request: ApiRequest, cycle_id: Id) -> Any:
    cycle = cycle_get(request.auth, cycle_id)
    units = participants_of(request.auth, cycle).values("unit_id")
    qs = DeadlineExtension.objects.filter(cycle=cycle, unit_id__in=units)
    return [s.extension_out(e) for e in qs.select_related("unit", "granted_by")]


@router.post(
    "/cycles/{cycle_id}/extensions",
    response={201: s.ExtensionOut, **s.ERRORS},
    summary="Gia hạn một giai đoạn cho một đơn vị (Sở Nội vụ)",
    description="Ghi lại lý do; hạn mới áp dụng ngay cho đơn vị đó.",
)
def extension_create(request: ApiRequest, cycle_id: Id, payload: s.ExtensionIn) -> Any:
    cycle = cycle_get(request.auth, cycle_id)
    participant = participants_of(request.auth, cycle).filter(unit__code=payload.unit).first()
    if participant is None:
        raise ValidationError({"unit": f"Đơn vị “{payload.unit}” không tham gia kỳ này."})
    fields = payload.dict(exclude={"unit"})
    ext = deadline_extend(cycle=cycle, unit=participant.unit, **fields, actor=request.auth)
    return Status(201, s.extension_out(ext))


@router.get(
    "/cycles/{cycle_id}/assignments",
    response={200: list[s.AssignmentOut], **s.ERRORS},
    summary="Phân công tổ thẩm định (Sở Nội vụ)",
)
def assignment_list(request: ApiRequest, cycle_id: Id) -> Any:
    cycle = cycle_get(request.auth, cycle_id)
    # The whole appraisal team is the admin's to see, as docs/api.md says (issue 7).
    require_admin(request.auth, "xem phân công tổ thẩm định")
    qs = AppraisalAssignment.objects.filter(cycle=cycle).select_related("appraiser")
    return [s.assignment_out(a) for a in qs.prefetch_related("units")]


@router.put(
    "/cycles/{cycle_id}/assignments",
    response={200: s.AssignmentOut, **s.ERRORS},
    summary="Phân công một thành viên tổ thẩm định (Sở Nội vụ)",
    description="Đơn vị và lĩnh vực/tiêu chí (tiền tố mã) người đó thẩm định; để trống = tất cả.",
)
def assignment_set(request: ApiRequest, cycle_id: Id, payload: s.AssignmentIn) -> Any:
    cycle = cycle_get(request.auth, cycle_id)
    known = User.objects.filter(username=payload.appraiser)
    appraiser = found_or_invalid(known, "appraiser", f"Không có người dùng “{payload.appraiser}”.")
    units = _codes(Unit, payload.units, "đơn vị")
    assignment = set_assignment(
        cycle=cycle,
        appraiser=appraiser,
        units=[units[c] for c in payload.units],
        criteria_codes=payload.criteria_codes,
        actor=request.auth,
    )
    return s.assignment_out(assignment)


@router.post(
    "/cycles/{cycle_id}/external-points",
    response={200: dict[str, Any], **s.ERRORS},
    summary="Nhập điểm khảo sát, SIPAS, thống kê từ tệp CSV (Sở Nội vụ)",
    description="Tệp CSV với các cột unit,code,points: UTF-8 (có hoặc không BOM) hoặc "
    "Windows-1258, phân cách bằng “,” hoặc “;”. Lỗi ở bất kỳ dòng nào thì không dòng nào "
    "được nhập. Kết quả có `detected` (bảng mã và dấu phân cách đã nhận ra).",
)
def external_import(request: ApiRequest, cycle_id: Id, file: File[UploadedFile]) -> Any:
    cycle = cycle_get(request.auth, cycle_id)
    upload = read_upload(file.read(), (file.name or "dữ liệu nhập")[-120:])
    rows, problems = read_points(upload.text, name=upload.name)
    return {
        **external_points_import(
            cycle=cycle, rows=rows, problems=problems, source=upload.name, actor=request.auth
        ),
        "detected": upload.detected,
    }
