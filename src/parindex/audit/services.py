"""The audit trail. Services call :func:`record` inside their own transaction, so a change
and its audit row are committed together or not at all."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models, transaction

from parindex.accounts.permissions import actor_user
from parindex.audit.models import AuditEvent

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
    assert transaction.get_connection().in_atomic_block, (
        "audit.record() must run inside the service's transaction"
    )
    if obj is not None:
        object_type = obj._meta.label_lower
        object_id = "" if obj.pk is None else str(obj.pk)
        object_repr = str(obj)[:300]
    else:
        object_type, object_id, object_repr = "", "", ""
    return AuditEvent.objects.create(
        actor=actor_user(actor),
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr,
        field=field,
        before=before,
        after=after,
        reason=reason,
        context=context or {},
    )


def save_created[M: models.Model](obj: M, *, actor: User | None, action: str, after: Any) -> M:
    """Validate and insert the new ``obj``, then record ``action`` with ``after`` (inside
    the caller's transaction, like :func:`record`)."""
    obj.full_clean()
    obj.save()
    record(actor=actor, action=action, obj=obj, after=after)
    return obj
