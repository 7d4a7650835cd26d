"""Pages of the surveys app (issue 10): the Sở Nội vụ admin's surveys, sampling, QR
sheets, paper entry, imports, review and the feed into the cycle; results for every
signed-in role within their scope. Each POST calls one service."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from parindex.accounts.http import AuthedHttpRequest
from parindex.accounts.permissions import require_admin_page
from parindex.cycles.selectors import cycles_for
from parindex.downloads import DOCX, XLSX, file_download
from parindex.engine.survey import sample_size
from parindex.formats.errors import FormatError
from parindex.formats.text import decode_text
from parindex.surveys import selectors as sel
from parindex.surveys.exports import survey_docx, survey_xlsx
from parindex.surveys.feed import survey_feed
from parindex.surveys.files import read_responses_file, upload_name
from parindex.surveys.indices import survey_indices
from parindex.surveys.models import (
    FrameKind,
    Questionnaire,
    ResponseSource,
    ResponseStatus,
    SamplingFrame,
)
from parindex.surveys.outputs import survey_charts, unit_outputs
from parindex.surveys.qr import qr_sheet_pdf
from parindex.surveys.services import (
    frame_set,
    paper_entry,
    questionnaire_upload,
    response_review,
    responses_approve,
    responses_import,
    survey_create,
    survey_status_set,
    tokens_generate,
)
from parindex.web.helpers import error_messages, form_texts, run_action

#: Rows of the paper-entry form without JavaScript (Enter adds one with it).
PAPER_ROWS = 10


def _int(raw: Any, what: str) -> int | None:
    text = str(raw or "").strip()
    if not text:
        return None
    if not text.isdigit():
        raise ValidationError(f"{what} phải là số nguyên dương.")
    return int(text)


def _detail(pk: int) -> str:
    return reverse("surveys:detail", args=[pk])


@login_required
def survey_list(request: AuthedHttpRequest) -> HttpResponse:
    require_admin_page(request.user)
    context = {
        "nav": "surveys",
        "surveys": sel.surveys_for(request.user),
        "questionnaires": Questionnaire.objects.all(),
        "cycles": cycles_for(request.user),
    }
    return render(request, "surveys/list.html", context)


@login_required
@require_POST
def questionnaire_add(request: AuthedHttpRequest) -> HttpResponse:
    require_admin_page(request.user)
    upload = request.FILES.get("file")
    name = (upload.name if upload else "") or "bảng hỏi"
    text = decode_text(upload.read(), name) if upload else request.POST.get("text", "")
    try:
        q = questionnaire_upload(source=text, name=name, actor=request.user)
    except FormatError as exc:
        for p in exc.problems:
            messages.error(request, str(p))
    except ValidationError as exc:
        for m in error_messages(exc):
            messages.error(request, m)
    else:
        messages.success(request, f"Đã lưu bảng hỏi {q}.")
    return redirect("surveys:list")


@login_required
@require_POST
def survey_add(request: AuthedHttpRequest) -> HttpResponse:
    require_admin_page(request.user)
    q = Questionnaire.objects.filter(
        pk=_int(request.POST.get("questionnaire"), "Bảng hỏi") or 0
    ).first()
    cycle = cycles_for(request.user).filter(pk=_int(request.POST.get("cycle"), "Kỳ") or 0).first()
    if q is None or cycle is None:
        messages.error(request, "Cần chọn bảng hỏi và kỳ đánh giá.")
        return redirect("surveys:list")
    try:
        survey = survey_create(
            questionnaire=q, cycle=cycle, name=request.POST.get("name", ""), actor=request.user
        )
    except ValidationError as exc:
        for m in error_messages(exc):
            messages.error(request, m)
        return redirect("surveys:list")
    return redirect(_detail(survey.pk))


@login_required
def survey_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    survey = sel.admin_survey_get(request.user, pk)
    frames = sel.frames_with_progress(request.user, survey)
    for f in frames:
        f.suggested = sample_size(f.population)  # type: ignore[attr-defined]
    context = {
        "nav": "surveys",
        "survey": survey,
        "frames": frames,
        "progress": sel.unit_progress(request.user, survey),
        "units": survey.units.order_by("code"),
        "kinds": FrameKind.choices,
    }
    return render(request, "surveys/detail.html", context)


@login_required
@require_POST
def frame_add(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    survey = sel.admin_survey_get(request.user, pk)
    unit = survey.units.filter(pk=_int(request.POST.get("unit"), "Đơn vị") or 0).first()

    def act() -> None:
        if unit is None:
            raise ValidationError("Cần chọn đơn vị.")
        frame_set(
            survey=survey,
            unit=unit,
            **form_texts(request, "kind", "name"),
            population=_int(request.POST.get("population"), "Quy mô N"),
            target=_int(request.POST.get("target"), "Số phiếu cần thu"),
            actor=request.user,
        )

    return run_action(request, act, success="Đã lưu khung mẫu.", back=_detail(pk))


def _frame(request: AuthedHttpRequest, pk: int, frame_pk: int) -> tuple[Any, SamplingFrame]:
    survey = sel.admin_survey_get(request.user, pk)
    frame = (
        SamplingFrame.objects.filter(survey=survey, pk=frame_pk).select_related("survey").first()
    )
    if frame is None:
        raise Http404
    return survey, frame


@login_required
@require_POST
def tokens_add(request: AuthedHttpRequest, pk: int, frame_pk: int) -> HttpResponse:
    survey, frame = _frame(request, pk, frame_pk)

    def act() -> None:
        count = _int(request.POST.get("count"), "Số mã phiếu")
        tokens_generate(survey=survey, frame=frame, count=count or 0, actor=request.user)

    return run_action(request, act, success="Đã tạo mã phiếu.", back=_detail(pk))


@login_required
def qr_sheet(request: AuthedHttpRequest, pk: int, frame_pk: int) -> HttpResponse:
    """The counter's unused links as a printable PDF of QR codes."""
    _, frame = _frame(request, pk, frame_pk)
    tokens = list(frame.tokens.filter(used_at__isnull=True).order_by("pk"))
    pdf = qr_sheet_pdf(frame, tokens, request.build_absolute_uri("/"))
    return file_download(pdf, filename=f"ma-qr-{frame.pk}.pdf", content_type="application/pdf")


