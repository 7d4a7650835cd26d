"""Side effects that must wait for the commit: notifications and task enqueues.

A service that notifies or enqueues inside its transaction calls these; the work runs only
once the transaction commits (and not at all when it rolls back), so no e-mail announces a
change that was undone and no worker reads a row that is not there yet. Outside a
transaction the work runs at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from django.db import transaction

from parindex.notifications.services import notify

if TYPE_CHECKING:
    from parindex.accounts.models import User

__all__ = ["after_commit", "enqueue_after_commit", "notify_after_commit"]


def after_commit(fn: Callable[[], Any]) -> None:
    """Run ``fn`` once the current transaction commits."""
    transaction.on_commit(fn)


def enqueue_after_commit(task: Any, *args: Any, **kwargs: Any) -> None:
    """Enqueue the ``django.tasks`` task once the current transaction commits."""
    transaction.on_commit(lambda: task.enqueue(*args, **kwargs))


def notify_after_commit(
    *,
    users: Iterable[User | None],
    kind: str,
    title: str,
    body: str,
    url: str = "",
    dedupe_key: str | None = None,
) -> None:
    """In-app notification (and its e-mail) for each user, once the transaction commits."""
    recipients = [u for u in users if u is not None]
    if not recipients:
        return

    def send() -> None:
        notify(users=recipients, kind=kind, title=title, body=body, url=url, dedupe_key=dedupe_key)

    transaction.on_commit(send)
