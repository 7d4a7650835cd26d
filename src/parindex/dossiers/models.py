"""Dossier records (hồ sơ TTHC) imported from one-stop exports, their import jobs, the
editable status mappings, the working-day calendar and the officials' late-rate thresholds.

The :class:`Dossier` table has no foreign key that crosses provinces (``province`` is part
of its unique key, the unit link is the only FK and units belong to one installation), so it
can be partitioned or distributed by province later (docs/dossiers.md §5).
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from pathlib import PurePosixPath

from django.db import models

from parindex.engine.dossier_codes import OUTCOME_LABELS, STATUS_NAMES
from parindex.fields import creation_time, moment, optional_ref, unique, update_time, user_ref
from parindex.jobs.status import ACTIVE, JobStatus

STATUS_CHOICES = [(code, f"{code} — {name}") for code, name in STATUS_NAMES.items()]
OUTCOME_CHOICES = [(0, "không tính"), *((int(k), v) for k, v in OUTCOME_LABELS.items())]
CHANNEL_CHOICES = [(1, "Trực tiếp"), (2, "Trực tuyến"), (3, "Bưu chính công ích")]
#: The source systems with a shipped status table (``data/dossiers/status-maps.yaml``).
SOURCES = (("dvcqg", "Cổng DVC quốc gia"), ("opencps", "OpenCPS"), ("igate", "iGate (VNPT)"))


class Dossier(models.Model):
    """One dossier, as the latest imported version describes it.

    ``outcome`` is the 766 class judged for the period ``class_year`` (the year of the end
    time; an open dossier is judged at the end of the year it was imported in), so that the
    whole-year metrics are GROUP BY queries; other periods are judged on the fly."""

    province = models.CharField("tỉnh", max_length=64, default="", blank=True)
    code = models.CharField("mã hồ sơ", max_length=100)
    source = models.CharField("hệ thống nguồn", max_length=64, default="dvcqg")
    procedure = models.CharField("mã thủ tục", max_length=100, blank=True)
    procedure_name = models.CharField("tên thủ tục", max_length=500, blank=True)
    field = models.CharField("lĩnh vực", max_length=300, blank=True)
    unit = optional_ref("units.Unit", "đơn vị", on_delete=models.PROTECT, related_name="+")
    unit_text = models.CharField("đơn vị xử lý (trong tệp)", max_length=300, blank=True)
    official = models.CharField("cán bộ xử lý", max_length=200, blank=True)
    official_user = optional_ref(
        "accounts.User", "tài khoản cán bộ", on_delete=models.SET_NULL, related_name="+"
    )
    channel = models.PositiveSmallIntegerField("kênh", choices=CHANNEL_CHOICES, default=1)
    status = models.PositiveSmallIntegerField("trạng thái", choices=STATUS_CHOICES)
    received_at = models.DateTimeField("tiếp nhận", null=True, blank=True)
    due_at = models.DateTimeField("hẹn trả", null=True, blank=True)
    due_original_at = models.DateTimeField("hẹn trả ban đầu", null=True, blank=True)
    finished_at = models.DateTimeField("kết thúc xử lý", null=True, blank=True)
    returned_at = models.DateTimeField("trả kết quả", null=True, blank=True)
    stopped_at = models.DateTimeField("dừng/rút", null=True, blank=True)
    end_at = models.DateTimeField("thời điểm kết thúc (theo thứ tự trạng thái)", null=True)
    supplement_count = models.PositiveSmallIntegerField("số lần bổ sung", default=0)
    supplement_requested_at = models.DateTimeField("yêu cầu bổ sung", null=True, blank=True)
    supplement_completed_at = models.DateTimeField("hoàn thành bổ sung", null=True, blank=True)
    pause_seconds = models.BigIntegerField("thời gian tạm dừng (giây)", default=0)
    legal_amount = models.FloatField("thời hạn quy định", null=True, blank=True)
    legal_unit = models.PositiveSmallIntegerField("đơn vị thời hạn", default=1)
    paid_online = models.BooleanField("thanh toán trực tuyến", null=True)
    digitised = models.BooleanField("số hóa thành phần", null=True)
    reused = models.BooleanField("tái sử dụng dữ liệu số hóa", null=True)
    result_file = models.BooleanField("kết quả điện tử", null=True)
    apology_sent_at = models.DateTimeField("gửi phiếu xin lỗi", null=True, blank=True)
    apology_due_at = models.DateTimeField("ngày hẹn trả mới", null=True, blank=True)
    reappointments = models.PositiveSmallIntegerField("số lần hẹn lại", default=0)
    outcome = models.PositiveSmallIntegerField("phân loại", choices=OUTCOME_CHOICES, default=0)
    class_year = models.PositiveSmallIntegerField("năm phân loại", default=0)
    #: Received in an earlier year than ``class_year``: the class judged at the end of the
    #: year of reception (``carry_year``; 0 = none), when the dossier was still open.
    carry_outcome = models.PositiveSmallIntegerField(
        "phân loại cuối năm tiếp nhận", choices=OUTCOME_CHOICES, default=0
    )
    carry_year = models.PositiveSmallIntegerField("năm tiếp nhận (nếu khác)", default=0)
    processing_seconds = models.BigIntegerField("thời gian xử lý (giây)", null=True)
    #: The source's version: the latest event time of the record; the newest version wins.
    version = models.DateTimeField("phiên bản nguồn", null=True)
    row_hash = models.BigIntegerField("dấu vân tay dòng", default=0)
    #: Provenance, not integrity: no database constraint, because checking it costs one
    #: lookup of the same job row per written dossier (about 8 s per 1,000,000 rows on
    #: PostgreSQL, benchmarks/RESULTS.md "Third pass"); Django's SET_NULL still runs when a
    #: job is deleted.
    imported_by = optional_ref(
        "dossiers.DossierImport", "lượt nhập", on_delete=models.SET_NULL, related_name="+",
        db_constraint=False,
    )  # fmt: skip
    updated_at = models.DateTimeField("cập nhật lúc")

    class Meta:
        verbose_name = verbose_name_plural = "hồ sơ thủ tục hành chính"
        ordering = ["-received_at", "code"]
        constraints = [unique("dossier_code_unique", "province", "code")]
        indexes = [
            # covering the whole-year GROUP BY of the metrics by unit
            models.Index(
                fields=["class_year", "unit", "outcome", "channel", "processing_seconds"],
                name="dossier_year_unit",
            ),
            models.Index(
                fields=["carry_year", "unit", "carry_outcome", "channel"], name="dossier_carry_unit"
            ),
            models.Index(fields=["class_year", "official"], name="dossier_year_official"),
            # the whole-year metrics' on-the-fly set: open dossiers stored for an earlier
            # year, and dossiers carried from an earlier year but stored for a later one
            models.Index(fields=["end_at", "class_year"], name="dossier_end"),
            models.Index(fields=["carry_year", "class_year"], name="dossier_carry_class"),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def late(self) -> bool:
        return self.outcome in (3, 5)


class DossierYearCount(models.Model):
    """The whole-year counts of one unit, per class, as the metrics' GROUP BY over the
    stored classes gives them (``kind`` 0: dossiers stored for ``year``, ``outcome``; 1:
    dossiers carried into ``year``, ``carry_outcome``). Rebuilt by every import that wrote
    a dossier, in its transaction (:func:`dossiers.bulk.year_counts_rebuild`); the import is
    the only writer of dossiers, so the table cannot drift from them."""

    year = models.PositiveSmallIntegerField("năm")
    unit = optional_ref("units.Unit", "đơn vị", on_delete=models.CASCADE, related_name="+")
    kind = models.PositiveSmallIntegerField("loại")  # 0 = stored for the year, 1 = carried
    outcome = models.PositiveSmallIntegerField("phân loại", choices=OUTCOME_CHOICES)
    n = models.BigIntegerField("số hồ sơ")
    online = models.BigIntegerField("trực tuyến")
    proc_sum = models.BigIntegerField("tổng thời gian xử lý (giây)")
    proc_n = models.BigIntegerField("số hồ sơ có thời gian xử lý")

    class Meta:
        verbose_name = verbose_name_plural = "số liệu năm theo đơn vị"
        indexes = [models.Index(fields=["year", "unit"], name="dossieryear_unit")]

    def __str__(self) -> str:
        return f"{self.year} {self.unit_id} {self.kind}/{self.outcome}: {self.n}"


class Apology(models.Model):
    """A phiếu xin lỗi và hẹn lại ngày trả kết quả of a dossier, with its two checks."""

    dossier = models.OneToOneField(
        Dossier, on_delete=models.CASCADE, related_name="apology", verbose_name="hồ sơ"
    )
    sent_at = models.DateTimeField("gửi lúc", null=True, blank=True)
    new_due_at = models.DateTimeField("ngày hẹn trả mới", null=True, blank=True)
    resets = models.PositiveSmallIntegerField("số lần hẹn lại", default=1)
    in_time = models.BooleanField("gửi trước hạn ít nhất 01 ngày làm việc", default=False)
    reset_once = models.BooleanField("hẹn lại không quá một lần", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "phiếu xin lỗi"

    def __str__(self) -> str:
        return f"Xin lỗi — {self.dossier_id}"


class DossierStep(models.Model):
    """One step of a dossier's status history (QuaTrinhXuLy of the national sync JSON), as
    its latest imported version gives it; replaced when a re-import changes the dossier."""

    dossier = models.ForeignKey(
        Dossier, on_delete=models.CASCADE, related_name="steps", verbose_name="hồ sơ"
    )
    order = models.PositiveIntegerField("thứ tự")
    status = models.PositiveSmallIntegerField("trạng thái", choices=STATUS_CHOICES, null=True)
    at = models.DateTimeField("thời điểm xử lý", null=True, blank=True)
    official = models.CharField("người xử lý", max_length=200, blank=True)
    unit_text = models.CharField("phòng ban xử lý", max_length=300, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "bước xử lý hồ sơ"
        ordering = ["dossier", "order"]
        constraints = [unique("dossierstep_unique", "dossier", "order")]

    def __str__(self) -> str:
        return f"{self.dossier_id} #{self.order}"


class StatusMapping(models.Model):
    """A source system's status value → national code 1–10 (overrides the shipped table)."""

    source = models.CharField("hệ thống nguồn", max_length=64)
    value = models.CharField("giá trị trong tệp", max_length=200)
    code = models.PositiveSmallIntegerField("mã trạng thái quốc gia", choices=STATUS_CHOICES)

    class Meta:
        verbose_name = verbose_name_plural = "bảng chuyển trạng thái hồ sơ"
        ordering = ["source", "code", "value"]
        constraints = [unique("statusmapping_unique", "source", "value")]

    def __str__(self) -> str:
        return f"{self.source}: {self.value} → {self.code}"


