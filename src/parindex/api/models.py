"""API tokens: a user's personal key for the REST API. Only a SHA-256 hash of the key is
stored; the plaintext is shown once, when the token is created."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người dùng",
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    name = models.CharField("tên khoá", max_length=100)
    key_hash = models.CharField("băm SHA-256 của khoá", max_length=64, unique=True)
    prefix = models.CharField(
        "tiền tố", max_length=16, help_text="Vài ký tự đầu của khoá, để nhận ra khoá."
    )
    created_at = models.DateTimeField("ngày tạo", auto_now_add=True)
    last_used_at = models.DateTimeField("dùng lần cuối", null=True, blank=True)
    revoked_at = models.DateTimeField("thu hồi lúc", null=True, blank=True)

    class Meta:
        verbose_name = "khoá API"
        verbose_name_plural = "khoá API"
        ordering = ["user", "-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
