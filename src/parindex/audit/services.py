"""The audit trail. Services call :func:`record` inside their own transaction, so a change
and its audit row are committed together or not at all."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NotRequired, TypedDict, Unpack

from django.db import models, transaction
from django.utils import timezone

from parindex.accounts.permissions import actor_user
from parindex.audit.models import AuditEvent
from parindex.prepared import insert_row

if TYPE_CHECKING:
    from parindex.accounts.models import User


class AuditFields(TypedDict):
    """The keyword arguments of :func:`record` and :func:`record_row`."""

    actor: User | None
    action: str
    obj: models.Model | None
    field: NotRequired[str]
    before: NotRequired[Any]
    after: NotRequired[Any]
    reason: NotRequired[str]
    context: NotRequired[dict[str, Any] | None]


def record(**fields: Unpack[AuditFields]) -> AuditEvent:
    """Write one audit row. Must be called inside the caller's ``transaction.atomic()``."""
    return AuditEvent.objects.create(**_row(fields))


def record_row(**fields: Unpack[AuditFields]) -> None:
    """:func:`record` in one ``INSERT`` built from the columns, nothing read back: for the
    autosave, where building and saving the model instance was a measurable share of its
    CPU. The same row, the same transaction rule."""
    values = _row(fields)
    values["at"] = timezone.now()  # what auto_now_add gives on save()
    insert_row(AuditEvent, values)


def _row(fields: AuditFields) -> dict[str, Any]:
    assert transaction.get_connection().in_atomic_block, (
        "audit.record() must run inside the service's transaction"
    )
    obj = fields["obj"]
    if obj is not None:
        object_type = obj._meta.label_lower
        object_id = "" if obj.pk is None else str(obj.pk)
        object_repr = str(obj)[:300]
    else:
        object_type, object_id, object_repr = "", "", ""
    return {
        "actor": actor_user(fields["actor"]),
        "action": fields["action"],
        "object_type": object_type,
        "object_id": object_id,
        "object_repr": object_repr,
        "field": fields.get("field", ""),
        "before": fields.get("before"),
        "after": fields.get("after"),
        "reason": fields.get("reason", ""),
        "context": fields.get("context") or {},
    }


def save_created[M: models.Model](obj: M, *, actor: User | None, action: str, after: Any) -> M:
    """Validate and insert the new ``obj``, then record ``action`` with ``after`` (inside
    the caller's transaction, like :func:`record`)."""
    obj.full_clean()
    obj.save()
    record(actor=actor, action=action, obj=obj, after=after)
    return obj
