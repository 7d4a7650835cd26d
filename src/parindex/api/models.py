"""API tokens: a user's personal key for the REST API. Only a SHA-256 hash of the key is
stored; the plaintext is shown once, when the token is created."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from parindex.fields import creation_time, moment, user_owner


class ApiToken(models.Model):
    user = user_owner("người dùng", related_name="api_tokens")
    name = models.CharField("tên khoá", max_length=100)
    key_hash = models.CharField("băm SHA-256 của khoá", max_length=64, unique=True)
    prefix = models.CharField(
        "tiền tố", max_length=16, help_text="Vài ký tự đầu của khoá, để nhận ra khoá."
    )
    created_at = creation_time()
    expires_at = models.DateTimeField("hết hạn lúc")
    last_used_at = moment("dùng lần cuối")
    revoked_at = moment("thu hồi lúc")

    class Meta:
        verbose_name = verbose_name_plural = "khoá API"
        ordering = ["user", "-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and not self.is_expired

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()
