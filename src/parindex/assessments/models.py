from __future__ import annotations

from django.conf import settings
from django.db import models


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", "Đang tự chấm"
    SUBMITTED = "submitted", "Đã gửi"
    RETURNED = "returned", "Trả lại để giải trình"
    EXPLAINED = "explained", "Đã giải trình"
    ROUND2 = "round2", "Thẩm định vòng 2"
    APPROVED = "approved", "Đã phê duyệt"


class Assessment(models.Model):
    """Phiếu tự chấm: one per unit per cycle."""

    cycle = models.ForeignKey(
        "cycles.Cycle",
        verbose_name="kỳ đánh giá",
        on_delete=models.CASCADE,
        related_name="assessments",
    )
    unit = models.ForeignKey(
        "units.Unit", verbose_name="đơn vị", on_delete=models.PROTECT, related_name="assessments"
    )
    framework = models.ForeignKey(
        "frameworks.Framework",
        verbose_name="bộ tiêu chí",
        on_delete=models.PROTECT,
        related_name="assessments",
    )
    status = models.CharField(
        "trạng thái",
        max_length=20,
        choices=AssessmentStatus.choices,
        default=AssessmentStatus.DRAFT,
    )
    version = models.PositiveIntegerField("phiên bản", default=1)
    created_at = models.DateTimeField("ngày tạo", auto_now_add=True)
    updated_at = models.DateTimeField("cập nhật lúc", auto_now=True)
    submitted_at = models.DateTimeField("gửi lúc", null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người gửi",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    returned_at = models.DateTimeField("trả lại lúc", null=True, blank=True)
    explained_at = models.DateTimeField("giải trình lúc", null=True, blank=True)
    approved_at = models.DateTimeField("phê duyệt lúc", null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người phê duyệt",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "phiếu tự chấm"
        verbose_name_plural = "phiếu tự chấm"
        ordering = ["cycle", "unit__name"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "unit"], name="assessment_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} — {self.cycle}"


class LeafScore(models.Model):
    """Points of one leaf criterion in one assessment, through every stage."""

    assessment = models.ForeignKey(
        Assessment, verbose_name="phiếu tự chấm", on_delete=models.CASCADE, related_name="scores"
    )
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
    self_points = models.DecimalField(
        "điểm tự chấm", max_digits=8, decimal_places=3, null=True, blank=True
    )
    round1_points = models.DecimalField(
        "điểm thẩm định vòng 1", max_digits=8, decimal_places=3, null=True, blank=True
    )
    round2_points = models.DecimalField(
        "điểm thẩm định vòng 2", max_digits=8, decimal_places=3, null=True, blank=True
    )
    final_points = models.DecimalField(
        "điểm cuối cùng", max_digits=8, decimal_places=3, null=True, blank=True
    )
    not_applicable = models.BooleanField("không áp dụng", default=False)
    explanation = models.TextField("giải trình", blank=True)
    version = models.PositiveIntegerField("phiên bản", default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người cập nhật",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField("cập nhật lúc", auto_now=True)

    class Meta:
        verbose_name = "điểm tiêu chí"
        verbose_name_plural = "điểm tiêu chí"
        ordering = ["assessment", "criterion__position"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "criterion"], name="leafscore_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.assessment} — {self.criterion.code}"
