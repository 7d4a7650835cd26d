from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models

from parindex.fields import creation_time, optional_ref, unique

#: Unit and group codes: letters, digits, ``_``, ``-`` and ``.`` (used in CSV files and URLs).
code_validator = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9_.-]*$",
    "Mã chỉ gồm chữ cái không dấu, chữ số, dấu gạch dưới, gạch ngang hoặc dấu chấm.",
)


def parent_loop(code: str, parent_of: Mapping[str, str | None]) -> list[str] | None:
    """The loop ``code → parent → … → code`` when following ``parent_of`` from ``code``
    comes back to it (``None`` otherwise). ``parent_of`` maps unit codes to parent codes."""
    chain = [code]
    seen = {code}
    current = parent_of.get(code)
    while current is not None:
        chain.append(current)
        if current == code:
            return chain
        if current in seen:  # a loop further up, not through ``code``
            return None
        seen.add(current)
        current = parent_of.get(current)
    return None


def loop_text(chain: list[str]) -> str:
    return "Cấp trên tạo thành vòng lặp: " + " → ".join(chain) + "."


class GroupKind(models.TextChoices):
    DEPARTMENT = "department", "Sở, ban, ngành"
    COMMUNE = "commune", "UBND xã, phường, đặc khu"
    VERTICAL = "vertical", "Cơ quan ngành dọc"
    PROVINCE = "province", "Tỉnh, thành phố"
    OTHER = "other", "Khác"


class UnitKind(models.TextChoices):
    PROVINCE = "province", "Tỉnh, thành phố"
    DEPARTMENT = "department", "Sở, ban, ngành"
    COMMUNE = "commune", "Xã, phường, đặc khu"
    VERTICAL = "vertical", "Cơ quan ngành dọc"
    OTHER = "other", "Khác"


class UnitGroup(models.Model):
    """Units are ranked within their group (DESIGN §4)."""

    code = models.CharField("mã nhóm", max_length=64, unique=True, validators=[code_validator])
    name = models.CharField("tên nhóm", max_length=200)
    kind = models.CharField(
        "loại", max_length=20, choices=GroupKind.choices, default=GroupKind.OTHER
    )
    position = models.PositiveIntegerField("thứ tự", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "nhóm đơn vị"
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class Unit(models.Model):
    code = models.CharField("mã đơn vị", max_length=64, unique=True, validators=[code_validator])
    name = models.CharField("tên đơn vị", max_length=300)
    short_name = models.CharField("tên viết tắt", max_length=100, blank=True)
    kind = models.CharField("loại", max_length=20, choices=UnitKind.choices, default=UnitKind.OTHER)
    division_type = models.CharField(
        "loại đơn vị hành chính",
        max_length=50,
        blank=True,
        help_text="Ví dụ: tỉnh, thành phố trung ương, phường, xã, đặc khu.",
    )
    official_code = models.PositiveIntegerField(
        "mã đơn vị hành chính",
        null=True,
        blank=True,
        help_text="Mã theo danh mục đơn vị hành chính (gói vietnam-provinces).",
    )
    parent = optional_ref(
        "self", "đơn vị cấp trên", on_delete=models.PROTECT, related_name="children"
    )
    group = optional_ref("units.UnitGroup", "nhóm", on_delete=models.PROTECT, related_name="units")
    valid_from = models.DateField("hiệu lực từ", null=True, blank=True)
    valid_to = models.DateField("hiệu lực đến", null=True, blank=True)
    is_active = models.BooleanField("đang hoạt động", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "đơn vị"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "official_code"],
                condition=models.Q(official_code__isnull=False),
                name="unit_unique_official_code_per_kind",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """A unit cannot be its own ancestor (admin forms and services' ``full_clean``)."""
        super().clean()
        if self.parent_id is None or self.pk is None:
            return
        if self.parent_id == self.pk:
            raise ValidationError({"parent": "Đơn vị không thể là cấp trên của chính nó."})
        chain = [self.code]
        current: int | None = self.parent_id
        seen: set[int] = set()
        while current is not None and current not in seen:
            seen.add(current)
            row = Unit.objects.filter(pk=current).values_list("code", "parent_id").first()
            if row is None:
                return
            chain.append(row[0])
            if current == self.pk:
                raise ValidationError({"parent": loop_text(chain)})
            current = row[1]

    def predecessors(self) -> list[Unit]:
        return predecessors(self)

    def successors(self) -> list[Unit]:
        return successors(self)


class LineageKind(models.TextChoices):
    MERGED = "merged", "Sáp nhập"
    SPLIT = "split", "Chia tách"
    RENAMED = "renamed", "Đổi tên"


class UnitLineage(models.Model):
    """``predecessor`` became (part of) ``successor`` on ``effective`` — keeps results
    comparable across the 2025 reorganisation."""

    predecessor = models.ForeignKey(
        Unit,
        verbose_name="đơn vị trước",
        on_delete=models.CASCADE,
        related_name="successor_links",
    )
    successor = models.ForeignKey(
        Unit,
        verbose_name="đơn vị sau",
        on_delete=models.CASCADE,
        related_name="predecessor_links",
    )
    kind = models.CharField("hình thức", max_length=20, choices=LineageKind.choices)
    effective = models.DateField("ngày hiệu lực")
    note = models.TextField("ghi chú", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "quan hệ kế thừa đơn vị"
        ordering = ["-effective", "id"]
        constraints = [
            unique("lineage_unique_pair", "predecessor", "successor"),
            models.CheckConstraint(
                condition=~models.Q(predecessor=models.F("successor")), name="lineage_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor} → {self.successor} ({self.get_kind_display()})"


def _walk(start: Unit, *, forward: bool) -> list[Unit]:
    """Breadth-first walk over the lineage graph; each unit at most once, nearest first."""
    seen: set[int] = {start.pk}
    order: list[int] = []
    frontier = [start.pk]
    while frontier:
        if forward:
            links = UnitLineage.objects.filter(predecessor_id__in=frontier)
            nxt = [pk for pk in links.values_list("successor_id", flat=True)]
        else:
            links = UnitLineage.objects.filter(successor_id__in=frontier)
            nxt = [pk for pk in links.values_list("predecessor_id", flat=True)]
        frontier = []
        for pk in nxt:
            if pk not in seen:
                seen.add(pk)
                order.append(pk)
                frontier.append(pk)
    units = Unit.objects.in_bulk(order)
    return [units[pk] for pk in order]


def predecessors(unit: Unit) -> list[Unit]:
    """Every unit that (directly or through earlier reorganisations) became ``unit``."""
    return _walk(unit, forward=False)


def successors(unit: Unit) -> list[Unit]:
    """Every unit that ``unit`` (directly or later on) became part of."""
    return _walk(unit, forward=True)


class DivisionDataset(models.Model):
    """One load of the administrative divisions from the vietnam-provinces package."""

    source = models.CharField("nguồn", max_length=100, default="vietnam-provinces")
    package_version = models.CharField("phiên bản gói", max_length=50, blank=True)
    data_version = models.CharField("phiên bản dữ liệu", max_length=50, blank=True)
    province_filter = models.CharField("chỉ tỉnh", max_length=200, blank=True)
    loaded_at = creation_time("thời điểm nạp")
    province_count = models.PositiveIntegerField("số tỉnh", default=0)
    commune_count = models.PositiveIntegerField("số xã", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "lần nạp danh mục hành chính"
        ordering = ["-loaded_at", "-id"]

    def __str__(self) -> str:
        return f"{self.source} {self.data_version} ({self.loaded_at:%Y-%m-%d %H:%M})"
