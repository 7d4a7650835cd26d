"""Dossiers (hồ sơ TTHC): the list (scoped to the caller), the metrics, the import jobs."""

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.http import Http404
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from parindex.accounts.http import ApiRequest
from parindex.api import schemas as s
from parindex.api.pagination import Mapped, Pages
from parindex.api.schemas import Id
from parindex.dossiers import selectors as sel
from parindex.dossiers.explain import apology_of, explain, steps_of, timeline
from parindex.dossiers.filters import dossier_query
from parindex.dossiers.models import Dossier
from parindex.dossiers.services import (
    status_mapping_create,
    status_mapping_delete,
    status_mapping_update,
)

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


class Event(Schema):
    at: datetime
    event: str


class ApologyOut(Schema):
    sent_at: datetime | None
    new_due_at: datetime | None
    resets: int
    in_time: bool
    reset_once: bool
    kind: str


class Classification(Schema):
    period: str
    end_reason: str
    end_at: datetime | None
    judged_at: datetime | None
    judged_reason: str
    due_at: datetime | None
    due_reason: str
    pause_minutes: int
    due_with_pause: datetime | None
    too_many_supplements: bool
    working_minutes_used: int | None
    outcome: str


class Step(Schema):
    at: datetime | None
    status: int | None
    status_name: str
    official: str
    unit: str


class DossierDetail(DossierOut):
    events: list[Event]
    #: the status history of a national sync file (empty for CSV/Excel exports)
    steps: list[Step]
    supplement_count: int
    apology: ApologyOut | None
    classification: Classification


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
    late_apology_valid: int
    late_apology_invalid: int
    late_apology_none: int


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


class _ByIds:
    """A list of dossier ids paged like a queryset (the drill-down's order kept)."""

    def __init__(self, pks: list[int]) -> None:
        self.pks = pks

    def count(self) -> int:
        return len(self.pks)

    def __getitem__(self, index: slice) -> list[Any]:
        ids = self.pks[index]
        found = Dossier.objects.select_related("unit").in_bulk(ids)
        return [found[pk] for pk in ids if pk in found]


class DossierFilters(Schema):
    """The query both the list and the metrics take (read again by ``dossier_query``, which
    reports every bad one at once)."""

    period: str = ""
    date_from: str = Field("", alias="from")
    date_to: str = Field("", alias="to")
    unit: str = ""
    procedure: str = ""
    official: str = ""
    field: str = ""
    channel: str = ""


QUERY_DOC = (
    "Kỳ: period (2025, 2025-Q1, 2025-03) hoặc from và to (dd/mm/yyyy hoặc yyyy-mm-dd; dùng "
    "thay cho period khi có). Lọc: unit (mã hoặc số hiệu đơn vị), official, procedure, field, "
    "channel (1, 2, 3). Sai tham số: 400, nêu từng tham số."
)


@router.get(
    "/dossiers",
    response={200: list[DossierOut], **s.ERRORS},
    summary="Hồ sơ (trong phạm vi của tôi)",
    description="Không có kỳ: mọi hồ sơ (year = năm phân loại). Có kỳ: các hồ sơ sau một con "
    "số của trang số liệu, c (received, early, on_time, late, open_within, open_over, "
    "late_all), apology (valid, invalid, none). " + QUERY_DOC,
)
@paginate(Pages)
def dossier_list(
    request: ApiRequest,
    filters: Query[DossierFilters],
    c: str = "",
    apology: str = "",
    year: int | None = None,
) -> Any:
    q = dossier_query(request.GET)
    if filters.period or filters.date_from or filters.date_to:
        pks = sel.drill_down(
            request.auth, q.period, classes=q.classes, filters=q.filters, apology=q.apology
        )
        return Mapped(_ByIds(pks), dossier_out)
    qs = sel.with_apology(sel.filtered(sel.dossiers_for(request.auth), q.filters), q.apology)
    qs = qs.select_related("unit").order_by("-received_at", "pk")
    if year:
        qs = qs.filter(class_year=year)
    return Mapped(qs, dossier_out)


@router.get(
    "/dossiers/metrics",
    response={200: list[MetricsRow], **s.ERRORS},
    summary="Số liệu hồ sơ theo nhóm",
    description="by: unit, official, procedure, field, channel, month (mặc định năm nay). "
    "Tỷ lệ theo Quyết định 766 (chỉ tiêu 2.1); null = không có hồ sơ. Hồ sơ trễ hạn chia "
    "theo phiếu xin lỗi: late_apology_valid, late_apology_invalid, late_apology_none. " + QUERY_DOC,
)
def dossier_metrics(request: ApiRequest, filters: Query[DossierFilters], by: str = "unit") -> Any:
    q = dossier_query(request.GET)
    rows = sel.metrics_rows(request.auth, q.period, q.by, filters=q.filters)
    return [{**r, "label": str(r["label"])} for r in rows]


@router.get(
    "/dossiers/{dossier_id}",
    response={200: DossierDetail, **s.ERRORS},
    summary="Một hồ sơ: các mốc, phiếu xin lỗi, cách phân loại",
)
def dossier_detail(request: ApiRequest, dossier_id: Id) -> Any:
    d = sel.dossier_get(request.auth, dossier_id)
    why = explain(d)
    apology = apology_of(d)
    return {
        **dossier_out(d),
        "events": [{"at": when, "event": what} for when, what in timeline(d)],
        "steps": steps_of(d),
        "supplement_count": d.supplement_count,
        "apology": None if apology is None else {
            "sent_at": apology["apology"].sent_at, "new_due_at": apology["apology"].new_due_at,
            "resets": apology["apology"].resets, "in_time": apology["apology"].in_time,
            "reset_once": apology["apology"].reset_once, "kind": apology["kind"],
        },
        "classification": {
            "period": why["period"].label, "end_reason": why["end_why"], "end_at": why["end"],
            "judged_at": why["judged"], "judged_reason": why["judged_why"],
            "due_at": why["due"], "due_reason": why["due_source"],
            "pause_minutes": why["pause_minutes"], "due_with_pause": why["due_judged"],
            "too_many_supplements": why["too_many_supplements"],
            "working_minutes_used": why["used_minutes"], "outcome": why["outcome_label"],
        },
    }  # fmt: skip


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
