"""Notifications: in-app rows now, e-mail on commit through a background task.

Services of the other apps do not call :func:`notify` directly: they call
:func:`parindex.outbox.notify_after_commit`, which calls it once their transaction commits.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone

from parindex.accounts.models import User
from parindex.notifications.models import Notification, NotificationKind
from parindex.notifications.selectors import unread_count
from parindex.notifications.tasks import send_notification_emails

__all__ = ["mark_all_read", "mark_read", "notify", "unread_count"]


def _user_key(dedupe_key: str, user_id: int) -> str:
    """The stored key: one notice per user for the caller's ``dedupe_key``."""
    return f"{dedupe_key}#u{user_id}"[:300]


def notify(
    *,
    users: Iterable[User],
    kind: str,
    title: str,
    body: str,
    url: str = "",
    dedupe_key: str | None = None,
) -> list[Notification]:
    """Notify each active user once (per ``dedupe_key`` when given: a user who already has
    a notice for that key is skipped). E-mails are sent after commit by
    :func:`parindex.notifications.tasks.send_notification_emails`."""
    if kind not in NotificationKind.values:
        raise ValueError(f"unknown notification kind {kind!r}")
    created: list[Notification] = []
    seen: set[int] = set()
    # Not durable: a task (the reminders) or a test may call it inside its own transaction.
    with transaction.atomic():
        for user in users:
            if user.pk in seen or not user.is_active:
                continue
            seen.add(user.pk)
            key = _user_key(dedupe_key, user.pk) if dedupe_key else None
            if key and Notification.objects.filter(dedupe_key=key).exists():
                continue
            try:
                with transaction.atomic():
                    created.append(
                        Notification.objects.create(
                            user=user,
                            kind=kind,
                            title=title[:300],
                            body=body,
                            url=url[:500],
                            dedupe_key=key,
                        )
                    )
            except IntegrityError:  # a concurrent run created it first
                continue
        ids = [n.pk for n in created if n.user.email]
        if ids:
            # ``parindex.outbox.enqueue_after_commit`` is built on this module (it imports
            # ``notify``), so the one enqueue beneath it uses on_commit itself.
            transaction.on_commit(lambda: send_notification_emails.enqueue(ids))
    return created


def mark_read(*, notification: Notification, actor: User | None) -> Notification:
    """Mark the actor's own notification read (someone else's is a 404)."""
    if notification.user_id != getattr(actor, "pk", None):
        raise Http404("Không tìm thấy thông báo.")
    if notification.read_at is None:
        now = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=now)
        notification.read_at = now
    return notification


def mark_all_read(*, actor: User) -> int:
    return Notification.objects.filter(user=actor, read_at__isnull=True).update(
        read_at=timezone.now()
    )