def import_upload_to(instance: DossierImport, filename: str) -> str:
    ext = PurePosixPath(filename).suffix.lower()
    return f"dossier-imports/{uuid.uuid4().hex}{ext}"


def report_upload_to(instance: DossierImport, filename: str) -> str:
    return f"dossier-imports/{uuid.uuid4().hex}-loi.csv"


class DossierImport(models.Model):
    """One import of a dossier file: who asked, how far it got, its counts and error report."""

    file = models.FileField("tệp", upload_to=import_upload_to, max_length=300, blank=True)
    file_name = models.CharField("tên tệp", max_length=300, blank=True)
    source = models.CharField("hệ thống nguồn", max_length=64, default="dvcqg")
    status = models.CharField(
        "tình trạng", max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField("tiến độ (%)", default=0)
    message = models.TextField("thông báo", blank=True)
    rows = models.PositiveIntegerField("số dòng", default=0)
    created = models.PositiveIntegerField("thêm mới", default=0)
    changed = models.PositiveIntegerField("cập nhật", default=0)
    unchanged = models.PositiveIntegerField("không đổi", default=0)
    problems = models.PositiveIntegerField("số lỗi", default=0)
    warnings = models.PositiveIntegerField("số cảnh báo", default=0)
    error_report = models.FileField(
        "báo cáo lỗi", upload_to=report_upload_to, max_length=300, blank=True
    )
    requested_by = user_ref("người nhập")
    created_at = creation_time("yêu cầu lúc")
    started_at = moment("bắt đầu lúc")
    finished_at = moment("xong lúc")

    class Meta:
        verbose_name = verbose_name_plural = "lượt nhập hồ sơ"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__gte=0, progress__lte=100),
                name="dossierimport_progress",
            ),
        ]

    def __str__(self) -> str:
        return f"Nhập {self.file_name or self.pk} ({self.get_status_display()})"

    @property
    def active(self) -> bool:
        return self.status in ACTIVE


