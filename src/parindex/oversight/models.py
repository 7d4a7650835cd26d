"""Inspections of administrative reform (kiểm tra công tác CCHC) with their findings and
recommendations, the initiatives register (sáng kiến) with its yearly goals, and the target
register of the statistic-sourced criteria (issue 12 parts 7–9, docs/oversight.md)."""

from __future__ import annotations

from decimal import Decimal

from django.db import models

from parindex.engine.targets import FORMULAS
from parindex.fields import (
    creation_time,
    cycle_one,
    cycle_ref,
    optional_ref,
    unique,
    unit_ref,
    update_time,
    user_ref,
)

#: Default share of the cycle's units to inspect in a year (seed 001: "ít nhất 30%").
DEFAULT_MIN_SHARE = Decimal("30")


class InspectionPlan(models.Model):
    """The year's inspection plan of one cycle: which units, when, by whom."""

    cycle = cycle_one("inspection_plan")
    title = models.CharField("tên kế hoạch", max_length=300)
    decision = models.CharField("số, ngày quyết định", max_length=200, blank=True)
    min_share = models.DecimalField(
        "tỷ lệ đơn vị tối thiểu phải kiểm tra (%)",
        max_digits=5,
        decimal_places=2,
        default=DEFAULT_MIN_SHARE,
    )
    created_by = user_ref("người tạo")
    created_at = creation_time()
    updated_at = update_time()

    class Meta:
        verbose_name = verbose_name_plural = "kế hoạch kiểm tra CCHC"

    def __str__(self) -> str:
        return self.title


class PlannedInspection(models.Model):
    """One unit in the plan, with its planned date and inspecting team."""

    plan = models.ForeignKey(
        InspectionPlan, verbose_name="kế hoạch", on_delete=models.CASCADE, related_name="entries"
    )
    unit = unit_ref("planned_inspections")
    planned_on = models.DateField("ngày dự kiến")
    team = models.CharField("đoàn kiểm tra", max_length=300)
    note = models.TextField("ghi chú", blank=True)
    created_at = creation_time()

    class Meta:
        verbose_name = verbose_name_plural = "đơn vị trong kế hoạch kiểm tra"
        ordering = ["planned_on", "unit__name"]
        constraints = [unique("planned_inspection_unique", "plan", "unit")]

    def __str__(self) -> str:
        return f"{self.unit} ({self.planned_on:%d/%m/%Y})"


class InspectionRecord(models.Model):
    """An inspection carried out (biên bản kiểm tra) at a planned unit."""

    entry = models.ForeignKey(
        PlannedInspection,
        verbose_name="đơn vị trong kế hoạch",
        on_delete=models.CASCADE,
        related_name="records",
    )
    inspected_on = models.DateField("ngày kiểm tra")
    team = models.CharField("đoàn kiểm tra", max_length=300)
    content = models.TextField("nội dung kiểm tra")
    created_by = user_ref("người ghi")
    created_at = creation_time()

    class Meta:
        verbose_name = verbose_name_plural = "biên bản kiểm tra CCHC"
        ordering = ["-inspected_on", "-pk"]

    def __str__(self) -> str:
        return f"Kiểm tra {self.entry.unit} ngày {self.inspected_on:%d/%m/%Y}"


class FindingStatus(models.TextChoices):
    RESOLVED = "resolved", "Đã xử lý"
    IN_PROGRESS = "in_progress", "Đang xử lý"
    UNRESOLVED = "unresolved", "Chưa xử lý"


class Finding(models.Model):
    """A problem found by an inspection, the recommendation (kiến nghị) made to the unit
    and how far the unit has dealt with it. ``unit`` is the inspected unit, kept on the row
    so that a unit's users are scoped without a join."""

    record = models.ForeignKey(
        InspectionRecord, verbose_name="biên bản", on_delete=models.CASCADE, related_name="findings"
    )
    unit = unit_ref("findings")
    issue = models.TextField("vấn đề phát hiện")
    recommendation = models.TextField("kiến nghị xử lý")
    due_on = models.DateField("hạn xử lý", null=True, blank=True)
    status = models.CharField(
        "kết quả xử lý",
        max_length=20,
        choices=FindingStatus.choices,
        default=FindingStatus.IN_PROGRESS,
    )
    reason = models.TextField("lý do chưa xử lý", blank=True)
    resolution_note = models.TextField("kết quả, ghi chú xử lý", blank=True)
    updated_by = user_ref("người cập nhật")
    created_at = creation_time()
    updated_at = update_time()

    class Meta:
        verbose_name = verbose_name_plural = "kiến nghị sau kiểm tra"
        ordering = ["unit__name", "pk"]

    def __str__(self) -> str:
        return self.issue[:80]


