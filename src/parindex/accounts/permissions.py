"""Who the acting user is, for every app's services and views.

One rule, one place: a service that only the Sở Nội vụ admin may call starts with
:func:`require_admin`; a view that only the admin may open starts with
:func:`require_admin_page` (outsiders get 404, DESIGN §3). ``actor`` is ``None`` only for
the system itself: the command line, the demo loader and background tasks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.http import Http404

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from parindex.accounts.models import User

__all__ = ["actor_user", "is_admin", "require_admin", "require_admin_page"]


def actor_user(actor: User | AnonymousUser | None) -> User | None:
    """The user to store in ``created_by``/``updated_by`` columns: ``None`` for the system
    and for an anonymous request."""
    if actor is None or not getattr(actor, "pk", None):
        return None
    return actor  # type: ignore[return-value]


def is_admin(actor: User | AnonymousUser | None) -> bool:
    """True for an active Sở Nội vụ administrator (or superuser)."""
    return bool(
        actor is not None
        and getattr(actor, "is_authenticated", False)
        and getattr(actor, "is_province_admin", False)
    )


def require_admin(actor: User | AnonymousUser | None, what: str, *, system: bool = False) -> None:
    """Refuse (``PermissionDenied``, a 403 in the views and API) unless ``actor`` is the Sở
    Nội vụ admin. ``system=True`` also lets ``actor=None`` (the command line, the demo
    loader, a background task) through."""
    if system and actor is None:
        return
    if not is_admin(actor):
        raise PermissionDenied(f"Chỉ Quản trị Sở Nội vụ được {what}.")


def require_admin_page(user: User | AnonymousUser) -> None:
    """For admin-only pages: anyone else sees 404, as for an object outside their scope."""
    if not is_admin(user):
        raise Http404
