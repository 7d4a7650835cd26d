"""Dossiers (hồ sơ TTHC): the list (scoped to the caller), the metrics, the import jobs."""

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from parindex.accounts.http import ApiRequest
from parindex.api import schemas as s
from parindex.api.pagination import Mapped, Pages
from parindex.api.schemas import Id
from parindex.dossiers import selectors as sel
from parindex.dossiers.services import (
    status_mapping_create,
    status_mapping_delete,
    status_mapping_update,
)
from parindex.engine.dossier_codes import Period

router = Router(tags=["Hồ sơ thủ tục hành chính"])


class DossierOut(Schema):
    id: int
    code: str
    procedure: str
    field: str
    unit: str | None
    official: str
    channel: int
    status: int
    received_at: datetime | None
    due_at: datetime | None
    end_at: datetime | None
    outcome: str
    class_year: int


class MetricsRow(Schema):
    key: Any
    label: str
    received: int
    early: int
    on_time: int
    late: int
    open_within: int
    open_over: int
    online: int
    on_time_rate: Decimal | None
    late_rate: Decimal | None
    online_rate: Decimal | None
    avg_days: Decimal | None


class ImportOut(Schema):
    id: int
    file_name: str
    status: str
    progress: int
    message: str
    rows: int
    created: int
    changed: int
    unchanged: int
    problems: int
    warnings: int
    created_at: datetime
    finished_at: datetime | None


def dossier_out(d: Any) -> dict[str, Any]:
    return {
        "id": d.pk, "code": d.code, "procedure": d.procedure, "field": d.field,
        "unit": d.unit.code if d.unit_id else None, "official": d.official,
        "channel": d.channel, "status": d.status, "received_at": d.received_at,
        "due_at": d.due_at, "end_at": d.end_at, "outcome": d.get_outcome_display(),
        "class_year": d.class_year,
    }  # fmt: skip


def _period(text: str) -> Period:
    try:
        return Period.parse(text)
    except ValueError as exc:
        raise ValidationError(f"period {exc}") from None


@router.get(
    "/dossiers",
    response={200: list[DossierOut], **s.ERRORS},
    summary="Hồ sơ (trong phạm vi của tôi)",
    description="Lọc theo unit (mã đơn vị), procedure, official, year (năm phân loại).",
)
@paginate(Pages)
def dossier_list(
    request: ApiRequest,
    unit: str = "",
    procedure: str = "",
    official: str = "",
    year: int | None = None,
) -> Any:
    qs = sel.dossiers_for(request.auth).select_related("unit").order_by("-received_at", "pk")
    if unit:
        qs = qs.filter(unit__code=unit)
    if procedure:
        qs = qs.filter(procedure=procedure)
    if official:
        qs = qs.filter(official=official)
    if year:
        qs = qs.filter(class_year=year)
    return Mapped(qs, dossier_out)


@router.get(
    "/dossiers/metrics",
    response={200: list[MetricsRow], **s.ERRORS},
    summary="Số liệu hồ sơ theo nhóm",
    description="by: unit, official, procedure, field, channel, month; period: 2025, 2025-Q1, "
    "2025-03 (mặc định năm nay). Tỷ lệ theo Quyết định 766 (chỉ tiêu 2.1); null = không có hồ sơ.",
)
def dossier_metrics(request: ApiRequest, period: str = "", by: str = "unit") -> Any:
    if by not in sel.GROUP_LABELS:
        raise ValidationError(f"by phải là một trong: {', '.join(sel.GROUP_LABELS)}")
    chosen = _period(period) if period else Period.year(timezone.localdate().year)
    rows = sel.metrics_rows(request.auth, chosen, by)
    return [{**r, "label": str(r["label"])} for r in rows]


@router.get(
    "/dossier-imports",
    response={200: list[ImportOut], **s.ERRORS},
    summary="Các lượt nhập hồ sơ (Sở Nội vụ)",
)
def import_list(request: ApiRequest) -> Any:
    if not request.auth.is_province_admin:
        raise Http404
    return [_import_out(j) for j in sel.imports_for(request.auth)[:100]]


@router.get(
    "/dossier-imports/{import_id}",
    response={200: ImportOut, **s.ERRORS},
    summary="Một lượt nhập hồ sơ: tiến độ, số hồ sơ, lỗi",
)
def import_detail(request: ApiRequest, import_id: Id) -> Any:
    return _import_out(sel.import_get(request.auth, import_id))


def _import_out(j: Any) -> dict[str, Any]:
    names = ("file_name", "status", "progress", "message", "rows", "created", "changed",
             "unchanged", "problems", "warnings", "created_at", "finished_at")  # fmt: skip
    return {"id": j.pk, **{n: getattr(j, n) for n in names}}


class MappingIn(Schema):
    source: str
    value: str
    code: int


class MappingOut(MappingIn):
    id: int


def _mapping_out(m: Any) -> dict[str, Any]:
    return {"id": m.pk, "source": m.source, "value": m.value, "code": m.code}


def _admin(request: ApiRequest) -> None:
    if not request.auth.is_province_admin:  # the admin's table: 404 for everyone else
        raise Http404


@router.get(
    "/dossier-status-mappings",
    response={200: list[MappingOut], **s.ERRORS},
    summary="Bảng chuyển trạng thái hồ sơ (Sở Nội vụ)",
    description="Giá trị trạng thái của từng hệ thống nguồn → mã quốc gia 1–10, dùng trước "
    "bảng kèm theo khi nhập tệp.",
)
def mapping_list(request: ApiRequest, source: str = "") -> Any:
    _admin(request)
    qs = sel.status_mappings_for(request.auth)
    return [_mapping_out(m) for m in (qs.filter(source=source) if source else qs)]


@router.post(
    "/dossier-status-mappings",
    response={201: MappingOut, **s.ERRORS},
    summary="Thêm một dòng chuyển trạng thái",
    description="400 khi mã không thuộc 1–10 hoặc giá trị đã có cho hệ thống đó.",
)
def mapping_create(request: ApiRequest, payload: MappingIn) -> Any:
    _admin(request)
    made = status_mapping_create(**payload.dict(), actor=request.auth)
    return Status(201, _mapping_out(made))


@router.put(
    "/dossier-status-mappings/{mapping_id}",
    response={200: MappingOut, **s.ERRORS},
    summary="Sửa một dòng chuyển trạng thái",
)
def mapping_update(request: ApiRequest, mapping_id: Id, payload: MappingIn) -> Any:
    _admin(request)
    mapping = sel.status_mapping_get(request.auth, mapping_id)
    done = status_mapping_update(mapping=mapping, **payload.dict(), actor=request.auth)
    return _mapping_out(done)


@router.delete(
    "/dossier-status-mappings/{mapping_id}",
    response={200: s.Done, **s.ERRORS},
    summary="Xóa một dòng chuyển trạng thái",
)
def mapping_delete(request: ApiRequest, mapping_id: Id) -> Any:
    _admin(request)
    mapping = sel.status_mapping_get(request.auth, mapping_id)
    status_mapping_delete(mapping=mapping, actor=request.auth)
    return {"detail": "Đã xóa dòng chuyển trạng thái."}
