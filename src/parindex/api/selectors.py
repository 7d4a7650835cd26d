from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from parindex.api.models import ApiToken
from parindex.api.services import KEY_PREFIX, hash_key

#: ``last_used_at`` is written at most this often per token (not on every request).
TOUCH_EVERY = timedelta(minutes=1)


def token_user(plaintext: str) -> Any | None:
    """The active user owning the (unrevoked) key ``plaintext``, or None."""
    if not plaintext or not plaintext.startswith(KEY_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=hash_key(plaintext), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > TOUCH_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
