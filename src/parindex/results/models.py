"""Results of a cycle: rating configuration, rating metrics, the computed result set.

Everything here is written by :mod:`parindex.results.services` (the engine computes, the
service stores) and read through :mod:`parindex.results.selectors`. See docs/results.md.
"""

from __future__ import annotations

from typing import TypedDict

from django.db import models

from parindex.fields import (
    creation_time,
    cycle_one,
    cycle_ref,
    group_ref,
    moment,
    optional_ref,
    unique,
    unit_ref,
    update_time,
    user_ref,
)

#: Metrics every cycle knows (rating conditions may name them before any value exists).
KNOWN_METRICS: tuple[str, ...] = ("late_dossier_rate", "satisfaction_index")
#: How the pages name the built-in metrics.
METRIC_LABELS = {
    "late_dossier_rate": "Tỷ lệ hồ sơ trễ hạn (%)",
    "satisfaction_index": "Chỉ số hài lòng (%)",
}


class DecimalShape(TypedDict):
    """The size keywords of a ``DecimalField``."""

    max_digits: int
    decimal_places: int


#: Every stored point/index value: micro-point precision (6 places).
POINTS: DecimalShape = {"max_digits": 14, "decimal_places": 6}


class RatingConfig(models.Model):
    """Rating classes, capping conditions and the accountability rule of one cycle."""

    cycle = cycle_one("rating_config")
    classes = models.JSONField(
        "mức xếp loại", default=list, help_text="[{name, min}], mức cao nhất trước."
    )
    conditions = models.JSONField(
        "điều kiện hạ mức",
        default=list,
        blank=True,
        help_text="[{metric, op, value, cap, reason}]: đơn vị thỏa điều kiện tối đa mức cap.",
    )
    decimals = models.PositiveSmallIntegerField("số chữ số thập phân khi hiển thị", default=2)
    accountability = models.JSONField(
        "quy tắc xử lý trách nhiệm người đứng đầu", default=dict, blank=True
    )
    updated_at = update_time()
    updated_by = user_ref("người cập nhật")

    class Meta:
        verbose_name = verbose_name_plural = "cấu hình xếp loại"

    def __str__(self) -> str:
        return f"Xếp loại — {self.cycle}"


class MetricSource(models.TextChoices):
    FORM = "form", "Nhập trên biểu mẫu"
    CSV = "csv", "Nhập từ tệp CSV"
    DOSSIERS = "dossiers", "Hồ sơ thủ tục hành chính"
    SURVEYS = "surveys", "Khảo sát sự hài lòng"


