"""Who may act on the matrix and the plans (docs/improvement.md "Who does what").

The Sở Nội vụ admin edits everything. A lead unit's staff and head update the progress of
their own tasks and matrix rows (status, notes, evidence) and nothing else. Partners and
the province-wide readers (appraisers, council, leaders) read; another unit sees nothing
that is not its own (404, by the selectors)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied

from parindex.accounts.permissions import is_admin

if TYPE_CHECKING:
    from parindex.accounts.models import User

__all__ = ["can_report", "require_reporter"]


def can_report(user: Any, lead_unit_id: int | None) -> bool:
    """True for the admin and for the active staff/head of the lead unit."""
    if is_admin(user):
        return True
    return bool(
        getattr(user, "is_authenticated", False)
        and getattr(user, "is_active", False)
        and getattr(user, "is_unit_user", False)
        and lead_unit_id is not None
        and getattr(user, "unit_id", None) == lead_unit_id
    )


def require_reporter(actor: User | None, lead_unit_id: int | None) -> None:
    """Refuse (403) unless ``actor`` is the admin or a user of the lead unit; ``None`` is
    the system."""
    if actor is not None and not can_report(actor, lead_unit_id):
        raise PermissionDenied("Chỉ đơn vị chủ trì hoặc Quản trị Sở Nội vụ được cập nhật tiến độ.")
