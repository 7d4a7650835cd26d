"""Reminders of the plans' tasks (a ``django.tasks`` task; ``parindex worker`` enqueues it
with the assessment reminders on its schedule, ``parindex manage task_reminders`` runs one
round by hand).

The lead unit's staff and head get an in-app notification and its e-mail N days before a
task's deadline (``PARINDEX_TASK_REMINDER_DAYS``, default 7 and 1) and once it is overdue.
Each (task, kind, deadline) is sent once: a :class:`ReminderSent` row is written in the
same transaction as the notifications, so a re-run — or a second worker — sends nothing
twice; a moved deadline is reminded again."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence

from django.conf import settings
from django.db import IntegrityError, transaction
from django.tasks import task
from django.urls import reverse
from django.utils import timezone

from parindex.accounts.models import Role
from parindex.improvement.models import PlanStatus, PlanTask, ReminderSent, WorkStatus
from parindex.notifications.models import NotificationKind
from parindex.notifications.services import notify

__all__ = ["OVERDUE", "remind_tasks", "reminder_days", "reminder_for", "send_task_reminders"]

OVERDUE = "overdue"
DEFAULT_DAYS = (7, 1)


def reminder_days() -> tuple[int, ...]:
    """The days before a deadline to remind at: the setting, else the environment variable
    ``PARINDEX_TASK_REMINDER_DAYS`` ("7,1"), else 7 and 1."""
    configured = getattr(settings, "PARINDEX_TASK_REMINDER_DAYS", None)
    if configured is None:
        raw = os.environ.get("PARINDEX_TASK_REMINDER_DAYS", "")
        configured = [int(p) for p in raw.replace(";", ",").split(",") if p.strip().isdigit()]
    days = tuple(sorted({int(d) for d in configured if int(d) >= 0}))
    return days or DEFAULT_DAYS


def reminder_for(deadline: dt.date, today: dt.date, days: Sequence[int]) -> str | None:
    """The reminder due ``today``: ``overdue`` after the deadline, else ``before:N`` for the
    smallest N of ``days`` with at most N days left, else None."""
    left = (deadline - today).days
    if left < 0:
        return OVERDUE
    for d in sorted(days):
        if left <= d:
            return f"before:{d}"
    return None


def _text(t: PlanTask, kind: str, today: dt.date) -> tuple[str, str]:
    when = t.deadline.strftime("%d/%m/%Y")
    if kind == OVERDUE:
        late = (today - t.deadline).days
        title = f"Quá hạn nhiệm vụ cải thiện: {t.title}"
        body = (
            f"Nhiệm vụ “{t.title}” ({t.plan.title}) do {t.lead_unit.name} chủ trì đã quá "
            f"hạn {late} ngày (hạn {when}); tiến độ hiện tại {t.progress}%. Đề nghị cập nhật "
            "tiến độ và tài liệu kiểm chứng."
        )
    else:
        left = (t.deadline - today).days
        title = f"Còn {left} ngày: {t.title}" if left else f"Hết hạn hôm nay: {t.title}"
        body = (
            f"Nhiệm vụ “{t.title}” ({t.plan.title}) do {t.lead_unit.name} chủ trì có hạn "
            f"hoàn thành ngày {when}; tiến độ hiện tại {t.progress}%."
        )
    return title, body


def remind_tasks(*, today: dt.date | None = None) -> dict[str, int]:
    """One round of task reminders; returns ``{"checked", "sent", "notified"}``."""
    today = today or timezone.localdate()
    days = reminder_days()
    stats = {"checked": 0, "sent": 0, "notified": 0}
    open_tasks = PlanTask.objects.filter(plan__status=PlanStatus.APPROVED).exclude(
        status=WorkStatus.DONE
    )
    horizon = today + dt.timedelta(days=max(days))
    for t in open_tasks.filter(deadline__lte=horizon).select_related("plan", "lead_unit"):
        stats["checked"] += 1
        kind = reminder_for(t.deadline, today, days)
        if kind is None:
            continue
        title, body = _text(t, kind, today)
        users = t.lead_unit.users.filter(is_active=True, role__in=[Role.UNIT_STAFF, Role.UNIT_HEAD])
        try:
            with transaction.atomic():
                ReminderSent.objects.create(task=t, kind=kind, deadline=t.deadline)
                created = notify(
                    users=users,
                    kind=NotificationKind.OVERDUE if kind == OVERDUE else NotificationKind.TASK_DUE,
                    title=title,
                    body=body,
                    url=reverse("improvement:task", args=[t.pk]),
                    dedupe_key=f"plantask:{t.pk}:{kind}:{t.deadline.isoformat()}",
                )
        except IntegrityError:  # sent already (by an earlier round or another worker)
            continue
        stats["sent"] += 1
        stats["notified"] += len(created)
    return stats


@task
def send_task_reminders() -> dict[str, int]:
    """Before-deadline and overdue reminders of the approved plans' open tasks."""
    return remind_tasks()
