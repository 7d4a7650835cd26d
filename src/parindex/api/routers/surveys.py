"""Surveys (issue 10): questionnaires, responses, reviews and results. The same services
and selectors as the pages: questionnaires are readable by every signed-in user and
uploaded by the Sở Nội vụ admin; responses and reviews are the admin's; results are read
within the user's scope (a unit's staff: their own unit's rows)."""

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import File, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from parindex.accounts.http import ApiRequest
from parindex.api import schemas as s
from parindex.api.pagination import Mapped, Pages
from parindex.api.schemas import Id
from parindex.surveys import selectors as sel
from parindex.surveys.files import read_responses_file
from parindex.surveys.indices import survey_indices
from parindex.surveys.models import Questionnaire, Response, ResponseSource
from parindex.surveys.services import (
    paper_entry,
    questionnaire_upload,
    response_review,
    responses_import,
)

router = Router(tags=["Khảo sát sự hài lòng"])


class QuestionnaireOut(Schema):
    id: int
    code: str
    version: int
    name: str
    items: int
    aspects: int


class QuestionnaireDetail(QuestionnaireOut):
    source: str


class QuestionnaireIn(Schema):
    source: str
    name: str = "bảng hỏi"


class ResponseOut(Schema):
    id: int
    respondent: str
    unit: str
    source: str
    status: str
    answers: dict[str, str]
    submitted_at: str | None
    review_reason: str
    uuid: str


class ResponseIn(Schema):
    respondent: str
    unit: str
    answers: dict[str, str]


class ReviewIn(Schema):
    decision: str
    reason: str = ""


class ResultRow(Schema):
    unit: str
    level: str
    code: str
    index: str
    valid: str
    satisfied: str
    ci_low: str
    ci_high: str


def _q_out(q: Questionnaire) -> dict[str, Any]:
    parsed = q.parsed
    return {
        "id": q.pk,
        "code": q.code,
        "version": q.version,
        "name": q.name,
        "items": len(parsed.items),
        "aspects": len(parsed.aspects),
    }


def _r_out(r: Response) -> dict[str, Any]:
    return {
        "id": r.pk,
        "respondent": r.respondent,
        "unit": r.unit.code,
        "source": r.source,
        "status": r.status,
        "answers": r.answers,
        "submitted_at": r.submitted_at.isoformat() if r.submitted_at else None,
        "review_reason": r.review_reason,
        "uuid": r.uuid,
    }


def _survey(request: ApiRequest, survey_id: Id) -> Any:
    return sel.admin_survey_get(request.auth, survey_id)


@router.get(
    "/questionnaires", response={200: list[QuestionnaireOut], **s.ERRORS}, summary="Các bảng hỏi"
)
def questionnaire_list(request: ApiRequest) -> Any:
    return [_q_out(q) for q in Questionnaire.objects.all()]


@router.get(
    "/questionnaires/{questionnaire_id}",
    response={200: QuestionnaireDetail, **s.ERRORS},
    summary="Một bảng hỏi (kèm nội dung YAML)",
)
def questionnaire_detail(request: ApiRequest, questionnaire_id: Id) -> Any:
    q = get_object_or_404(Questionnaire, pk=questionnaire_id)
    return {**_q_out(q), "source": q.source}


@router.post(
    "/questionnaires",
    response={201: QuestionnaireOut, **s.ERRORS},
    summary="Tải lên bảng hỏi YAML (phiên bản mới nếu mã đã có)",
)
def questionnaire_create(request: ApiRequest, payload: QuestionnaireIn) -> Any:
    q = questionnaire_upload(source=payload.source, name=payload.name, actor=request.auth)
    return Status(201, _q_out(q))


@router.get(
    "/surveys/{survey_id}/responses",
    response={200: list[ResponseOut], **s.ERRORS},
    summary="Phiếu trả lời của một đợt khảo sát",
    description="Lọc theo unit, status (pending, approved, flagged, rejected), source.",
)
@paginate(Pages)
def response_list(
    request: ApiRequest, survey_id: Id, unit: str = "", status: str = "", source: str = ""
) -> Any:
    survey = _survey(request, survey_id)
    qs = sel.responses_for(request.auth, survey, unit=unit, status=status, source=source)
    return Mapped(qs, _r_out)


@router.post(
    "/surveys/{survey_id}/responses",
    response={201: dict[str, int], **s.ERRORS},
    summary="Ghi một phiếu trả lời (chờ duyệt)",
)
def response_create(request: ApiRequest, survey_id: Id, payload: ResponseIn) -> Any:
    survey = _survey(request, survey_id)
    unit = survey.units.filter(code=payload.unit).first()
    if unit is None:
        raise ValidationError({"unit": f"Đơn vị “{payload.unit}” không thuộc đợt khảo sát."})
    made = paper_entry(
        survey=survey,
        unit=unit,
        rows=[(payload.respondent, dict(payload.answers))],
        batch_count=1,
        actor=request.auth,
        source=ResponseSource.IMPORT,
    )
    return Status(201, {"id": made[0].pk})


@router.post(
    "/surveys/{survey_id}/responses/import",
    response={200: dict[str, int], **s.UPLOAD_ERRORS},
    summary="Nhập tệp phiếu trả lời (CSV, Excel, tệp xuất KoboToolbox/ODK)",
    description="Tất cả hoặc không: tệp có lỗi thì không nhập phiếu nào (400, lỗi theo dòng).",
)
def response_import(request: ApiRequest, survey_id: Id, file: File[UploadedFile]) -> Any:
    survey = _survey(request, survey_id)
    found = read_responses_file(survey, file.read(), file.name)
    return responses_import(
        survey=survey,
        records=found.records,
        problems=found.problems,
        source_name=found.name,
        actor=request.auth,
    )


@router.post(
    "/surveys/{survey_id}/responses/{response_id}/review",
    response={200: ResponseOut, **s.ERRORS},
    summary="Duyệt, đánh dấu hoặc loại một phiếu (cần lý do khi đánh dấu, loại)",
)
def response_decide(request: ApiRequest, survey_id: Id, response_id: Id, payload: ReviewIn) -> Any:
    survey = _survey(request, survey_id)
    row = sel.response_get(request.auth, survey, response_id)
    done = response_review(
        response=row, decision=payload.decision, reason=payload.reason, actor=request.auth
    )
    return _r_out(done)


@router.get(
    "/surveys/{survey_id}/results",
    response={200: list[ResultRow], **s.ERRORS},
    summary="Chỉ số theo đơn vị (câu, khía cạnh, phần, chung, lựa chọn) với khoảng tin cậy 95%",
    description="Các cột như `parindex survey compute`; chỉ tính phiếu đã duyệt.",
)
def survey_results(request: ApiRequest, survey_id: Id) -> Any:
    survey = sel.survey_get(request.auth, survey_id)
    codes = set(sel.visible_units(request.auth, survey))
    if not codes:
        raise Http404
    return [r for r in survey_indices(survey).rows if r["unit"] in codes]