class UnitMetric(models.Model):
    """A unit's metric for rating conditions (percent, 0–100), e.g. late_dossier_rate."""

    cycle = cycle_ref()
    unit = unit_ref(on_delete=models.CASCADE)
    metric = models.CharField("chỉ số", max_length=64)
    value = models.DecimalField("giá trị (%)", max_digits=9, decimal_places=4)
    source = models.CharField(
        "nguồn", max_length=20, choices=MetricSource.choices, default=MetricSource.FORM
    )
    updated_at = update_time()
    updated_by = user_ref("người cập nhật")

    class Meta:
        verbose_name = verbose_name_plural = "chỉ số xếp loại của đơn vị"
        ordering = ["cycle", "unit", "metric"]
        constraints = [
            unique("unitmetric_unique", "cycle", "unit", "metric"),
            models.CheckConstraint(
                condition=models.Q(value__gte=0, value__lte=100), name="unitmetric_0_100"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.metric} = {self.value}"


class ResultStatus(models.TextChoices):
    PROVISIONAL = "provisional", "Tạm tính"
    FINAL = "final", "Chính thức"


class ResultSet(models.Model):
    """The current results of a cycle (one per cycle, replaced whole on recompute)."""

    cycle = cycle_one("result_set")
    status = models.CharField(
        "tình trạng", max_length=20, choices=ResultStatus.choices, default=ResultStatus.PROVISIONAL
    )
    computed_at = models.DateTimeField("tính lúc")
    computed_by = user_ref("người yêu cầu tính")
    input_hash = models.CharField("dấu vân tay dữ liệu đầu vào", max_length=64)
    duration_ms = models.PositiveIntegerField("thời gian tính (ms)", default=0)
    decimals = models.PositiveSmallIntegerField("số chữ số thập phân khi hiển thị", default=2)
    notes = models.JSONField("ghi chú khi tính", default=list, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "kết quả kỳ đánh giá"

    def __str__(self) -> str:
        return f"Kết quả {self.cycle} ({self.get_status_display()})"

    @property
    def is_final(self) -> bool:
        return self.status == ResultStatus.FINAL


class UnitResult(models.Model):
    """One unit's result: total points, index, rank in group, rating, change, gap."""

    result_set = models.ForeignKey(
        ResultSet, verbose_name="kết quả", on_delete=models.CASCADE, related_name="units"
    )
    unit = unit_ref()
    group = group_ref()
    framework_code = models.CharField("bộ tiêu chí", max_length=100, blank=True)
    assessment_status = models.CharField("trạng thái phiếu", max_length=20, blank=True)
    points = models.DecimalField("điểm", **POINTS)
    max_points = models.DecimalField("điểm tối đa áp dụng", null=True, blank=True, **POINTS)
    index = models.DecimalField("chỉ số (%)", null=True, blank=True, **POINTS)
    rank = models.PositiveIntegerField("xếp hạng trong nhóm", null=True, blank=True)
    rating = models.CharField("xếp loại", max_length=100, blank=True)
    base_rating = models.CharField("xếp loại theo chỉ số", max_length=100, blank=True)
    applied_conditions = models.JSONField(
        "điều kiện đã áp dụng", default=list, blank=True, help_text="[{metric, value, cap, reason}]"
    )
    missing_metrics = models.JSONField(
        "chỉ số chưa có số liệu", default=list, blank=True, help_text="tên chỉ số (metric)"
    )
    missing_leaves = models.JSONField(
        "tiêu chí chưa có điểm (tính 0)", default=list, blank=True, help_text="mã tiêu chí lá"
    )
    index_change = models.DecimalField(
        "thay đổi chỉ số so với năm trước", null=True, blank=True, **POINTS
    )
    rank_change = models.IntegerField("thay đổi thứ hạng (+ là tăng)", null=True, blank=True)
    previous_unit = optional_ref(
        "units.Unit", "đơn vị so sánh năm trước", on_delete=models.SET_NULL, related_name="+"
    )
    previous_index = models.DecimalField("chỉ số năm trước", null=True, blank=True, **POINTS)
    previous_rank = models.PositiveIntegerField("xếp hạng năm trước", null=True, blank=True)
    comparison_note = models.CharField("ghi chú so sánh", max_length=300, blank=True)
    self_points = models.DecimalField("điểm tự chấm", null=True, blank=True, **POINTS)
    self_index = models.DecimalField("chỉ số tự chấm", null=True, blank=True, **POINTS)
    gap = models.DecimalField(
        "chênh lệch tự chấm − thẩm định (điểm)", null=True, blank=True, **POINTS
    )

    class Meta:
        verbose_name = verbose_name_plural = "kết quả của đơn vị"
        ordering = ["result_set", "group__position", "rank", "unit__name"]
        constraints = [unique("unitresult_unique", "result_set", "unit")]

    def __str__(self) -> str:
        return f"{self.unit_id}: {self.index} (hạng {self.rank})"


class NodeResult(models.Model):
    """Points and index of one area/criterion (non-leaf node) for one unit."""

    unit_result = models.ForeignKey(
        UnitResult, verbose_name="kết quả đơn vị", on_delete=models.CASCADE, related_name="nodes"
    )
    code = models.CharField("mã tiêu chí", max_length=50)
    depth = models.PositiveSmallIntegerField("cấp")
    position = models.PositiveIntegerField("thứ tự", default=0)
    points = models.DecimalField("điểm", **POINTS)
    max_points = models.DecimalField(
        "điểm tối đa áp dụng (trống = không áp dụng)", null=True, blank=True, **POINTS
    )
    index = models.DecimalField("chỉ số thành phần (%)", null=True, blank=True, **POINTS)
    rank = models.PositiveIntegerField("xếp hạng lĩnh vực trong nhóm", null=True, blank=True)
    #: The criterion's name: not stored, set by :func:`parindex.results.selectors.unit_result`.
    name: str

    class Meta:
        verbose_name = verbose_name_plural = "kết quả theo lĩnh vực/tiêu chí"
        ordering = ["unit_result", "position"]
        constraints = [unique("noderesult_unique", "unit_result", "code")]
        indexes = [models.Index(fields=["code"], name="noderesult_code")]

    def __str__(self) -> str:
        return f"{self.unit_result_id} {self.code}: {self.points}"


class RecomputeRequest(models.Model):
    """Debounce for background recomputation: at most one pending task per cycle. The
    units to recompute are the cycle's :class:`DirtyUnit` rows, unless ``full``."""

    cycle = cycle_one()
    pending = models.BooleanField("đang chờ tính", default=False)
    #: A change that is not one unit's (framework, rating configuration, the admin's
    #: "Tính lại"): the next run recomputes the whole cycle.
    full = models.BooleanField("tính lại toàn bộ", default=False, db_default=False)
    requested_at = moment("yêu cầu lúc")
    started_at = moment("bắt đầu tính lúc")
    finished_at = moment("tính xong lúc")
    last_error = models.TextField("lỗi lần tính gần nhất", blank=True)
    #: The django_tasks_db task enqueued for the pending request: while ``pending`` is
    #: true, a task that is gone, finished or lost its worker means the flag is stale.
    task_id = models.UUIDField("tác vụ nền", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "yêu cầu tính lại"

    def __str__(self) -> str:
        return f"Tính lại {self.cycle_id}: {'đang chờ' if self.pending else 'xong'}"


class DirtyUnit(models.Model):
    """A unit whose inputs (points, assessment status, metrics) changed since the cycle's
    last recompute: the incremental recompute rescores it and re-ranks its group. The
    rows of one cycle coalesce while a recompute is pending (one row per unit)."""

    cycle = cycle_ref()
    unit = unit_ref(on_delete=models.CASCADE)

    class Meta:
        verbose_name = verbose_name_plural = "đơn vị cần tính lại"
        constraints = [unique("dirtyunit_unique", "cycle", "unit")]

    def __str__(self) -> str:
        return f"Tính lại {self.unit_id} (kỳ {self.cycle_id})"


class Publication(models.Model):
    """One publication of a cycle's results (the first, or a republication after "Mở lại
    kỳ"): who published it, when, why, and the public files as they were then, so an
    earlier version stays downloadable on the public page."""

    cycle = cycle_ref("publications")
    number = models.PositiveIntegerField("lần công bố")
    published_at = creation_time("ngày công bố")
    published_by = user_ref("người công bố")
    reason = models.TextField("lý do", blank=True)
    csv = models.TextField("bảng xếp hạng (CSV)", blank=True)
    pdf = models.BinaryField("báo cáo (PDF)", null=True, blank=True)

    class Meta:
        verbose_name = "lần công bố kết quả"
        verbose_name_plural = "các lần công bố kết quả"
        constraints = [unique("publication_unique", "cycle", "number")]

    def __str__(self) -> str:
        return f"{self.cycle} — lần {self.number}"
