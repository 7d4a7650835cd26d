from __future__ import annotations

from dataclasses import dataclass

from django.db import models

from parindex.cycles.models import DEADLINE_STAGES, CycleStatus
from parindex.fields import (
    assessment_ref,
    creation_time,
    cycle_ref,
    framework_ref,
    moment,
    optional_points,
    score_ref,
    unique,
    unit_ref,
    update_time,
    user_owner,
    user_ref,
)


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", "Đang tự chấm"
    SUBMITTED = "submitted", "Đã gửi"
    ROUND1 = "round1", "Thẩm định vòng 1"
    RETURNED = "returned", "Trả lại để giải trình"
    EXPLAINED = "explained", "Đã giải trình"
    ROUND2 = "round2", "Thẩm định vòng 2"
    APPROVED = "approved", "Đã phê duyệt"


S = AssessmentStatus


@dataclass(frozen=True)
class Transition:
    """One allowed state change of an assessment: ``service`` moves it ``frm`` → ``to``
    and records ``audit`` (docs/workflow.md lists the same rows; a test compares them)."""

    frm: str
    to: str
    service: str
    audit: str


#: Every assessment state change, one row each. The services move an assessment only along
#: these rows (:func:`parindex.assessments.services.assessment_move`) and the permission
#: checks read their status condition from here.
ASSESSMENT_FLOW: tuple[Transition, ...] = (
    Transition(S.DRAFT, S.SUBMITTED, "assessment_submit", "assessment.submit"),
    Transition(S.SUBMITTED, S.DRAFT, "assessment_withdraw", "assessment.withdraw"),
    Transition(S.SUBMITTED, S.ROUND1, "appraisal_start", "appraisal.start"),
    Transition(S.ROUND1, S.RETURNED, "assessment_return", "assessment.return"),
    Transition(S.RETURNED, S.EXPLAINED, "assessment_resubmit", "assessment.resubmit"),
    Transition(S.ROUND1, S.ROUND2, "appraisal_round2_start", "appraisal.round2"),
    Transition(S.EXPLAINED, S.ROUND2, "appraisal_round2_start", "appraisal.round2"),
    Transition(S.ROUND2, S.APPROVED, "council_approve", "assessment.approve"),
    Transition(S.APPROVED, S.ROUND2, "assessment_reopen", "assessment.reopen"),
)

#: Allowed transitions (from → to), the same shape as ``cycles.models.CYCLE_TRANSITIONS``.
ASSESSMENT_TRANSITIONS: dict[str, tuple[str, ...]] = {
    status: tuple(t.to for t in ASSESSMENT_FLOW if t.frm == status) for status in S.values
}

#: What may be done to an assessment without changing its state, and in which states.
ASSESSMENT_EDITS: dict[str, tuple[str, ...]] = {
    "self_score": (S.DRAFT,),  # the unit's points, values, N/A (score_set)
    "explain": (S.RETURNED,),  # explanations and evidence while returned
    "appraise": (S.ROUND1, S.ROUND2),  # appraisal and bonus/penalty points
    "comment": (S.DRAFT, S.SUBMITTED, S.ROUND1, S.RETURNED, S.EXPLAINED, S.ROUND2),
    "external": (S.DRAFT, S.SUBMITTED, S.ROUND1, S.RETURNED, S.EXPLAINED, S.ROUND2),
    "appraisal_done": (S.ROUND1, S.RETURNED, S.EXPLAINED, S.ROUND2),  # mark/undo, audited
}


def transition_for(service: str, frm: str) -> Transition | None:
    """The row of ``service`` that starts at ``frm``, if any."""
    return next((t for t in ASSESSMENT_FLOW if t.service == service and t.frm == frm), None)


def sources_of(service: str) -> tuple[str, ...]:
    """The states ``service`` may start from."""
    return tuple(t.frm for t in ASSESSMENT_FLOW if t.service == service)


class FinalSource(models.TextChoices):
    SELF = "self", "Điểm tự chấm"
    ROUND1 = "round1", "Thẩm định vòng 1"
    ROUND2 = "round2", "Thẩm định vòng 2"
    EXTERNAL = "external", "Nguồn bên ngoài"


class CommentRound(models.IntegerChoices):
    SELF = 0, "Tự đánh giá"
    ROUND1 = 1, "Thẩm định vòng 1"
    ROUND2 = 2, "Thẩm định vòng 2"


