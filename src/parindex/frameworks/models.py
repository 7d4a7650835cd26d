from __future__ import annotations

from django.db import models

from parindex.fields import creation_time, optional_points, optional_ref, unique, user_ref


class FrameworkStatus(models.TextChoices):
    COMPLETE = "complete", "Đầy đủ"
    INCOMPLETE = "incomplete", "Chưa đầy đủ"


class Framework(models.Model):
    """Bộ tiêu chí. Immutable once a cycle uses it (see :attr:`is_used`)."""

    code = models.CharField("mã bộ tiêu chí", max_length=100, unique=True)
    name = models.CharField("tên bộ tiêu chí", max_length=300)
    decision = models.CharField("quyết định ban hành", max_length=300, blank=True)
    year = models.PositiveIntegerField("năm", null=True, blank=True)
    total = optional_points("tổng điểm")
    label = models.CharField("nhãn", max_length=200, blank=True)
    is_sample = models.BooleanField("bộ mẫu", default=False)
    status = models.CharField(
        "tình trạng",
        max_length=20,
        choices=FrameworkStatus.choices,
        default=FrameworkStatus.COMPLETE,
    )
    issues = models.JSONField("vấn đề khi kiểm tra", default=list, blank=True)
    imported_from = models.CharField("nhập từ tệp", max_length=300, blank=True)
    #: Bumped by every replace (a fresh import starts at 1): the key of the compiled
    #: framework cache (:mod:`parindex.frameworks.shape`).
    revision = models.PositiveIntegerField("phiên bản", default=1)
    created_at = creation_time()
    created_by = user_ref("người tạo")

    class Meta:
        verbose_name = verbose_name_plural = "bộ tiêu chí"
        ordering = ["-year", "code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def is_complete(self) -> bool:
        return self.status == FrameworkStatus.COMPLETE

    @property
    def is_used(self) -> bool:
        """True once any cycle uses this framework; it can then no longer be replaced."""
        return self.cycle_links.exists() or self.assessments.exists()


class Criterion(models.Model):
    """One node of the framework tree: depth 1 = area, 2 = criterion, 3+ = sub-criterion.
    ``position`` is the document (depth-first) order within the framework."""

    framework = models.ForeignKey(
        Framework, verbose_name="bộ tiêu chí", on_delete=models.CASCADE, related_name="criteria"
    )
    parent = optional_ref("self", "tiêu chí cha", on_delete=models.CASCADE, related_name="children")
    code = models.CharField("mã", max_length=50)
    name = models.TextField("nội dung")
    depth = models.PositiveSmallIntegerField("cấp", default=1)
    position = models.PositiveIntegerField("thứ tự", default=0)
    max_points = optional_points("điểm tối đa")
    source = models.CharField("nguồn điểm", max_length=20, default="self")
    guidance = models.TextField("hướng dẫn chấm", blank=True)
    evidence = models.TextField("tài liệu kiểm chứng", blank=True)
    note = models.TextField("ghi chú", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "tiêu chí"
        ordering = ["framework", "position"]
        constraints = [unique("criterion_unique_code", "framework", "code")]

    def __str__(self) -> str:
        return f"{self.code}. {self.name}"


class ScoringRule(models.Model):
    """How a leaf turns its input into points. ``params`` as in the framework file, with
    Decimals stored as strings (see :mod:`parindex.frameworks.codec`)."""

    criterion = models.OneToOneField(
        Criterion, verbose_name="tiêu chí", on_delete=models.CASCADE, related_name="rule"
    )
    type = models.CharField("cách chấm", max_length=30, default="manual")
    params = models.JSONField("tham số", default=dict, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "cách chấm điểm"

    def __str__(self) -> str:
        return f"{self.criterion.code}: {self.type}"
