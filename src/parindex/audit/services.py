"""The audit trail. Services call :func:`record` inside their own transaction, so a change
and its audit row are committed together or not at all."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models, transaction
from django.utils import timezone

from parindex.accounts.permissions import actor_user
from parindex.audit.models import AuditEvent
from parindex.prepared import insert_row

if TYPE_CHECKING:
    from parindex.accounts.models import User


def record(
    *,
    actor: User | None,
    action: str,
    obj: models.Model | None,
    field: str = "",
    before: Any = None,
    after: Any = None,
    reason: str = "",
    context: dict[str, Any] | None = None,
) -> AuditEvent:
    """Write one audit row. Must be called inside the caller's ``transaction.atomic()``."""
    return AuditEvent.objects.create(
        **_row(actor, action, obj, field, before, after, reason, context)
    )


def record_row(
    *,
    actor: User | None,
    action: str,
    obj: models.Model | None,
    field: str = "",
    before: Any = None,
    after: Any = None,
    reason: str = "",
    context: dict[str, Any] | None = None,
) -> None:
    """:func:`record` in one ``INSERT`` built from the columns, nothing read back: for the
    autosave, where building and saving the model instance was a measurable share of its
    CPU. The same row, the same transaction rule."""
    values = _row(actor, action, obj, field, before, after, reason, context)
    values["at"] = timezone.now()  # what auto_now_add gives on save()
    insert_row(AuditEvent, values)


def _row(
    actor: User | None,
    action: str,
    obj: models.Model | None,
    field: str,
    before: Any,
    after: Any,
    reason: str,
    context: dict[str, Any] | None,
) -> dict[str, Any]:
    assert transaction.get_connection().in_atomic_block, (
        "audit.record() must run inside the service's transaction"
    )
    if obj is not None:
        object_type = obj._meta.label_lower
        object_id = "" if obj.pk is None else str(obj.pk)
        object_repr = str(obj)[:300]
    else:
        object_type, object_id, object_repr = "", "", ""
    return {
        "actor": actor_user(actor),
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "object_repr": object_repr,
        "field": field,
        "before": before,
        "after": after,
        "reason": reason,
        "context": context or {},
    }


def save_created[M: models.Model](obj: M, *, actor: User | None, action: str, after: Any) -> M:
    """Validate and insert the new ``obj``, then record ``action`` with ``after`` (inside
    the caller's transaction, like :func:`record`)."""
    obj.full_clean()
    obj.save()
    record(actor=actor, action=action, obj=obj, after=after)
    return obj