class Assessment(models.Model):
    """Phiếu tự chấm: one per unit per cycle."""

    cycle = cycle_ref("assessments")
    unit = unit_ref("assessments")
    framework = framework_ref("assessments")
    status = models.CharField(
        "trạng thái",
        max_length=20,
        choices=AssessmentStatus.choices,
        default=AssessmentStatus.DRAFT,
    )
    version = models.PositiveIntegerField("phiên bản", default=1)
    created_at = creation_time()
    updated_at = update_time()
    submitted_at = moment("gửi lúc")
    submitted_by = user_ref("người gửi")
    returned_at = moment("trả lại lúc")
    return_message = models.TextField("nội dung yêu cầu giải trình", blank=True)
    explanation_due = models.DateTimeField(
        "hạn giải trình của đơn vị",
        null=True,
        blank=True,
        help_text="Hạn do tổ thẩm định đặt khi trả lại; gia hạn của Sở Nội vụ được ưu tiên.",
    )
    explained_at = moment("giải trình lúc")
    approved_at = moment("phê duyệt lúc")
    approved_by = user_ref("người phê duyệt")
    appraisal_done_at = models.DateTimeField(
        "thẩm định xong lúc",
        null=True,
        blank=True,
        help_text="Tổ thẩm định đánh dấu “đã thẩm định xong”; bỏ đánh dấu được trước khi "
        "Hội đồng phê duyệt.",
    )
    appraisal_done_by = user_ref("người đánh dấu thẩm định xong")

    class Meta:
        verbose_name = verbose_name_plural = "phiếu tự chấm"
        ordering = ["cycle", "unit__name"]
        constraints = [unique("assessment_unique", "cycle", "unit")]

    def __str__(self) -> str:
        return f"{self.unit} — {self.cycle}"


class LeafScore(models.Model):
    """Points of one leaf criterion in one assessment, through every stage."""

    assessment = assessment_ref("scores")
    criterion = models.ForeignKey(
        "frameworks.Criterion",
        verbose_name="tiêu chí",
        on_delete=models.PROTECT,
        related_name="scores",
    )
    self_value = models.TextField(
        "giá trị tự đánh giá",
        blank=True,
        help_text="Số liệu, mức hoặc lựa chọn đơn vị nhập theo cách chấm.",
    )
    self_points = optional_points("điểm tự chấm")
    round1_points = optional_points("điểm thẩm định vòng 1")
    round2_points = optional_points("điểm thẩm định vòng 2")
    final_points = optional_points("điểm cuối cùng")
    not_applicable = models.BooleanField("không áp dụng", default=False)
    explanation = models.TextField("giải trình", blank=True)
    round1_reason = models.TextField("lý do điểm thẩm định vòng 1", blank=True)
    round2_reason = models.TextField("lý do điểm thẩm định vòng 2", blank=True)
    adjustment_reason = models.TextField("lý do điểm thưởng/trừ", blank=True)
    external_note = models.TextField(
        "nguồn điểm bên ngoài",
        blank=True,
        help_text="Điểm khảo sát, SIPAS, thống kê: nguồn và ghi chú khi nhập.",
    )
    final_source = models.CharField(
        "điểm cuối cùng lấy từ", max_length=20, choices=FinalSource.choices, blank=True
    )
    version = models.PositiveIntegerField("phiên bản", default=1)
    updated_by = user_ref("người cập nhật")
    updated_at = update_time()

    class Meta:
        verbose_name = verbose_name_plural = "điểm tiêu chí"
        ordering = ["assessment", "criterion__position"]
        constraints = [unique("leafscore_unique", "assessment", "criterion")]

    def __str__(self) -> str:
        return f"{self.assessment} — {self.criterion.code}"


class Comment(models.Model):
    """Ý kiến trao đổi trên một tiêu chí lá (đơn vị ↔ tổ thẩm định)."""

    score = score_ref("comments")
    author = user_ref("người viết", blank=False)
    round = models.PositiveSmallIntegerField(
        "vòng", choices=CommentRound.choices, default=CommentRound.SELF
    )
    text = models.TextField("nội dung")
    created_at = creation_time("thời điểm")

    class Meta:
        verbose_name = verbose_name_plural = "ý kiến"
        ordering = ["score", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.score_id}: {self.text[:60]}"


