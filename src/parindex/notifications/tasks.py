"""Background tasks (django.tasks; the database queue run by ``parindex worker``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import QuerySet
from django.tasks import task
from django.utils import timezone

from parindex.notifications.models import Notification, NotificationKind


@task
def send_notification_emails(ids: list[int]) -> int:
    """E-mail the notifications ``ids`` (those not e-mailed yet) through the default mailer;
    returns how many were sent. A failure leaves ``emailed_at`` empty for a later retry."""
    sent = 0
    pending = Notification.objects.filter(pk__in=ids, emailed_at__isnull=True).select_related(
        "user"
    )
    for notification in pending:
        email = notification.user.email
        if not email:
            continue
        body = notification.body
        if notification.url:
            body = f"{body}\n\n{notification.url}"
        EmailMessage(
            subject=f"[{settings.PARINDEX_SITE_NAME}] {notification.title}",
            body=body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[email],
        ).send()
        Notification.objects.filter(pk=notification.pk, emailed_at__isnull=True).update(
            emailed_at=timezone.now()
        )
        sent += 1
    return sent


def _local(when: dt.datetime) -> str:
    return timezone.localtime(when).strftime("%H:%M ngày %d/%m/%Y")


STAGE_TEXT = {
    "self_assessment": "tự đánh giá, chấm điểm",
    "explanation": "giải trình, bổ sung tài liệu",
}


def reminder_kind(deadline: dt.datetime, now: dt.datetime) -> str | None:
    """Which reminder is due at ``now`` for ``deadline`` (None: none yet)."""
    if now > deadline:
        return NotificationKind.OVERDUE
    days = (timezone.localtime(deadline).date() - timezone.localtime(now).date()).days
    if days <= 1:
        return NotificationKind.DUE_TOMORROW
    if days <= 3:
        return NotificationKind.DUE_3_DAYS
    return None


def _reminder_text(
    kind: str, stage: str, unit: Any, cycle: Any, deadline: dt.datetime
) -> tuple[str, str]:
    what = STAGE_TEXT[stage]
    when = _local(deadline)
    if kind == NotificationKind.OVERDUE:
        title = f"Quá hạn {what}: {cycle.name}"
        body = (
            f"Đơn vị {unit.name} đã quá hạn {what} ({when}) của {cycle.name}. "
            "Sau hạn, phiếu bị khóa; cần Sở Nội vụ gia hạn để tiếp tục."
        )
    elif kind == NotificationKind.DUE_TOMORROW:
        today = timezone.localtime(deadline).date() == timezone.localdate()
        title = f"{'Hết hạn hôm nay' if today else 'Hết hạn ngày mai'}: {what} — {cycle.name}"
        body = f"Hạn {what} của đơn vị {unit.name} ({cycle.name}) là {when}."
    else:
        title = f"Còn 3 ngày: {what} — {cycle.name}"
        body = f"Hạn {what} của đơn vị {unit.name} ({cycle.name}) là {when}."
    return title, body


def _unit_users(unit: Any) -> QuerySet[Any]:
    from parindex.accounts.models import Role

    return unit.users.filter(is_active=True, role__in=[Role.UNIT_STAFF, Role.UNIT_HEAD])


def remind_due(*, now: dt.datetime | None = None) -> dict[str, int]:
    """One round of reminders (the body of :func:`send_reminders`)."""
    from parindex.assessments.models import Assessment, AssessmentStatus
    from parindex.assessments.permissions import effective_deadline
    from parindex.cycles.models import CycleStatus
    from parindex.notifications.services import notify

    now = now or timezone.now()
    stats = {"checked": 0, "notified": 0}
    candidates = Assessment.objects.select_related("cycle", "unit").filter(
        status__in=[AssessmentStatus.DRAFT, AssessmentStatus.RETURNED]
    )
    for assessment in candidates:
        cycle = assessment.cycle
        if assessment.status == AssessmentStatus.DRAFT:
            if cycle.status != CycleStatus.SELF_ASSESSMENT:
                continue
            stage = "self_assessment"
        else:
            if cycle.status in (CycleStatus.APPROVED, CycleStatus.PUBLISHED, CycleStatus.DRAFT):
                continue
            stage = "explanation"
        deadline = effective_deadline(cycle, assessment.unit, stage, assessment=assessment)
        if deadline is None:
            continue
        stats["checked"] += 1
        kind = reminder_kind(deadline, now)
        if kind is None:
            continue
        title, body = _reminder_text(kind, stage, assessment.unit, cycle, deadline)
        key = f"reminder:{cycle.pk}:{assessment.unit_id}:{stage}:{kind}:{deadline.isoformat()}"
        created = notify(
            users=_unit_users(assessment.unit),
            kind=kind,
            title=title,
            body=body,
            dedupe_key=key,
        )
        stats["notified"] += len(created)
    return stats


@task
def send_reminders() -> dict[str, int]:
    """Due-in-3-days, due-tomorrow and overdue notices for every unit whose assessment is
    still a draft in the self-assessment stage, or returned for explanation; each at most
    once per (unit, stage, kind, deadline)."""
    return remind_due()
