"""Surveys and SIPAS in the app (issue 10): versioned questionnaires, surveys of a cycle,
sampling frames with quotas, one-time respondent tokens and the responses under review.

Every table links only to its survey, unit and cycle (no cross-province links), so the
rows of one province can be moved or sharded by province without other keys
(docs/surveys.md §8)."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.db import models

from parindex.engine.survey import Questionnaire as EngineQuestionnaire
from parindex.fields import (
    creation_time,
    cycle_ref,
    moment,
    optional_ref,
    unique,
    unit_ref,
    user_ref,
)


class Questionnaire(models.Model):
    """One version of a questionnaire: the YAML source as uploaded (DESIGN §5), parsed on
    save by :func:`parindex.formats.questionnaire.read_questionnaire` (the service refuses
    a source with problems)."""

    code = models.CharField("mã bảng hỏi", max_length=80)
    version = models.PositiveIntegerField("phiên bản")
    name = models.CharField("tên", max_length=300)
    source = models.TextField("nội dung YAML")
    created_at = creation_time()
    created_by = user_ref("người tải lên")

    class Meta:
        verbose_name = "bảng hỏi"
        verbose_name_plural = "bảng hỏi"
        ordering = ["code", "-version"]
        constraints = [unique("survey_questionnaire_version", "code", "version")]

    def __str__(self) -> str:
        return f"{self.code} (phiên bản {self.version})"

    @cached_property
    def parsed(self) -> EngineQuestionnaire:
        from parindex.formats.questionnaire import read_questionnaire

        q, problems = read_questionnaire(self.source, name=self.code)
        if q is None:  # stored sources were checked on upload
            raise ValueError("; ".join(str(p) for p in problems))
        return q


class SurveyStatus(models.TextChoices):
    OPEN = "open", "Đang thu phiếu"
    CLOSED = "closed", "Đã kết thúc"


class Survey(models.Model):
    """A survey of one cycle's units with one questionnaire version."""

    questionnaire = models.ForeignKey(
        Questionnaire, verbose_name="bảng hỏi", on_delete=models.PROTECT, related_name="surveys"
    )
    cycle = cycle_ref("surveys")
    name = models.CharField("tên đợt khảo sát", max_length=300)
    units = models.ManyToManyField("units.Unit", verbose_name="đơn vị", related_name="+")
    status = models.CharField(
        "trạng thái", max_length=10, choices=SurveyStatus.choices, default=SurveyStatus.OPEN
    )
    created_at = creation_time()
    created_by = user_ref("người tạo")

    class Meta:
        verbose_name = "đợt khảo sát"
        verbose_name_plural = "đợt khảo sát"
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.name


class FrameKind(models.TextChoices):
    COMMUNE = "commune", "Xã, phường"
    VILLAGE = "village", "Thôn, tổ dân phố"
    COUNTER = "counter", "Quầy một cửa"


class SamplingFrame(models.Model):
    """One place respondents are drawn from (a commune, a village, a service counter) with
    its population N; its :class:`Quota` says how many answers are wanted."""

    survey = models.ForeignKey(
        Survey, verbose_name="đợt khảo sát", on_delete=models.CASCADE, related_name="frames"
    )
    unit = unit_ref("+")
    kind = models.CharField("loại", max_length=10, choices=FrameKind.choices)
    name = models.CharField("tên", max_length=200)
    population = models.PositiveIntegerField("quy mô N", null=True, blank=True)

    class Meta:
        verbose_name = "khung mẫu"
        verbose_name_plural = "khung mẫu"
        ordering = ["unit__code", "kind", "name"]
        constraints = [unique("survey_frame_name", "survey", "unit", "kind", "name")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.name}"


class Quota(models.Model):
    """The number of answers wanted from a frame (the page suggests n = N/(1+N·e²))."""

    frame = models.OneToOneField(
        SamplingFrame, verbose_name="khung mẫu", on_delete=models.CASCADE, related_name="quota"
    )
    target = models.PositiveIntegerField("số phiếu cần thu")

    class Meta:
        verbose_name = "chỉ tiêu mẫu"
        verbose_name_plural = "chỉ tiêu mẫu"

    def __str__(self) -> str:
        return f"{self.frame}: {self.target}"


