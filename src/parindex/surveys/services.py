"""Writes of the surveys app (issue 10): questionnaires, surveys, sampling, tokens, the
public form, paper entry, imports and reviews. Each is one transaction with its audit row;
the admin-only ones start with :func:`require_admin`. Feeding results into the cycle is in
:mod:`parindex.surveys.feed`."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from parindex.accounts.models import User
from parindex.accounts.permissions import actor_user, require_admin
from parindex.audit.services import record
from parindex.cycles.models import Cycle, CycleUnit
from parindex.engine.survey import Item, QuestionnaireError, survey_tree
from parindex.engine.survey import Questionnaire as EngineQuestionnaire
from parindex.formats.errors import FormatError, Problem
from parindex.formats.questionnaire import read_questionnaire
from parindex.formats.responses import ResponseRecord, answer_problem, normalise_answer
from parindex.surveys.models import (
    REVIEW_MOVES,
    FrameKind,
    Questionnaire,
    Quota,
    RespondentToken,
    Response,
    ResponseSource,
    ResponseStatus,
    SamplingFrame,
    Survey,
    SurveyStatus,
)
from parindex.units.models import Unit
from parindex.workflow import compare_and_set

__all__ = [
    "TokenUsed",
    "form_save",
    "frame_set",
    "paper_entry",
    "questionnaire_upload",
    "response_review",
    "responses_approve",
    "responses_import",
    "survey_create",
    "survey_status_set",
    "tokens_generate",
]

#: Most tokens one request may create (a counter's day is a few hundred at most).
MAX_TOKENS = 2000


class TokenUsed(Exception):
    """The respondent's link was already used to send a response."""


# --------------------------------------------------------------------------- set-up


def questionnaire_upload(*, source: str, name: str, actor: User | None) -> Questionnaire:
    """Store a questionnaire YAML (DESIGN §5) as the next version of its code. Every
    problem of the file is raised together (:class:`FormatError`)."""
    require_admin(actor, "tải lên bảng hỏi", system=True)
    q, problems = read_questionnaire(source, name=name)
    if q is not None:
        try:
            survey_tree(q)
        except QuestionnaireError as exc:
            problems = [Problem(name, None, None, str(exc))]
    if q is None or problems:
        raise FormatError(problems)
    with transaction.atomic(durable=True):
        last = (
            Questionnaire.objects.select_for_update()
            .filter(code=q.code)
            .order_by("-version")
            .first()
        )
        row = Questionnaire.objects.create(
            code=q.code,
            version=1 if last is None else last.version + 1,
            name=q.name,
            source=source,
            created_by=actor_user(actor),
        )
        record(
            actor=actor,
            action="survey.questionnaire_upload",
            obj=row,
            after={"items": len(q.items), "aspects": len(q.aspects)},
            context={"file": name},
        )
    return row


def survey_create(
    *,
    questionnaire: Questionnaire,
    cycle: Cycle,
    name: str,
    units: Iterable[Unit] | None = None,
    actor: User | None,
) -> Survey:
    """Open a survey of ``cycle``'s units (all of them when ``units`` is None)."""
    require_admin(actor, "mở đợt khảo sát", system=True)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "Cần đặt tên đợt khảo sát."})
    in_cycle = {
        cu.unit_id: cu.unit for cu in CycleUnit.objects.filter(cycle=cycle).select_related("unit")
    }
    chosen = list(in_cycle.values()) if units is None else list(units)
    outside = [u.name for u in chosen if u.pk not in in_cycle]
    if outside:
        raise ValidationError({"units": f"Đơn vị không tham gia kỳ: {', '.join(outside)}."})
    with transaction.atomic(durable=True):
        survey = Survey.objects.create(
            questionnaire=questionnaire, cycle=cycle, name=name, created_by=actor_user(actor)
        )
        survey.units.set(chosen)
        record(
            actor=actor,
            action="survey.create",
            obj=survey,
            after={"questionnaire": str(questionnaire), "units": len(chosen)},
            context={"cycle": cycle.pk},
        )
    return survey


