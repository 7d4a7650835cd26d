from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from parindex.accounts.models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "full_name", "role", "unit", "is_active", "is_staff")
    list_filter = ("role", "is_active", "is_staff", "unit__group")
    search_fields = ("username", "full_name", "email", "unit__name")
    autocomplete_fields = ("unit",)
    list_select_related = ("unit",)
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        ("Vai trò trong đánh giá CCHC", {"fields": ("full_name", "role", "unit")}),
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        ("Vai trò trong đánh giá CCHC", {"fields": ("full_name", "role", "unit")}),
    )
