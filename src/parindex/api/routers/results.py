"""Results of a cycle (DESIGN §5 results format, as JSON or CSV) and export jobs.

Visibility is the results selectors' (``result_set_for``): province-wide roles see
provisional and final results, unit users their own unit's rows once results are final;
exports (Excel, Word, PDF) are for the admin, the council and leaders."""

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.urls import reverse
from ninja import Router, Schema, Status

from parindex.accounts.http import ApiRequest
from parindex.api import schemas as s
from parindex.api.schemas import Id
from parindex.cycles.selectors import cycle_get
from parindex.downloads import file_download
from parindex.reports import tabular
from parindex.reports.models import CONTENT_TYPES, ExportJob, ExportKind
from parindex.reports.services import can_export, export_request, file_name

router = Router(tags=["Kết quả và xuất báo cáo"])


class ExportIn(Schema):
    kind: ExportKind


class ExportJobOut(Schema):
    id: int
    cycle: int
    kind: str
    status: str
    progress: int
    message: str
    download: str | None


def _job_out(job: Any) -> dict[str, Any]:
    return {
        "id": job.pk,
        "cycle": job.cycle_id,
        "kind": job.kind,
        "status": job.status,
        "progress": job.progress,
        "message": job.message,
        "download": reverse("api:export_file", args=[job.pk]) if job.file else None,
    }


def _job_get(request: ApiRequest, job_id: Id) -> Any:
    if not can_export(request.auth):
        raise Http404
    job = ExportJob.objects.filter(pk=job_id).select_related("cycle").first()
    if job is None:
        raise Http404
    cycle_get(request.auth, job.cycle_id)  # 404 outside the caller's cycles
    return job


@router.get(
    "/cycles/{cycle_id}/results",
    response={200: list[dict[str, Any]], **s.ERRORS},
    summary="Kết quả của kỳ đánh giá (JSON)",
    description=(
        "Một dòng mỗi đơn vị: unit, group, points, max_points, index, rank, rating, điểm và "
        "chỉ số từng lĩnh vực (area_<mã>_points, area_<mã>_index), index_change, rank_change "
        "(dương = tăng bậc), rating_reasons. Số dùng dấu chấm thập phân."
    ),
)
def results_json(request: ApiRequest, cycle_id: Id) -> Any:
    return tabular.results_json(cycle_get(request.auth, cycle_id), request.auth)


@router.get(
    "/cycles/{cycle_id}/results.csv",
    response={200: None, **s.ERRORS},
    openapi_extra=s.file_content(["text/csv"], "Bảng kết quả CSV UTF-8"),
    summary="Kết quả của kỳ đánh giá (CSV)",
    description="Cùng nội dung với bản JSON, định dạng CSV UTF-8 (DESIGN §5).",
)
def results_csv(request: ApiRequest, cycle_id: Id) -> HttpResponse:
    cycle = cycle_get(request.auth, cycle_id)
    return file_download(
        tabular.results_csv(cycle, request.auth),
        filename=f"ket-qua-{cycle.year}.csv",
        content_type="text/csv; charset=utf-8",
    )


@router.post(
    "/cycles/{cycle_id}/exports",
    response={202: ExportJobOut, **s.ERRORS},
    summary="Yêu cầu xuất báo cáo (xlsx, docx, pdf, csv, json)",
    description="Chạy nền; theo dõi tiến độ bằng GET /exports/{id}.",
)
def export_create(request: ApiRequest, cycle_id: Id, payload: ExportIn) -> Any:
    if not can_export(request.auth):
        raise Http404
    job = export_request(
        cycle=cycle_get(request.auth, cycle_id), kind=str(payload.kind), actor=request.auth
    )
    return Status(202, _job_out(job))


@router.get(
    "/exports/{job_id}",
    response={200: ExportJobOut, **s.ERRORS},
    summary="Tình trạng và tiến độ một lượt xuất",
)
def export_detail(request: ApiRequest, job_id: Id) -> Any:
    return _job_out(_job_get(request, job_id))


@router.get(
    "/exports/{job_id}/file",
    response={200: None, **s.ERRORS},
    openapi_extra=s.file_content(CONTENT_TYPES.values(), "Tệp đã xuất"),
    url_name="export_file",
    summary="Tải tệp đã xuất",
)
def export_file(request: ApiRequest, job_id: Id) -> Any:
    job = _job_get(request, job_id)
    if not job.file:
        raise ValidationError("Tệp chưa xuất xong.")

    return file_download(
        job.file.open("rb"),
        filename=file_name(job.cycle, job.kind),
        content_type=CONTENT_TYPES[ExportKind(job.kind)],
    )
