"""The responsibility matrix and the yearly improvement plan (issue 12, parts 5 and 6).

* :class:`ResponsibilityRow` — one criterion of a framework in one year: its lead unit, its
  partner units, the evidence each must prepare and how far it is (seed 001 §III, seed 000).
* :class:`ImprovementPlan` — the year's plan (draft → approved, :data:`PLAN_TRANSITIONS`),
  with overall targets, :class:`PlanTarget` per criterion and :class:`PlanTask` rows whose
  progress the lead unit reports (:class:`TaskNote` history, :class:`TaskEvidence` files).
* :class:`ReminderSent` — one row per task, reminder kind and deadline: the reminders'
  memory, so that a re-run sends nothing twice.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from parindex.fields import (
    creation_time,
    framework_ref,
    moment,
    optional_points,
    optional_ref,
    unique,
    unit_ref,
    update_time,
    user_ref,
)


class WorkStatus(models.TextChoices):
    TODO = "todo", "Chưa thực hiện"
    DOING = "doing", "Đang thực hiện"
    DONE = "done", "Hoàn thành"


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "Dự thảo"
    APPROVED = "approved", "Đã phê duyệt"


#: The plan's workflow (docs/improvement.md): the admin approves a draft, or takes an
#: approved plan back to draft to rework it.
PLAN_TRANSITIONS: dict[str, frozenset[str]] = {
    PlanStatus.DRAFT: frozenset({PlanStatus.APPROVED}),
    PlanStatus.APPROVED: frozenset({PlanStatus.DRAFT}),
}


def criterion_ref(related_name: str) -> models.ForeignKey[Any]:
    return models.ForeignKey(
        "frameworks.Criterion",
        verbose_name="tiêu chí",
        on_delete=models.PROTECT,
        related_name=related_name,
    )


class ResponsibilityRow(models.Model):
    year = models.PositiveSmallIntegerField("năm")
    framework = framework_ref("+")
    criterion = criterion_ref("+")
    lead_unit = unit_ref("+")
    partner_units = models.ManyToManyField(
        "units.Unit", verbose_name="đơn vị phối hợp", related_name="+", blank=True
    )
    lead_evidence = models.TextField("tài liệu kiểm chứng đơn vị chủ trì chuẩn bị", blank=True)
    partner_evidence = models.TextField("tài liệu kiểm chứng đơn vị phối hợp chuẩn bị", blank=True)
    status = models.CharField(
        "trạng thái", max_length=10, choices=WorkStatus.choices, default=WorkStatus.TODO
    )
    note = models.TextField("ghi chú tiến độ", blank=True)
    updated_at = update_time()
    updated_by = user_ref("người cập nhật")

    class Meta:
        verbose_name = verbose_name_plural = "phân công tiêu chí"
        ordering = ["year", "criterion__position"]
        constraints = [unique("responsibility_year_criterion", "year", "criterion")]

    def __str__(self) -> str:
        return f"{self.year} — {self.criterion_id}"


class ImprovementPlan(models.Model):
    year = models.PositiveSmallIntegerField("năm", unique=True)
    framework = framework_ref("+")
    title = models.CharField("tên kế hoạch", max_length=500)
    number = models.CharField("số/ký hiệu", max_length=100, blank=True)
    status = models.CharField(
        "trạng thái", max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    baseline_points = optional_points("điểm năm trước")
    baseline_rank = models.PositiveIntegerField("xếp hạng năm trước", null=True, blank=True)
    target_points = optional_points("điểm mục tiêu")
    target_rank = models.PositiveIntegerField("xếp hạng mục tiêu", null=True, blank=True)
    purpose = models.TextField("mục đích", blank=True)
    requirements = models.TextField("yêu cầu", blank=True)
    organisation = models.TextField("tổ chức thực hiện", blank=True)
    source = models.CharField("nguồn phân tích điểm bị mất", max_length=300, blank=True)
    created_at = creation_time()
    created_by = user_ref("người tạo")
    approved_at = moment("phê duyệt lúc")
    approved_by = user_ref("người phê duyệt")

    class Meta:
        verbose_name = verbose_name_plural = "kế hoạch cải thiện chỉ số"
        ordering = ["-year"]

    def __str__(self) -> str:
        return self.title


class PlanTarget(models.Model):
    plan = models.ForeignKey(
        ImprovementPlan, verbose_name="kế hoạch", on_delete=models.CASCADE, related_name="targets"
    )
    criterion = criterion_ref("+")
    baseline_points = optional_points("điểm hiện tại")
    target_points = optional_points("điểm mục tiêu")
    target_rank = models.PositiveIntegerField("xếp hạng mục tiêu", null=True, blank=True)
    note = models.TextField("ghi chú", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "mục tiêu theo tiêu chí"
        ordering = ["plan", "criterion__position"]
        constraints = [unique("plan_target_criterion", "plan", "criterion")]

    def __str__(self) -> str:
        return f"{self.plan_id} — {self.criterion_id}"


class PlanTask(models.Model):
    plan = models.ForeignKey(
        ImprovementPlan, verbose_name="kế hoạch", on_delete=models.CASCADE, related_name="tasks"
    )
    criterion = optional_ref(
        "frameworks.Criterion", "tiêu chí", on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField("nhiệm vụ", max_length=500)
    description = models.TextField("nội dung, giải pháp", blank=True)
    lead_unit = unit_ref("+")
    partner_units = models.ManyToManyField(
        "units.Unit", verbose_name="đơn vị phối hợp", related_name="+", blank=True
    )
    deadline = models.DateField("thời hạn hoàn thành")
    status = models.CharField(
        "trạng thái", max_length=10, choices=WorkStatus.choices, default=WorkStatus.TODO
    )
    progress = models.PositiveSmallIntegerField("tiến độ (%)", default=0)
    position = models.PositiveIntegerField("thứ tự", default=0)
    created_at = creation_time()
    updated_at = update_time()
    updated_by = user_ref("người cập nhật")

    class Meta:
        verbose_name = verbose_name_plural = "nhiệm vụ cải thiện"
        ordering = ["plan", "position", "pk"]
        indexes = [models.Index(fields=["status", "deadline"], name="plantask_status_deadline")]

    def __str__(self) -> str:
        return self.title


class TaskNote(models.Model):
    task = models.ForeignKey(
        PlanTask, verbose_name="nhiệm vụ", on_delete=models.CASCADE, related_name="notes"
    )
    text = models.TextField("nội dung")
    status = models.CharField("trạng thái", max_length=10, choices=WorkStatus.choices)
    progress = models.PositiveSmallIntegerField("tiến độ (%)")
    created_at = creation_time("thời điểm")
    author = user_ref("người ghi")

    class Meta:
        verbose_name = verbose_name_plural = "ghi nhận tiến độ"
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.text[:80]


class TaskEvidence(models.Model):
    task = models.ForeignKey(
        PlanTask, verbose_name="nhiệm vụ", on_delete=models.CASCADE, related_name="evidence"
    )
    document = models.ForeignKey(
        "evidence.EvidenceDocument",
        verbose_name="tài liệu",
        on_delete=models.PROTECT,
        related_name="+",
    )
    added_at = creation_time("thêm lúc")
    added_by = user_ref("người thêm")

    class Meta:
        verbose_name = verbose_name_plural = "tài liệu kiểm chứng của nhiệm vụ"
        ordering = ["-added_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.task_id} — {self.document_id}"


class ReminderSent(models.Model):
    task = models.ForeignKey(
        PlanTask, verbose_name="nhiệm vụ", on_delete=models.CASCADE, related_name="+"
    )
    #: ``before:7``, ``before:1`` … or ``overdue``.
    kind = models.CharField("loại nhắc", max_length=20)
    deadline = models.DateField("thời hạn được nhắc")
    sent_at = creation_time("gửi lúc")

    class Meta:
        verbose_name = verbose_name_plural = "lần nhắc hạn nhiệm vụ"
        constraints = [unique("reminder_task_kind_deadline", "task", "kind", "deadline")]

    def __str__(self) -> str:
        return f"{self.task_id} {self.kind} {self.deadline}"
