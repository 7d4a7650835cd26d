"""Writes for API tokens: create (the plaintext is returned once), revoke, and the "last
used" stamp of a request's key. Create and revoke are audited in the same transaction."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from parindex.accounts.models import User
from parindex.accounts.permissions import is_admin
from parindex.api.models import ApiToken
from parindex.audit.services import record

#: Every plaintext key starts with this, so a leaked key is easy to recognise.
KEY_PREFIX = "pix_"

#: ``last_used_at`` is written at most this often per token (not on every request).
TOUCH_EVERY = timedelta(minutes=1)
#: The longest life a token may be given, in days.
MAX_DAYS = 366


def hash_key(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode()).hexdigest()


def _may_manage(actor: User | None, user: User) -> bool:
    """A user manages their own tokens; the province admin (or a command, actor None)
    manages everyone's."""
    if actor is None:
        return True
    return actor.pk == user.pk or is_admin(actor)


def token_create(
    *, user: User, name: str, actor: User | None, days: int | None = None
) -> tuple[ApiToken, str]:
    """A new token for ``user``, valid ``days`` (default ``PARINDEX_API_TOKEN_DAYS``);
    returns the token and its plaintext key (shown once)."""
    name = (name or "").strip()
    days = settings.PARINDEX_API_TOKEN_DAYS if days is None else days
    if not 1 <= days <= MAX_DAYS:
        raise ValidationError({"days": f"Thời hạn của khoá API phải từ 1 đến {MAX_DAYS} ngày."})
    if not name:
        raise ValidationError({"name": "Hãy đặt tên cho khoá API (ví dụ: “máy chủ báo cáo”)."})
    if not user.is_active:
        raise ValidationError("Tài khoản đã bị khoá, không thể tạo khoá API.")
    if not _may_manage(actor, user):
        raise PermissionDenied("Bạn không được tạo khoá API cho người khác.")
    plaintext = KEY_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic(durable=True):
        token = ApiToken.objects.create(
            user=user,
            name=name[:100],
            key_hash=hash_key(plaintext),
            prefix=plaintext[:12],
            expires_at=timezone.now() + timedelta(days=days),
        )
        record(
            actor=actor,
            action="api_token.create",
            obj=token,
            after={
                "user": user.username,
                "name": token.name,
                "prefix": token.prefix,
                "expires_at": token.expires_at.isoformat(),
            },
        )
    return token, plaintext


def token_revoke(*, token: ApiToken, actor: User | None) -> ApiToken:
    """Revoke ``token`` (idempotent: revoking twice keeps the first date)."""
    if not _may_manage(actor, token.user):
        raise PermissionDenied("Bạn không được thu hồi khoá API của người khác.")
    with transaction.atomic(durable=True):
        now = timezone.now()
        if ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=now):
            token.revoked_at = now
            record(
                actor=actor,
                action="api_token.revoke",
                obj=token,
                field="revoked_at",
                before=None,
                after=now,
            )
        else:
            token.refresh_from_db(fields=["revoked_at"])
    return token


def token_authenticate(*, plaintext: str) -> User | None:
    """The active user owning the (unrevoked, unexpired) key ``plaintext``, or None. Stamps the
    token's ``last_used_at`` (at most once per :data:`TOUCH_EVERY`, one UPDATE, not
    audited: it is a usage counter, not a change anyone made)."""
    if not plaintext or not plaintext.startswith(KEY_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(
            key_hash=hash_key(plaintext), revoked_at__isnull=True, expires_at__gt=timezone.now()
        )
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > TOUCH_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
