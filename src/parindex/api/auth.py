"""Who is calling: a personal API token (``Authorization: Bearer pix_…``) or the browser
session of the same site. Session writes must carry the CSRF token, as on the pages."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.errors import HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from parindex.accounts.lockout import api_locked_message, api_token_failed, api_token_locked
from parindex.api.services import token_authenticate


class TokenAuth(HttpBearer):
    """``Authorization: Bearer <khoá API>``. Bad keys count as failed logins of the
    caller's address (django-axes): past the limit that address gets 429 for the
    cool-off, even with a good key."""

    def authenticate(self, request: HttpRequest, token: str) -> Any | None:
        if api_token_locked(request):
            raise HttpError(429, api_locked_message())
        user = token_authenticate(plaintext=token.strip())
        if user is None:
            api_token_failed(request)
            return None
        request.user = user
        return user


class SessionAuth(APIKeyCookie):
    """The signed-in browser session. Unlike ninja's ``django_auth``, an anonymous request
    gets 401 (not a CSRF 403), and the CSRF check runs only for a signed-in user."""

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self) -> None:
        super().__init__(csrf=True)

    def _get_key(self, request: HttpRequest) -> str | None:
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if check_csrf(request):
            raise HttpError(403, "Thiếu hoặc sai mã chống giả mạo (CSRF); hãy tải lại trang.")
        return user


AUTH = [TokenAuth(), SessionAuth()]
