"""Login throttling with django-axes: the client address behind the proxies, the
Vietnamese lock-out answer, the bad-API-token counter, the locked list and the admin's
unlock (audited). Settings: ``AXES_*`` in ``config/settings.py``; why username+address and
not address alone: docs/SECURITY.md."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessAttempt
from axes.utils import reset
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone

from parindex.accounts.models import User
from parindex.accounts.permissions import require_admin
from parindex.audit.services import record

#: The "username" bad API tokens are counted under: with the address, it throttles one
#: address sending bad tokens without touching that address's password logins.
API_TOKEN_USERNAME = "[khoá API]"

LOCKED_MESSAGE = (
    "Tài khoản tạm bị khoá vì nhập sai mật khẩu quá nhiều lần. Hãy thử lại sau {minutes} "
    "phút hoặc liên hệ Quản trị Sở Nội vụ để mở khoá."
)
#: With PARINDEX_LOGIN_COOLOFF_MINUTES=0 the lock lasts until the admin lifts it.
LOCKED_FOR_GOOD = (
    "Tài khoản bị khoá vì nhập sai mật khẩu quá nhiều lần. Hãy liên hệ Quản trị Sở Nội vụ "
    "để mở khoá."
)
API_LOCKED_MESSAGE = (
    "Quá nhiều lần dùng khoá API sai từ địa chỉ này; hãy thử lại sau {minutes} phút."
)


def client_ip(request: HttpRequest) -> str:
    """``AXES_CLIENT_IP_CALLABLE``: the address of the client, read from X-Forwarded-For
    only through the ``PARINDEX_TRUSTED_PROXIES`` proxies in front of the app (nginx: 1);
    with none, REMOTE_ADDR (a client could forge X-Forwarded-For otherwise)."""
    remote = str(request.META.get("REMOTE_ADDR") or "")
    hops = settings.PARINDEX_TRUSTED_PROXIES
    forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR") or "")
    if hops <= 0 or not forwarded:
        return remote
    chain = [part.strip() for part in forwarded.split(",") if part.strip()]
    # Each trusted proxy appended the address it saw: the client is ``hops`` from the end.
    return chain[-hops] if len(chain) >= hops else (chain[0] if chain else remote)


def cooloff_minutes() -> int:
    """Minutes a lock lasts; 0 when it lasts until the admin lifts it."""
    cooloff = settings.AXES_COOLOFF_TIME
    if not isinstance(cooloff, timedelta) or not cooloff:
        return 0
    return max(1, int(cooloff.total_seconds() // 60))


def api_locked_message() -> str:
    minutes = cooloff_minutes()
    if minutes:
        return API_LOCKED_MESSAGE.format(minutes=minutes)
    return "Quá nhiều lần dùng khoá API sai từ địa chỉ này; hãy liên hệ Quản trị Sở Nội vụ."


def lockout_response(
    request: HttpRequest, original_response: Any = None, credentials: Any = None
) -> HttpResponse:
    """``AXES_LOCKOUT_CALLABLE``: 429 with a Vietnamese page (JSON under /api/)."""
    minutes = cooloff_minutes()
    if request.path.startswith("/api/"):
        detail = api_locked_message()
        response: HttpResponse = JsonResponse({"detail": detail, "errors": []}, status=429)
    else:
        message = LOCKED_MESSAGE.format(minutes=minutes) if minutes else LOCKED_FOR_GOOD
        response = render(request, "registration/locked_out.html", {"message": message}, status=429)
    if minutes:
        response["Retry-After"] = str(minutes * 60)
    return response


# --- API tokens ----------------------------------------------------------------------


def _token_credentials() -> dict[str, str]:
    return {"username": API_TOKEN_USERNAME}


def api_token_locked(request: HttpRequest) -> bool:
    """True when this address sent too many bad API tokens (during the cool-off)."""
    if not settings.AXES_ENABLED:
        return False
    return AxesProxyHandler.is_locked(request, _token_credentials())


def api_token_failed(request: HttpRequest) -> None:
    """Count a bad token from this address (axes' own failure signal and records)."""
    user_login_failed.send(sender=__name__, credentials=_token_credentials(), request=request)


# --- the admin's view and unlock -----------------------------------------------------


def locked_attempts() -> QuerySet[AccessAttempt]:
    """Username+address pairs locked now (at the failure limit, within the cool-off)."""
    qs = AccessAttempt.objects.filter(failures_since_start__gte=settings.AXES_FAILURE_LIMIT)
    cooloff = settings.AXES_COOLOFF_TIME
    if isinstance(cooloff, timedelta):
        qs = qs.filter(attempt_time__gte=timezone.now() - cooloff)
    return qs.order_by("-attempt_time", "-id")


def login_unlock(*, attempt: AccessAttempt, actor: User | None) -> int:
    """Lift the lock of ``attempt``'s username+address (axes' reset), audited."""
    require_admin(actor, "mở khoá đăng nhập", system=True)
    username, ip = attempt.username or "", attempt.ip_address or ""
    with transaction.atomic(durable=True):
        removed = reset(ip=ip or None, username=username or None)
        record(
            actor=actor,
            action="login.unlock",
            obj=User.objects.filter(username=username).first(),
            after={
                "username": username,
                "ip_address": ip,
                "failures": attempt.failures_since_start,
            },
        )
    return removed