class DayKind(models.TextChoices):
    OFF = "off", "Ngày nghỉ (lễ, Tết, nghỉ hoán đổi)"
    WORKING = "working", "Ngày làm bù (thứ Bảy/Chủ nhật đi làm)"


class CalendarDay(models.Model):
    """A public holiday, a swapped day off or a make-up working day of the calendar.

    Loaded from the shipped tables (``data/calendar/vn-*.yaml``) by a data migration and by
    ``parindex dossiers calendar-load``; editable in the admin."""

    date = models.DateField("ngày", unique=True)
    kind = models.CharField("loại", max_length=10, choices=DayKind.choices)
    name = models.CharField("tên", max_length=300)
    source = models.CharField("căn cứ", max_length=500, blank=True)
    uncertain = models.BooleanField("chưa đối chiếu văn bản", default=False)
    updated_at = update_time()

    class Meta:
        verbose_name = verbose_name_plural = "ngày nghỉ, ngày làm bù"
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} {self.name}"


class OfficialThreshold(models.Model):
    """From ``year`` on, an official with at least ``percent`` % late dossiers is not rated
    "hoàn thành tốt nhiệm vụ" (10%; 5% from 2025)."""

    year = models.PositiveSmallIntegerField("từ năm", unique=True)
    percent = models.DecimalField("ngưỡng tỷ lệ trễ hạn (%)", max_digits=5, decimal_places=2)

    class Meta:
        verbose_name = verbose_name_plural = "ngưỡng trễ hạn của công chức"
        ordering = ["year"]

    def __str__(self) -> str:
        return f"Từ {self.year}: {self.percent}%"


DEFAULT_THRESHOLD = Decimal("10")
