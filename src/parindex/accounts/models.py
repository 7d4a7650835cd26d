from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models

from parindex.fields import optional_ref


class Role(models.TextChoices):
    ADMIN = "admin", "Quản trị Sở Nội vụ"
    UNIT_STAFF = "unit_staff", "Cán bộ đơn vị"
    UNIT_HEAD = "unit_head", "Thủ trưởng đơn vị"
    APPRAISER = "appraiser", "Thành viên tổ thẩm định"
    COUNCIL = "council", "Hội đồng thẩm định"
    LEADER = "leader", "Lãnh đạo — xem"


#: Roles that see every unit of the province (the unit roles see their own unit only).
PROVINCE_WIDE_ROLES = frozenset({Role.ADMIN, Role.APPRAISER, Role.COUNCIL, Role.LEADER})


class User(AbstractUser):
    full_name = models.CharField("họ và tên", max_length=200, blank=True)
    role = models.CharField("vai trò", max_length=20, choices=Role.choices, default=Role.UNIT_STAFF)
    unit = optional_ref("units.Unit", "đơn vị", on_delete=models.SET_NULL, related_name="users")

    class Meta:
        verbose_name = verbose_name_plural = "người dùng"

    def __str__(self) -> str:
        return self.full_name or self.get_full_name() or self.username

    @property
    def is_province_admin(self) -> bool:
        """Sở Nội vụ administrator (or a Django superuser)."""
        return self.is_active and (self.is_superuser or self.role == Role.ADMIN)

    @property
    def is_unit_user(self) -> bool:
        return self.role in (Role.UNIT_STAFF, Role.UNIT_HEAD)

    @property
    def is_unit_head(self) -> bool:
        return self.role == Role.UNIT_HEAD

    @property
    def is_appraiser(self) -> bool:
        return self.role == Role.APPRAISER

    @property
    def is_council(self) -> bool:
        return self.role == Role.COUNCIL

    @property
    def is_leader(self) -> bool:
        return self.role == Role.LEADER

    @property
    def sees_all_units(self) -> bool:
        """Province-wide readers: admin, appraisers, council and leaders."""
        return self.is_active and (self.is_superuser or self.role in PROVINCE_WIDE_ROLES)