def survey_status_set(*, survey: Survey, status: str, actor: User | None) -> Survey:
    """Close a survey (its links then show "Đợt khảo sát đã kết thúc") or open it again."""
    require_admin(actor, "đóng, mở đợt khảo sát", system=True)
    if status not in SurveyStatus.values:
        raise ValidationError({"status": "Trạng thái không hợp lệ."})
    with transaction.atomic(durable=True):
        old = Survey.objects.select_for_update().get(pk=survey.pk).status
        if old != status:
            compare_and_set(Survey, pk=survey.pk, field="status", old=old, new=status)
            record(
                actor=actor,
                action="survey.status",
                obj=survey,
                field="status",
                before=old,
                after=status,
            )
    survey.status = status
    return survey


def _survey_unit(survey: Survey, unit: Unit) -> None:
    if not survey.units.filter(pk=unit.pk).exists():
        raise ValidationError({"unit": f"Đơn vị “{unit.name}” không thuộc đợt khảo sát này."})


def frame_set(
    *,
    survey: Survey,
    unit: Unit,
    kind: str,
    name: str,
    population: int | None,
    target: int | None,
    actor: User | None,
) -> SamplingFrame:
    """Create or update a sampling frame (commune, village, counter) and its quota."""
    require_admin(actor, "lập khung mẫu", system=True)
    name = (name or "").strip()
    errors: dict[str, str] = {}
    if kind not in FrameKind.values:
        errors["kind"] = "Loại khung mẫu không hợp lệ."
    if not name:
        errors["name"] = "Cần nhập tên."
    if population is not None and population < 1:
        errors["population"] = "Quy mô N phải là số nguyên dương."
    if target is not None and target < 1:
        errors["target"] = "Số phiếu cần thu phải là số nguyên dương."
    if errors:
        raise ValidationError(errors)
    _survey_unit(survey, unit)
    with transaction.atomic(durable=True):
        frame, created = SamplingFrame.objects.update_or_create(
            survey=survey, unit=unit, kind=kind, name=name, defaults={"population": population}
        )
        if target is None:
            Quota.objects.filter(frame=frame).delete()
        else:
            Quota.objects.update_or_create(frame=frame, defaults={"target": target})
        record(
            actor=actor,
            action="survey.frame_set",
            obj=frame,
            after={"population": population, "target": target, "created": created},
            context={"survey": survey.pk, "unit": unit.code},
        )
    return frame


def tokens_generate(
    *, survey: Survey, frame: SamplingFrame, count: int, actor: User | None
) -> list[RespondentToken]:
    """``count`` one-time respondent links for a frame (a counter's QR sheet)."""
    require_admin(actor, "tạo mã phiếu", system=True)
    if frame.survey_id != survey.pk:
        raise ValidationError({"frame": "Khung mẫu không thuộc đợt khảo sát này."})
    if not 1 <= count <= MAX_TOKENS:
        raise ValidationError({"count": f"Số mã phiếu phải từ 1 đến {MAX_TOKENS}."})
    with transaction.atomic(durable=True):
        rows = RespondentToken.objects.bulk_create(
            RespondentToken(
                token=secrets.token_urlsafe(12), survey=survey, unit_id=frame.unit_id, frame=frame
            )
            for _ in range(count)
        )
        record(
            actor=actor,
            action="survey.tokens_generate",
            obj=frame,
            after={"count": count},
            context={"survey": survey.pk},
        )
    return rows


# --------------------------------------------------------------------------- collection


def _clean(items: Sequence[Item], answers: Mapping[str, Any], where: str) -> dict[str, str]:
    """The answers to ``items`` normalised; every refusal raised together, by item code."""
    clean: dict[str, str] = {}
    errors: dict[str, str] = {}
    for item in items:
        raw = answers.get(item.code)
        text = " ".join(raw) if isinstance(raw, (list, tuple)) else str(raw or "")
        value = normalise_answer(item, text)
        if value is None:
            errors[item.code] = f"{where}{answer_problem(item, text)}"
        elif value:
            clean[item.code] = value
        elif item.required:
            errors[item.code] = f"{where}câu {item.code} cần được trả lời"
    if errors:
        raise ValidationError(errors)
    return clean