class RespondentToken(models.Model):
    """A one-time link ``/khao-sat/<token>/`` for one respondent of a unit (and counter)."""

    token = models.CharField("mã phiếu", max_length=64, unique=True)
    survey = models.ForeignKey(
        Survey, verbose_name="đợt khảo sát", on_delete=models.CASCADE, related_name="tokens"
    )
    unit = unit_ref("+")
    frame = optional_ref(
        "surveys.SamplingFrame", "khung mẫu", on_delete=models.SET_NULL, related_name="tokens"
    )
    created_at = creation_time()
    used_at = moment("đã gửi lúc")

    class Meta:
        verbose_name = "mã phiếu"
        verbose_name_plural = "mã phiếu"
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.token[:8] + "…"


class ResponseSource(models.TextChoices):
    WEB = "web", "Phiếu trực tuyến"
    PAPER = "paper", "Phiếu giấy"
    IMPORT = "import", "Nhập từ tệp"
    KOBO = "kobo", "KoboToolbox/ODK"


class ResponseStatus(models.TextChoices):
    DRAFT = "draft", "Đang điền"
    PENDING = "pending", "Chờ duyệt"
    APPROVED = "approved", "Đã duyệt"
    FLAGGED = "flagged", "Cần xem lại"
    REJECTED = "rejected", "Bị loại"


#: Review decisions: the states a submitted response may be moved to, and from where.
REVIEW_MOVES: dict[str, tuple[str, ...]] = {
    ResponseStatus.APPROVED: (ResponseStatus.PENDING, ResponseStatus.FLAGGED),
    ResponseStatus.FLAGGED: (ResponseStatus.PENDING, ResponseStatus.APPROVED),
    ResponseStatus.REJECTED: (
        ResponseStatus.PENDING,
        ResponseStatus.FLAGGED,
        ResponseStatus.APPROVED,
    ),
}


class Response(models.Model):
    """One respondent's answers ``{item code: answer}`` (likert 1–5, a choice code, ticked
    codes separated by spaces, a number or text; a missing key = no answer). Only
    ``approved`` responses enter the indices."""

    survey = models.ForeignKey(
        Survey, verbose_name="đợt khảo sát", on_delete=models.CASCADE, related_name="responses"
    )
    unit = unit_ref("+")
    respondent = models.CharField("mã người trả lời", max_length=100)
    token = models.OneToOneField(
        RespondentToken,
        verbose_name="mã phiếu",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="response",
    )
    source = models.CharField("nguồn", max_length=10, choices=ResponseSource.choices)
    answers: models.JSONField[Any, Any] = models.JSONField("câu trả lời", default=dict)
    #: the last page of the public form the respondent saved (save-and-resume)
    page = models.PositiveSmallIntegerField("trang đã lưu", default=0)
    submitted_at = moment("gửi lúc")
    status = models.CharField(
        "trạng thái", max_length=10, choices=ResponseStatus.choices, default=ResponseStatus.PENDING
    )
    review_reason = models.CharField("lý do", max_length=500, blank=True)
    reviewed_by = user_ref("người duyệt")
    reviewed_at = moment("duyệt lúc")
    #: Kobo/ODK ``_uuid`` of an imported submission (a re-import does not duplicate it)
    uuid = models.CharField("_uuid", max_length=100, blank=True)
    created_at = creation_time()

    class Meta:
        verbose_name = "phiếu trả lời"
        verbose_name_plural = "phiếu trả lời"
        ordering = ["unit__code", "pk"]
        constraints = [
            unique("survey_response_respondent", "survey", "respondent"),
            models.UniqueConstraint(
                fields=["survey", "uuid"],
                condition=~models.Q(uuid=""),
                name="survey_response_uuid",
            ),
        ]
        indexes = [models.Index(fields=["survey", "unit", "status"])]

    def __str__(self) -> str:
        return f"{self.respondent} ({self.unit_id})"
