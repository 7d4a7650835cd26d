"""The evidence library of a unit (tài liệu kiểm chứng) and its links to leaf scores."""

from __future__ import annotations

import os
import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils import timezone

from parindex.fields import creation_time, optional_ref, score_ref, unique, unit_ref, user_ref


class EvidenceStorage(FileSystemStorage):
    """Files under ``MEDIA_ROOT/evidence``; never published under a URL (served by a view
    that checks permission). The location follows ``settings.MEDIA_ROOT`` at use time."""

    @property
    def base_location(self) -> str:
        return str(settings.MEDIA_ROOT) + "/evidence"

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)


_storage = EvidenceStorage()


def evidence_storage() -> EvidenceStorage:
    """The storage of evidence files (a callable, so migrations do not pin a path)."""
    return _storage


def evidence_upload_to(instance: EvidenceDocument, filename: str) -> str:
    """``<unit code>/<year>/<uuid>.<ext>`` — never the user's file name on disk."""
    ext = PurePosixPath(filename).suffix.lower().lstrip(".")
    year = instance.year or timezone.localdate().year
    name = uuid.uuid4().hex + (f".{ext}" if ext else "")
    return f"{instance.unit.code}/{year}/{name}"


class DocumentKind(models.TextChoices):
    FILE = "file", "Tệp đính kèm"
    REFERENCE = "reference", "Văn bản tham chiếu"


class EvidenceDocument(models.Model):
    """One document of a unit's evidence library: an uploaded file or a reference to an
    official document. One document may serve several leaves (:class:`EvidenceLink`)."""

    unit = unit_ref("evidence_documents")
    kind = models.CharField(
        "loại", max_length=20, choices=DocumentKind.choices, default=DocumentKind.FILE
    )
    title = models.CharField("tên tài liệu", max_length=500)
    file = models.FileField(
        "tệp",
        storage=evidence_storage,
        upload_to=evidence_upload_to,
        max_length=300,
        blank=True,
    )
    original_name = models.CharField("tên tệp gốc", max_length=300, blank=True)
    content_type = models.CharField("kiểu nội dung", max_length=100, blank=True)
    size = models.PositiveBigIntegerField("dung lượng (byte)", default=0)
    sha256 = models.CharField("SHA-256", max_length=64, blank=True, db_index=True)
    number = models.CharField("số/ký hiệu", max_length=100, blank=True)
    issued_on = models.DateField("ngày ban hành", null=True, blank=True)
    issuer = models.CharField("cơ quan ban hành", max_length=300, blank=True)
    summary = models.TextField("trích yếu", blank=True)
    page_ref = models.CharField("trang/mục", max_length=200, blank=True)
    year = models.PositiveIntegerField("năm", db_index=True)
    uploaded_by = user_ref("người tải lên")
    created_at = creation_time()
    carried_from = optional_ref(
        "self", "chuyển từ", on_delete=models.SET_NULL, related_name="carried_copies"
    )

    class Meta:
        verbose_name = verbose_name_plural = "tài liệu kiểm chứng"
        ordering = ["unit", "-year", "title", "id"]
        indexes = [models.Index(fields=["unit", "year"], name="evidence_unit_year_idx")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_file(self) -> bool:
        return self.kind == DocumentKind.FILE


class EvidenceLink(models.Model):
    """Document ``document`` is evidence for leaf score ``score``."""

    score = score_ref("evidence_links")
    document = models.ForeignKey(
        EvidenceDocument,
        verbose_name="tài liệu",
        on_delete=models.PROTECT,
        related_name="links",
    )
    page_ref = models.CharField("trang/mục", max_length=200, blank=True)
    added_by = user_ref("người thêm")
    created_at = creation_time("ngày thêm")

    class Meta:
        verbose_name = verbose_name_plural = "tài liệu kiểm chứng của tiêu chí"
        ordering = ["score", "id"]
        constraints = [unique("evidencelink_unique", "score", "document")]

    def __str__(self) -> str:
        return f"{self.score} — {self.document}"
