"""The Ministry's published results (PAR INDEX, SIPAS) of one year, as imported: one
:class:`NationalDataset` per year and index kind, its points per province and node in
:class:`NationalScore`. Written only by :mod:`parindex.national.services` (docs/improvement.md)."""

from __future__ import annotations

from django.db import models

from parindex.fields import creation_time, framework_ref, optional_ref, unique, unit_ref, user_ref
from parindex.results.models import POINTS


class IndexKind(models.TextChoices):
    PAR = "par", "PAR INDEX"
    SIPAS = "sipas", "SIPAS"


class NationalDataset(models.Model):
    """One year's published results of one index, scored with a national framework."""

    year = models.PositiveIntegerField("năm đánh giá")
    kind = models.CharField("chỉ số", max_length=10, choices=IndexKind.choices)
    framework = framework_ref("national_datasets")
    #: The province this installation serves (the one with points per criterion).
    home = optional_ref("units.Unit", "tỉnh của mình", on_delete=models.PROTECT, related_name="+")
    file_name = models.CharField("tệp nhập", max_length=300, blank=True)
    is_sample = models.BooleanField("số liệu mẫu (không chính thức)", default=False)
    imported_at = creation_time("nhập lúc")
    imported_by = user_ref("người nhập")

    class Meta:
        verbose_name = verbose_name_plural = "kết quả chỉ số quốc gia"
        ordering = ["-year", "kind"]
        constraints = [unique("national_dataset_unique", "year", "kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.year}"


class NationalScore(models.Model):
    """A province's points on one node (``code`` empty = its total) in a dataset."""

    dataset = models.ForeignKey(
        NationalDataset, verbose_name="bộ số liệu", on_delete=models.CASCADE, related_name="scores"
    )
    unit = unit_ref()
    code = models.CharField("mã lĩnh vực/tiêu chí (trống = tổng)", max_length=50, blank=True)
    points = models.DecimalField("điểm", **POINTS)
    region = models.CharField("vùng", max_length=100, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "điểm chỉ số quốc gia của tỉnh"
        ordering = ["dataset", "unit", "code"]
        constraints = [unique("national_score_unique", "dataset", "unit", "code")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.code or 'tổng'}: {self.points}"
