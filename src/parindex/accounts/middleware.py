"""Request guards: the body-size cap (413), the second step of two-factor authentication,
and the setting that limits or turns off the Django admin (404)."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.template import loader
from django.urls import reverse

from parindex.accounts import twofactor
from parindex.accounts.lockout import client_ip

Handler = Callable[[HttpRequest], HttpResponse]

TOO_LARGE = "Dữ liệu gửi lên quá lớn (tối đa {mb} MB); hãy gửi tệp nhỏ hơn."


class RequestSizeLimitMiddleware:
    """Refuse a request whose declared body exceeds ``PARINDEX_MAX_REQUEST_BYTES`` before
    anything reads it: 413, a Vietnamese page (JSON under /api/). A body sent without a
    length (chunked) is capped by nginx's ``client_max_body_size`` (docs/SECURITY.md)."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.PARINDEX_MAX_REQUEST_BYTES
        if length > limit:
            detail = TOO_LARGE.format(mb=round(limit / (1024 * 1024), 1))
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": detail, "errors": []}, status=413)
            body = loader.render_to_string("413.html", {"reason": detail}, request)
            return HttpResponse(body, status=413)
        return self.get_response(request)


class TwoFactorMiddleware:
    """While a signed-in session still owes its second step (:data:`twofactor.PENDING`),
    every page but that step's and logout redirects there; the API sees no session user
    (401; an API token is unaffected)."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        step = twofactor.pending(request)
        if step and request.user.is_authenticated:
            target = reverse("twofactor_verify" if step == "verify" else "twofactor_enrol")
            if request.path.startswith("/api/"):
                request.user = AnonymousUser()
            elif request.path not in (target, reverse("logout")):
                query = urlencode({"next": request.get_full_path()})
                return redirect(f"{target}?{query}")
        return self.get_response(request)


class AdminGateMiddleware:
    """``PARINDEX_ADMIN_ENABLED=false`` makes the Django admin 404; a non-empty
    ``PARINDEX_ADMIN_ALLOWED_IPS`` lets only those client addresses reach it."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/admin/"):
            allowed = settings.PARINDEX_ADMIN_ALLOWED_IPS
            if not settings.PARINDEX_ADMIN_ENABLED or (
                allowed and client_ip(request) not in allowed
            ):
                raise Http404
        return self.get_response(request)
