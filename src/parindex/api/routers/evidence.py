"""Evidence: a unit's library (files and document references), links to leaves,
carrying last cycle's evidence forward, and permission-checked downloads."""

from typing import Any

from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import File, Form, Router, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from parindex.accounts.http import ApiRequest
from parindex.api import schemas as s
from parindex.api.pagination import Mapped, Pages
from parindex.api.routers.assessments import _assessment, _score
from parindex.api.schemas import Id, Year
from parindex.downloads import file_download
from parindex.evidence.selectors import document_get, library_of, links_of
from parindex.evidence.services import (
    document_reference_create,
    document_upload,
    evidence_attach,
    evidence_carry_forward,
    evidence_detach,
)
from parindex.evidence.validation import TYPES
from parindex.units.selectors import unit_get

router = Router(tags=["Tài liệu kiểm chứng"])


@router.get(
    "/units/{unit_code}/documents",
    response={200: list[s.DocumentOut], **s.ERRORS},
    summary="Kho tài liệu kiểm chứng của đơn vị",
    description="Tệp và văn bản tham chiếu của đơn vị, mới nhất trước; lọc theo năm (year).",
)
@paginate(Pages)
def library(request: ApiRequest, unit_code: str, year: Year | None = None) -> Any:
    unit = unit_get(request.auth, unit_code)
    return Mapped(library_of(request.auth, unit, year=year), s.document_out)


@router.post(
    "/units/{unit_code}/documents",
    response={201: s.DocumentOut, **s.UPLOAD_ERRORS},
    summary="Tải lên một tệp tài liệu kiểm chứng",
    description="PDF, DOC/DOCX, XLS/XLSX, JPG/PNG; tối đa 20 MB; kiểm tra theo nội dung tệp, "
    "không theo tên. Tệp rỗng, sai loại hoặc quá lớn bị từ chối (400/413).",
)
def upload(
    request: ApiRequest,
    unit_code: str,
    file: File[UploadedFile],
    title: Form[str] = "",
) -> Any:
    unit = unit_get(request.auth, unit_code)
    document = document_upload(unit=unit, file=file, title=title, actor=request.auth)
    return Status(201, s.document_out(document))


@router.post(
    "/units/{unit_code}/references",
    response={201: s.DocumentOut, **s.ERRORS},
    summary="Ghi một văn bản tham chiếu vào kho",
    description="Số/ký hiệu, ngày ban hành, cơ quan ban hành, trích yếu, trang/mục.",
)
def reference_create(request: ApiRequest, unit_code: str, payload: s.ReferenceIn) -> Any:
    unit = unit_get(request.auth, unit_code)
    document = document_reference_create(unit=unit, **payload.dict(), actor=request.auth)
    return Status(201, s.document_out(document))


@router.get(
    "/documents/{document_id}/download",
    response={200: None, **s.ERRORS},
    openapi_extra=s.file_content(
        ["application/octet-stream", *(t.content_type for t in TYPES.values())],
        "Tệp tài liệu kiểm chứng",
    ),
    url_name="document_download",
    summary="Tải xuống tệp tài liệu kiểm chứng",
    description="Chỉ người được xem tài liệu mới tải được; người khác nhận 404.",
)
def download(request: ApiRequest, document_id: Id) -> Any:
    document = document_get(request.auth, document_id)
    if not (document.is_file and document.file):
        raise Http404
    return file_download(
        document.file.open("rb"),
        filename=document.original_name or (document.file.name or "").rsplit("/", 1)[-1],
        content_type=document.content_type,
    )


@router.get(
    "/assessments/{assessment_id}/leaves/{code}/evidence",
    response={200: list[s.LinkOut], **s.ERRORS},
    summary="Tài liệu kiểm chứng của một tiêu chí",
)
def link_list(request: ApiRequest, assessment_id: Id, code: str) -> Any:
    return [
        s.link_out(link) for link in links_of(request.auth, _score(request, assessment_id, code))
    ]


@router.post(
    "/assessments/{assessment_id}/leaves/{code}/evidence",
    response={201: s.LinkOut, **s.ERRORS},
    summary="Gắn một tài liệu trong kho vào tiêu chí",
)
def attach(request: ApiRequest, assessment_id: Id, code: str, payload: s.AttachIn) -> Any:
    score = _score(request, assessment_id, code)
    document = document_get(request.auth, payload.document)
    link = evidence_attach(
        score=score, document=document, page_ref=payload.page_ref, actor=request.auth
    )
    return Status(201, s.link_out(link))


@router.delete(
    "/assessments/{assessment_id}/leaves/{code}/evidence/{link_id}",
    response={200: s.Done, **s.ERRORS},
    summary="Gỡ một tài liệu khỏi tiêu chí",
    description="Tài liệu vẫn còn trong kho của đơn vị.",
)
def detach(request: ApiRequest, assessment_id: Id, code: str, link_id: Id) -> Any:
    score = _score(request, assessment_id, code)
    link = get_object_or_404(score.evidence_links.select_related("document"), pk=link_id)
    evidence_detach(link=link, actor=request.auth)
    return {"detail": "Đã gỡ tài liệu khỏi tiêu chí."}


@router.post(
    "/assessments/{assessment_id}/carry-forward",
    response={200: dict[str, Any], **s.ERRORS},
    summary="Chuyển tài liệu kiểm chứng của kỳ trước sang phiếu này",
)
def carry_forward(request: ApiRequest, assessment_id: Id) -> Any:
    result = evidence_carry_forward(
        assessment=_assessment(request, assessment_id), actor=request.auth
    )
    return result if isinstance(result, dict) else {"carried": result}