class DeadlineExtension(models.Model):
    """Gia hạn một giai đoạn cho một đơn vị (Sở Nội vụ cấp, có lý do)."""

    cycle = cycle_ref("deadline_extensions")
    unit = unit_ref("deadline_extensions", on_delete=models.CASCADE)
    stage = models.CharField(
        "giai đoạn",
        max_length=30,
        choices=[(s, CycleStatus(s).label) for s in DEADLINE_STAGES],
    )
    until = models.DateTimeField("gia hạn đến")
    reason = models.TextField("lý do")
    granted_by = user_ref("người cho gia hạn", blank=False)
    granted_at = creation_time("thời điểm gia hạn")

    class Meta:
        verbose_name = verbose_name_plural = "gia hạn"
        ordering = ["cycle", "unit", "stage"]
        constraints = [unique("deadlineextension_unique", "cycle", "unit", "stage")]

    def __str__(self) -> str:
        return f"{self.unit} — {self.get_stage_display()}: {self.until:%d/%m/%Y %H:%M}"


class AppraisalAssignment(models.Model):
    """Phân công thẩm định: which units and which areas/criteria (code prefixes) an
    appraiser handles in a cycle. No units = every participating unit; no codes = every
    criterion."""

    cycle = cycle_ref("appraisal_assignments")
    appraiser = user_owner("thành viên tổ thẩm định", related_name="appraisal_assignments")
    units = models.ManyToManyField(
        "units.Unit", verbose_name="đơn vị được phân công", blank=True, related_name="+"
    )
    criteria_codes = models.JSONField(
        "lĩnh vực/tiêu chí được phân công",
        default=list,
        blank=True,
        help_text="Mã lĩnh vực hoặc tiêu chí (tiền tố mã, ví dụ “1” hoặc “2.3”); trống = tất cả.",
    )
    created_by = user_ref("người phân công")
    created_at = creation_time("ngày phân công")

    class Meta:
        verbose_name = verbose_name_plural = "phân công thẩm định"
        ordering = ["cycle", "appraiser"]
        constraints = [unique("appraisalassignment_unique", "cycle", "appraiser")]

    def __str__(self) -> str:
        return f"{self.cycle} — {self.appraiser}"

    def covers_code(self, code: str) -> bool:
        """True when ``code`` is one of the assigned codes or below one of them."""
        if not self.criteria_codes:
            return True
        return any(code == p or code.startswith(f"{p}.") for p in self.criteria_codes)


class ExplanationRequest(models.Model):
    """One leaf the appraiser returned for explanation, with its message, and the unit's
    answer (``assessment_return`` creates them; ``explanation_answer`` answers)."""

    assessment = assessment_ref("explanation_requests")
    score = score_ref("explanation_requests")
    message = models.TextField("nội dung yêu cầu giải trình")
    requested_by = user_ref("người yêu cầu")
    requested_at = creation_time("yêu cầu lúc")
    answer = models.TextField("nội dung giải trình của đơn vị", blank=True)
    answered_by = user_ref("người giải trình")
    answered_at = moment("giải trình lúc")

    class Meta:
        verbose_name = verbose_name_plural = "yêu cầu giải trình"
        ordering = ["assessment", "score__criterion__position", "id"]

    def __str__(self) -> str:
        return f"{self.score_id}: {self.message[:60]}"


class CouncilDecision(models.Model):
    """Quyết định (biên bản) của Hội đồng thẩm định: ngày, số, thành viên dự họp, ghi chú
    và các đơn vị được phê duyệt theo quyết định này."""

    cycle = cycle_ref("council_decisions")
    decided_on = models.DateField("ngày quyết định")
    number = models.CharField("số biên bản/quyết định", max_length=100)
    members = models.TextField("thành viên dự họp")
    notes = models.TextField("ghi chú", blank=True)
    units = models.ManyToManyField(
        "units.Unit", verbose_name="đơn vị được phê duyệt", blank=True, related_name="+"
    )
    by = user_ref("người ghi nhận")
    created_at = creation_time("ghi nhận lúc")

    class Meta:
        verbose_name = verbose_name_plural = "quyết định của Hội đồng thẩm định"
        ordering = ["cycle", "-decided_on", "-id"]

    def __str__(self) -> str:
        return f"Quyết định số {self.number} ngày {self.decided_on:%d/%m/%Y}"
