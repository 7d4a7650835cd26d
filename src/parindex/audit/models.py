from __future__ import annotations

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from parindex.fields import user_ref


class AuditEvent(models.Model):
    """One change made through a service. Written inside the service's transaction, so a
    change and its audit row are committed (or rolled back) together. Never edited."""

    at = models.DateTimeField("thời điểm", auto_now_add=True, db_index=True)
    actor = user_ref("người thực hiện")
    action = models.CharField("hành động", max_length=100, db_index=True)
    object_type = models.CharField("loại đối tượng", max_length=100, db_index=True)
    object_id = models.CharField("mã đối tượng", max_length=64, blank=True, db_index=True)
    object_repr = models.CharField("đối tượng", max_length=300, blank=True)
    field = models.CharField("trường", max_length=100, blank=True)
    before = models.JSONField("giá trị trước", null=True, blank=True, encoder=DjangoJSONEncoder)
    after = models.JSONField("giá trị sau", null=True, blank=True, encoder=DjangoJSONEncoder)
    reason = models.TextField("lý do", blank=True)
    context = models.JSONField("ngữ cảnh", default=dict, blank=True, encoder=DjangoJSONEncoder)

    class Meta:
        verbose_name = verbose_name_plural = "nhật ký thay đổi"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"
