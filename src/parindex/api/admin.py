from __future__ import annotations

from typing import Any

from django.contrib import admin, messages

from parindex.api.models import ApiToken
from parindex.api.services import token_revoke


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are created by their owner (``POST /api/tokens``) or by the command
    ``parindex manage api_token``; here they can only be seen and revoked."""

    list_display = (
        "prefix",
        "name",
        "user",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    )
    list_filter = ("revoked_at", "expires_at")
    search_fields = ("name", "prefix", "user__username")
    readonly_fields = (
        "user",
        "name",
        "prefix",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    )
    exclude = ("key_hash",)
    actions = ["revoke"]

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    @admin.action(description="Thu hồi các khoá API đã chọn")
    def revoke(self, request: Any, queryset: Any) -> None:
        for token in queryset:
            token_revoke(token=token, actor=request.user)
        messages.success(request, f"Đã thu hồi {queryset.count()} khoá API.")
