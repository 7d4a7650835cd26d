from __future__ import annotations

from datetime import datetime

from django.db import models

from parindex.fields import (
    creation_time,
    cycle_ref,
    framework_ref,
    group_ref,
    moment,
    unique,
    unit_ref,
    user_ref,
)


class CycleStatus(models.TextChoices):
    DRAFT = "draft", "Đang chuẩn bị"
    SELF_ASSESSMENT = "self_assessment", "Tự đánh giá, chấm điểm"
    APPRAISAL_ROUND1 = "appraisal_round1", "Thẩm định vòng 1"
    EXPLANATION = "explanation", "Giải trình"
    APPRAISAL_ROUND2 = "appraisal_round2", "Thẩm định vòng 2"
    COUNCIL = "council", "Hội đồng thẩm định"
    APPROVED = "approved", "Đã phê duyệt"
    PUBLISHED = "published", "Đã công bố"


#: Allowed transitions (from → to). Forward one stage; a stage may be reopened by going
#: one step back (e.g. explanation → appraisal_round1). An approved or published cycle is
#: frozen (:data:`FROZEN_STAGES`); "Mở lại kỳ" (with a reason) takes it back to the
#: council stage, where scores, metrics and the rating configuration may change again.
CYCLE_TRANSITIONS: dict[str, tuple[str, ...]] = {
    CycleStatus.DRAFT: (CycleStatus.SELF_ASSESSMENT,),
    CycleStatus.SELF_ASSESSMENT: (CycleStatus.APPRAISAL_ROUND1, CycleStatus.DRAFT),
    CycleStatus.APPRAISAL_ROUND1: (CycleStatus.EXPLANATION, CycleStatus.SELF_ASSESSMENT),
    CycleStatus.EXPLANATION: (CycleStatus.APPRAISAL_ROUND2, CycleStatus.APPRAISAL_ROUND1),
    CycleStatus.APPRAISAL_ROUND2: (CycleStatus.COUNCIL, CycleStatus.EXPLANATION),
    CycleStatus.COUNCIL: (CycleStatus.APPROVED, CycleStatus.APPRAISAL_ROUND2),
    CycleStatus.APPROVED: (CycleStatus.PUBLISHED, CycleStatus.COUNCIL),
    CycleStatus.PUBLISHED: (CycleStatus.COUNCIL,),
}

#: Stages whose results are frozen: scores, metrics and the rating configuration change
#: only after a reopen (``cycles.services.require_unfrozen``).
FROZEN_STAGES: tuple[str, ...] = (CycleStatus.APPROVED, CycleStatus.PUBLISHED)

#: Stages that have a deadline; the field is ``<stage>_deadline``.
DEADLINE_STAGES: tuple[str, ...] = (
    CycleStatus.SELF_ASSESSMENT,
    CycleStatus.APPRAISAL_ROUND1,
    CycleStatus.EXPLANATION,
    CycleStatus.APPRAISAL_ROUND2,
    CycleStatus.COUNCIL,
    CycleStatus.PUBLISHED,
)


class Cycle(models.Model):
    """Kỳ đánh giá năm."""

    year = models.PositiveIntegerField("năm đánh giá")
    name = models.CharField("tên kỳ đánh giá", max_length=300)
    status = models.CharField(
        "giai đoạn", max_length=30, choices=CycleStatus.choices, default=CycleStatus.DRAFT
    )
    self_assessment_deadline = moment("hạn tự đánh giá")
    appraisal_round1_deadline = moment("hạn thẩm định vòng 1")
    explanation_deadline = moment("hạn giải trình")
    appraisal_round2_deadline = moment("hạn thẩm định vòng 2")
    council_deadline = moment("hạn họp Hội đồng")
    published_deadline = moment("hạn công bố")
    created_at = creation_time()
    created_by = user_ref("người tạo")
    units = models.ManyToManyField(
        "units.Unit", through="CycleUnit", verbose_name="đơn vị tham gia", related_name="cycles"
    )

    class Meta:
        verbose_name = verbose_name_plural = "kỳ đánh giá"
        ordering = ["-year", "-id"]

    def __str__(self) -> str:
        return self.name

    def deadline_for(self, stage: str) -> datetime | None:
        return getattr(self, f"{stage}_deadline", None)


class CycleFramework(models.Model):
    """The framework each unit group is scored with in a cycle."""

    cycle = cycle_ref("framework_links")
    group = models.ForeignKey(
        "units.UnitGroup",
        verbose_name="nhóm đơn vị",
        on_delete=models.PROTECT,
        related_name="cycle_links",
    )
    framework = framework_ref("cycle_links")

    class Meta:
        verbose_name = verbose_name_plural = "bộ tiêu chí của nhóm"
        constraints = [unique("cycleframework_unique", "cycle", "group")]

    def __str__(self) -> str:
        return f"{self.cycle} — {self.group}: {self.framework.code}"


class CycleUnit(models.Model):
    """A participating unit; ``group`` is the group it is ranked in for this cycle
    (a snapshot, so later changes to the unit do not move past results)."""

    cycle = cycle_ref("participants")
    unit = unit_ref("cycle_participations")
    group = group_ref()

    class Meta:
        verbose_name = verbose_name_plural = "đơn vị tham gia"
        ordering = ["cycle", "group__position", "unit__name"]
        constraints = [unique("cycleunit_unique", "cycle", "unit")]

    def __str__(self) -> str:
        return f"{self.cycle} — {self.unit}"
