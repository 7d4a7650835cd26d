"""What the oversight services share: who may act for a unit, required texts."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError

from parindex.accounts.permissions import is_admin
from parindex.units.models import Unit

if TYPE_CHECKING:
    from parindex.accounts.models import User


def require_unit_actor(actor: User | None, unit: Unit, what: str) -> None:
    """The Sở Nội vụ admin, or a user of ``unit`` itself (staff or head); ``None`` is the
    system (demo loader, command line)."""
    if actor is None or is_admin(actor):
        return
    if getattr(actor, "is_unit_user", False) and getattr(actor, "unit_id", None) == unit.pk:
        return
    raise PermissionDenied(f"Chỉ đơn vị {unit.name} hoặc Sở Nội vụ được {what}.")


def required(value: Any, field: str, message: str) -> str:
    text = str(value or "").strip()
    if not text:
        raise ValidationError({field: message})
    return text