@login_required
@require_POST
def responses_upload(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """A CSV/XLSX of responses (ours or a Kobo/ODK export): all rows or none."""
    survey = sel.admin_survey_get(request.user, pk)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, "Cần chọn tệp phiếu trả lời (CSV hoặc Excel).")
        return redirect(_detail(pk))
    name = upload_name(upload.name)
    try:
        found = read_responses_file(survey, upload.read(), name)
        done = responses_import(
            survey=survey,
            records=found.records,
            problems=found.problems,
            source_name=found.name,
            actor=request.user,
        )
    except FormatError as exc:
        messages.error(
            request, f"Không nhập tệp {name}: {len(exc.problems)} lỗi, chưa lưu phiếu nào."
        )
        for p in exc.problems[:50]:
            messages.error(request, str(p))
    except ValidationError as exc:
        for m in error_messages(exc):
            messages.error(request, m)
    else:
        rejected = found.rejected
        extra = f"; bỏ {rejected} phiếu bị từ chối khi duyệt trên Kobo/ODK" if rejected else ""
        messages.success(
            request,
            f"Đã nhập {done['created']} phiếu (chờ duyệt), "
            f"bỏ qua {done['skipped']} phiếu đã có{extra}.",
        )
    return redirect(_detail(pk))


@login_required
def paper(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """Clerks type paper questionnaires: one row per respondent, digits only."""
    survey = sel.admin_survey_get(request.user, pk)
    q = survey.questionnaire.parsed
    items = [i for i in q.items if i.type in ("likert5", "single", "number")]
    rows = max(_int(request.GET.get("dong"), "Số dòng") or PAPER_ROWS, 1)
    errors: list[str] = []
    values: dict[str, str] = {}
    if request.method == "POST":
        values = {k: str(v) for k, v in request.POST.items() if k != "csrfmiddlewaretoken"}
        n = int(request.POST.get("rows") or PAPER_ROWS)
        rows = n
        unit = survey.units.filter(pk=_int(request.POST.get("unit"), "Đơn vị") or 0).first()
        entered = []
        for r in range(n):
            answers: dict[str, str] = {}
            for i in items:
                raw = request.POST.get(f"r{r}-{i.code}", "").strip()
                if raw and i.type == "single" and raw.isdigit() and 1 <= int(raw) <= len(i.choices):
                    raw = i.choices[int(raw) - 1].code
                answers[i.code] = raw
            entered.append((request.POST.get(f"r{r}-respondent", ""), answers))
        try:
            if unit is None:
                raise ValidationError("Cần chọn đơn vị.")
            count = _int(request.POST.get("batch_count"), "Số phiếu của tập")
            created = paper_entry(
                survey=survey, unit=unit, rows=entered, batch_count=count or 0, actor=request.user
            )
        except ValidationError as exc:
            errors = error_messages(exc)
        else:
            messages.success(request, f"Đã lưu {len(created)} phiếu giấy (chờ duyệt).")
            return redirect(reverse("surveys:paper", args=[pk]))
    context = {
        "nav": "surveys",
        "survey": survey,
        "items": items,
        "rows": range(rows),
        "row_count": rows,
        "errors": errors,
        "values": values,
        "units": survey.units.order_by("code"),
    }
    return render(request, "surveys/paper.html", context, status=422 if errors else 200)


@login_required
def review(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    survey = sel.admin_survey_get(request.user, pk)
    f = {k: request.GET.get(k, "") for k in ("unit", "status", "source")}
    responses = sel.responses_for(request.user, survey, **f)[:500]
    context = {
        "nav": "surveys",
        "survey": survey,
        "responses": responses,
        "filters": f,
        "units": survey.units.order_by("code"),
        "statuses": [c for c in ResponseStatus.choices if c[0] != ResponseStatus.DRAFT],
        "sources": ResponseSource.choices,
    }
    return render(request, "surveys/review.html", context)


@login_required
@require_POST
def decide(request: AuthedHttpRequest, pk: int, response_pk: int) -> HttpResponse:
    survey = sel.admin_survey_get(request.user, pk)
    row = sel.response_get(request.user, survey, response_pk)
    return run_action(
        request,
        lambda: response_review(
            response=row,
            **form_texts(request, "decision", "reason"),
            actor=request.user,
        ),
        success=f"Đã ghi quyết định cho phiếu {row.respondent}.",
        back=reverse("surveys:review", args=[pk]),
    )


@login_required
@require_POST
def approve_all(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    survey = sel.admin_survey_get(request.user, pk)
    ids = [int(x) for x in request.POST.getlist("ids") if x.isdigit()]
    chosen = list(sel.responses_for(request.user, survey).filter(pk__in=ids))
    return run_action(
        request,
        lambda: responses_approve(responses=chosen, actor=request.user),
        success=f"Đã duyệt {len(chosen)} phiếu được chọn.",
        back=reverse("surveys:review", args=[pk]),
    )


@login_required
@require_POST
def feed(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    survey = sel.admin_survey_get(request.user, pk)

    def act() -> None:
        try:
            survey_feed(survey=survey, actor=request.user)
        except FormatError as exc:
            raise ValidationError([str(p) for p in exc.problems]) from exc

    return run_action(
        request,
        act,
        success="Đã đưa kết quả khảo sát vào kỳ đánh giá (điểm tiêu chí và chỉ số hài lòng).",
        back=_detail(pk),
    )


@login_required
def results(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """Indices per unit with intervals and the small-sample warning (the user's units)."""
    survey = sel.survey_get(request.user, pk)
    codes = sel.visible_units(request.user, survey)
    if not codes:
        raise Http404
    indices = survey_indices(survey)
    units = unit_outputs(survey, indices, codes)
    context = {
        "nav": "surveys",
        "survey": survey,
        "units": units,
        "charts": survey_charts(survey, units),
        "is_admin": getattr(request.user, "is_province_admin", False),
    }
    return render(request, "surveys/results.html", context)


def _scoped_outputs(request: AuthedHttpRequest, pk: int) -> tuple[Any, list[dict[str, Any]]]:
    survey = sel.survey_get(request.user, pk)
    codes = sel.visible_units(request.user, survey)
    if not codes:
        raise Http404
    return survey, unit_outputs(survey, survey_indices(survey), codes)


@login_required
def results_xlsx(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    survey, units = _scoped_outputs(request, pk)
    name = f"khao-sat-{survey.pk}.xlsx"
    return file_download(survey_xlsx(survey, units), filename=name, content_type=XLSX)


@login_required
def results_docx(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    survey, units = _scoped_outputs(request, pk)
    name = f"khao-sat-{survey.pk}.docx"
    return file_download(survey_docx(survey, units), filename=name, content_type=DOCX)


@login_required
@require_POST
def status(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    survey = sel.admin_survey_get(request.user, pk)
    return run_action(
        request,
        lambda: survey_status_set(
            survey=survey, status=request.POST.get("status", ""), actor=request.user
        ),
        success="Đã cập nhật trạng thái đợt khảo sát.",
        back=_detail(pk),
    )