def form_save(
    *, token: str, page: int, answers: Mapping[str, Any], submit: bool, actor: None = None
) -> Response:
    """Save one page of the public form (save-and-resume by token); ``submit`` sends the
    response (pending review) and uses the token up. A used token raises
    :class:`TokenUsed`; an unknown one ``RespondentToken.DoesNotExist``."""
    with transaction.atomic(durable=True):
        row = (
            RespondentToken.objects.select_for_update()
            .select_related("survey__questionnaire")
            .get(token=token)
        )
        if row.used_at is not None:
            raise TokenUsed()
        q = row.survey.questionnaire.parsed
        aspects = [a.code for a in q.aspects if any(i.aspect == a.code for i in q.items)]
        if not 1 <= page <= len(aspects):
            raise ValidationError({"page": "Trang không tồn tại."})
        items = [i for i in q.items if i.aspect == aspects[page - 1]]
        clean = _clean(items, answers, "")
        response, _ = Response.objects.get_or_create(
            token=row,
            defaults={
                "survey": row.survey,
                "unit_id": row.unit_id,
                "respondent": f"web-{row.pk}",
                "source": ResponseSource.WEB,
                "status": ResponseStatus.DRAFT,
            },
        )
        kept = {k: v for k, v in response.answers.items() if k not in {i.code for i in items}}
        response.answers = {**kept, **clean}
        response.page = max(response.page, page)
        fields = ["answers", "page"]
        if submit:
            now = timezone.now()
            response.status, response.submitted_at = ResponseStatus.PENDING, now
            fields += ["status", "submitted_at"]
            row.used_at = now
            row.save(update_fields=["used_at"])
        response.save(update_fields=fields)
        record(
            actor=None,
            action="survey.response_submit" if submit else "survey.response_save",
            obj=response,
            after={"page": page, "answers": len(clean)},
            context={"survey": row.survey_id, "unit": row.unit_id},
        )
    return response


def paper_entry(
    *,
    survey: Survey,
    unit: Unit,
    rows: Sequence[tuple[str, Mapping[str, Any]]],
    batch_count: int,
    actor: User | None,
    source: str = ResponseSource.PAPER,
) -> list[Response]:
    """Paper questionnaires typed in by a clerk: ``(respondent id, answers)`` per row,
    checked against the batch's count; saved pending review (all rows or none). The API's
    single response comes through here too (``source`` import, a batch of one)."""
    require_admin(actor, "nhập phiếu giấy", system=True)
    _survey_unit(survey, unit)
    filled = [
        (r.strip(), a) for r, a in rows if r.strip() or any(str(v).strip() for v in a.values())
    ]
    if batch_count != len(filled):
        raise ValidationError(
            {"batch_count": f"Số phiếu của tập là {batch_count} nhưng đã nhập {len(filled)} dòng."}
        )
    q = survey.questionnaire.parsed
    errors: list[str] = []
    cleaned: list[tuple[str, dict[str, str]]] = []
    seen: set[str] = set()
    taken = set(Response.objects.filter(survey=survey).values_list("respondent", flat=True))
    for n, (respondent, answers) in enumerate(filled, 1):
        where = f"Dòng {n}: "
        if not respondent:
            errors.append(f"{where}thiếu mã người trả lời")
        elif respondent in seen or respondent in taken:
            errors.append(f"{where}mã người trả lời “{respondent}” bị trùng")
        seen.add(respondent)
        try:
            cleaned.append((respondent, _clean(q.items, answers, where)))
        except ValidationError as exc:
            errors += exc.messages
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    with transaction.atomic(durable=True):
        created = Response.objects.bulk_create(
            Response(
                survey=survey,
                unit=unit,
                respondent=r,
                source=source,
                answers=a,
                submitted_at=now,
                status=ResponseStatus.PENDING,
            )
            for r, a in cleaned
        )
        record(
            actor=actor,
            action="survey.paper_entry",
            obj=survey,
            after={"rows": len(created), "source": source},
            context={"unit": unit.code},
        )
    return created


def _submitted(text: str, default: datetime) -> datetime:
    when = parse_datetime(text) if text else None
    if when is None:
        return default
    return when if timezone.is_aware(when) else timezone.make_aware(when)