class InitiativeLevel(models.TextChoices):
    UNIT = "unit", "Cấp đơn vị"
    PROVINCE = "province", "Cấp tỉnh"
    MINISTRY = "ministry", "Cấp Bộ"


class Initiative(models.Model):
    """A reform initiative or new solution (sáng kiến, giải pháp mới) of a unit in a year."""

    unit = unit_ref("initiatives")
    year = models.PositiveIntegerField("năm")
    title = models.CharField("tên sáng kiến", max_length=300)
    summary = models.TextField("tóm tắt nội dung", blank=True)
    authors = models.CharField("tác giả", max_length=300, blank=True)
    level = models.CharField(
        "cấp công nhận",
        max_length=20,
        choices=InitiativeLevel.choices,
        default=InitiativeLevel.UNIT,
    )
    recognised_on = models.DateField("ngày công nhận", null=True, blank=True)
    decision = models.CharField("số quyết định công nhận", max_length=200, blank=True)
    file = models.FileField("tệp minh chứng", upload_to="sang-kien/%Y/", blank=True)
    file_name = models.CharField("tên tệp", max_length=255, blank=True)
    created_by = user_ref("người nhập")
    created_at = creation_time()
    updated_at = update_time()

    class Meta:
        verbose_name = verbose_name_plural = "sáng kiến CCHC"
        ordering = ["-year", "unit__name", "title"]
        indexes = [models.Index(fields=["year", "unit"], name="initiative_year_unit")]

    def __str__(self) -> str:
        return self.title


class InitiativeGoal(models.Model):
    """The year's targets (seed 001): at least ``per_department`` initiatives in each
    department, at least ``ministry`` recognised by the Ministry."""

    year = models.PositiveIntegerField("năm", unique=True)
    per_department = models.PositiveSmallIntegerField("số sáng kiến tối thiểu mỗi sở", default=1)
    ministry = models.PositiveSmallIntegerField(
        "số sáng kiến tối thiểu được Bộ công nhận", default=3
    )
    updated_by = user_ref("người cập nhật")
    updated_at = update_time()

    class Meta:
        verbose_name = verbose_name_plural = "chỉ tiêu sáng kiến năm"

    def __str__(self) -> str:
        return f"Chỉ tiêu sáng kiến năm {self.year}"


class TargetKind(models.TextChoices):
    INVESTMENT = "investment", "Thu hút đầu tư"
    ENTERPRISE = "enterprise", "Phát triển doanh nghiệp"
    BUDGET = "budget", "Thu ngân sách"
    DISBURSEMENT = "disbursement", "Giải ngân vốn đầu tư công"
    AUTONOMY = "autonomy", "Đơn vị sự nghiệp theo mức tự chủ tài chính"
    OTHER = "other", "Chỉ tiêu khác"


FORMULA_CHOICES = list(FORMULAS.items())


class TargetIndicator(models.Model):
    """One row of the target register: a year's target and actual for ``unit`` (the unit the
    figure is about), tracked by ``lead_unit`` (cơ quan chủ trì theo dõi), feeding the
    statistic leaf ``criterion`` of ``unit``'s assessment when one is given."""

    cycle = cycle_ref("targets")
    kind = models.CharField("nhóm chỉ tiêu", max_length=20, choices=TargetKind.choices)
    name = models.CharField("tên chỉ tiêu", max_length=300)
    unit = unit_ref("targets")
    lead_unit = unit_ref("led_targets")
    criterion = optional_ref(
        "frameworks.Criterion",
        "tiêu chí được tính điểm",
        on_delete=models.PROTECT,
        related_name="+",
    )
    measure = models.CharField("đơn vị tính", max_length=50)
    target = models.DecimalField("chỉ tiêu", max_digits=18, decimal_places=3)
    actual = models.DecimalField(
        "thực hiện", max_digits=18, decimal_places=3, null=True, blank=True
    )
    formula = models.CharField(
        "cách tính điểm", max_length=20, choices=FORMULA_CHOICES, default="ratio"
    )
    note = models.TextField("ghi chú", blank=True)
    updated_by = user_ref("người cập nhật")
    updated_at = update_time()

    class Meta:
        verbose_name = verbose_name_plural = "sổ chỉ tiêu thống kê"
        ordering = ["kind", "unit__name", "name"]
        constraints = [unique("target_indicator_unique", "cycle", "unit", "name")]

    def __str__(self) -> str:
        return f"{self.name} — {self.unit}"