def responses_import(
    *,
    survey: Survey,
    records: Sequence[ResponseRecord],
    source_name: str,
    actor: User | None,
    problems: Sequence[Problem] = (),
) -> dict[str, int]:
    """Store the records of a responses file (our CSV or a Kobo/ODK export, read by
    :func:`parindex.formats.responses.read_response_records`). All or nothing: the reader's
    problems and those against the survey (a respondent id already stored from another
    submission) are raised together. A record whose ``_uuid`` is already stored is skipped
    (a re-import of the same export adds nothing)."""
    require_admin(actor, "nhập phiếu trả lời", system=True)
    found = list(problems)
    units = dict(survey.units.values_list("code", "pk"))
    stored = dict(Response.objects.filter(survey=survey).values_list("respondent", "uuid"))
    uuids = {u for u in stored.values() if u}
    fresh: list[ResponseRecord] = []
    for r in records:
        if r.uuid and r.uuid in uuids:
            continue
        if r.unit not in units:
            found.append(
                Problem(source_name, r.line, "unit", f"đơn vị “{r.unit}” không thuộc đợt khảo sát")
            )
        elif r.respondent in stored:
            found.append(
                Problem(
                    source_name,
                    r.line,
                    "respondent",
                    f"người trả lời “{r.respondent}” đã có trong đợt khảo sát",
                )
            )
        else:
            fresh.append(r)
    if found:
        raise FormatError(sorted(found, key=lambda p: p.line or 0))
    now = timezone.now()
    with transaction.atomic(durable=True):
        try:
            Response.objects.bulk_create(
                Response(
                    survey=survey,
                    unit_id=units[r.unit],
                    respondent=r.respondent,
                    source=ResponseSource.KOBO if r.uuid else ResponseSource.IMPORT,
                    answers=r.answers,
                    submitted_at=_submitted(r.submitted, now),
                    status=ResponseStatus.PENDING,
                    uuid=r.uuid,
                )
                for r in fresh
            )
        except IntegrityError as exc:  # a concurrent import of the same file
            raise ValidationError(
                "Tệp vừa được nhập bởi người khác; vui lòng tải lại trang."
            ) from exc
        record(
            actor=actor,
            action="survey.responses_import",
            obj=survey,
            after={"created": len(fresh), "skipped": len(records) - len(fresh)},
            context={"file": source_name},
        )
    return {"created": len(fresh), "skipped": len(records) - len(fresh)}


# --------------------------------------------------------------------------- review


def response_review(
    *, response: Response, decision: str, reason: str, actor: User | None
) -> Response:
    """Approve, flag or reject a submitted response; flagging and rejecting need a reason.
    Only approved responses enter the indices."""
    require_admin(actor, "duyệt phiếu trả lời")
    reason = (reason or "").strip()
    if decision not in REVIEW_MOVES:
        raise ValidationError({"decision": "Quyết định không hợp lệ."})
    if decision != ResponseStatus.APPROVED and not reason:
        raise ValidationError({"reason": "Cần nêu lý do khi đánh dấu hoặc loại phiếu."})
    with transaction.atomic(durable=True):
        return _review(response, decision, reason, actor)


def _review(response: Response, decision: str, reason: str, actor: User | None) -> Response:
    old = response.status
    if old not in REVIEW_MOVES[decision]:
        raise ValidationError(
            {"decision": f"Phiếu đang ở trạng thái “{response.get_status_display()}”."}
        )
    now = timezone.now()
    compare_and_set(
        Response,
        pk=response.pk,
        field="status",
        old=old,
        new=decision,
        review_reason=reason,
        reviewed_by=actor_user(actor),
        reviewed_at=now,
    )
    record(
        actor=actor,
        action=f"survey.response_{decision}",
        obj=response,
        field="status",
        before=old,
        after=decision,
        reason=reason,
        context={"survey": response.survey_id, "unit": response.unit_id},
    )
    response.status, response.review_reason, response.reviewed_at = decision, reason, now
    return response


def responses_approve(*, responses: Sequence[Response], actor: User | None) -> int:
    """Bulk approval of pending or flagged responses; each decision audited."""
    require_admin(actor, "duyệt phiếu trả lời")
    with transaction.atomic(durable=True):
        n = 0
        for r in responses:
            if r.status in REVIEW_MOVES[ResponseStatus.APPROVED]:
                _review(r, ResponseStatus.APPROVED, "", actor)
                n += 1
    return n


def questionnaire_of(survey: Survey) -> EngineQuestionnaire:
    return survey.questionnaire.parsed
