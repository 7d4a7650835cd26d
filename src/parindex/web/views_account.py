"""The user's own account pages (password, two-factor, API keys), the second login step,
and the Sở Nội vụ admin's security page (locked logins, two-factor resets). Views parse
the forms and call one service each: accounts.services, accounts.twofactor,
accounts.lockout, api.services."""

from __future__ import annotations

from typing import Any

from axes.models import AccessAttempt
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.contrib.auth.views import PasswordChangeView
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from parindex.accounts import twofactor
from parindex.accounts.http import AuthedHttpRequest
from parindex.accounts.lockout import API_TOKEN_USERNAME, locked_attempts, login_unlock
from parindex.accounts.models import User
from parindex.accounts.permissions import require_admin_page
from parindex.accounts.services import user_password_set
from parindex.api.models import ApiToken
from parindex.api.services import token_create, token_revoke
from parindex.web.helpers import error_messages


@login_required
def account(request: AuthedHttpRequest) -> HttpResponse:
    user = request.user
    context = {
        "nav": "account",
        "has_2fa": twofactor.has_2fa(user),
        "requires_2fa": twofactor.requires_2fa(user),
        "recovery_left": StaticToken.objects.filter(device__user=user).count(),
    }
    return render(request, "web/account/account.html", context)


class PasswordChange(PasswordChangeView):
    """Django's form (old password, the new one twice, the validators' help), the app's
    layout; the write goes through :func:`user_password_set` (audited)."""

    template_name = "web/account/password_change.html"
    success_url = reverse_lazy("account")
    extra_context = {"nav": "account"}

    def form_valid(self, form: PasswordChangeForm) -> HttpResponse:
        user = user_password_set(
            user=form.user, password=form.cleaned_data["new_password1"], actor=form.user
        )
        update_session_auth_hash(self.request, user)  # stay signed in here
        messages.success(self.request, "Đã đổi mật khẩu.")
        return HttpResponseRedirect(self.get_success_url())


# --- two-factor ----------------------------------------------------------------------


def _next(request: AuthedHttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return target
    return reverse("home")


@login_required
def twofactor_enrol(request: AuthedHttpRequest) -> HttpResponse:
    user = request.user
    errors: list[str] = []
    if request.method == "POST":
        try:
            codes = twofactor.twofactor_enrol(
                request=request, code=request.POST.get("code", ""), actor=user
            )
        except ValidationError as exc:
            errors = error_messages(exc)
        else:
            done = {"nav": "account", "codes": codes, "next": _next(request)}
            return render(request, "web/account/recovery_codes.html", done)
    device = twofactor.totp_pending_device(user=user)
    context: dict[str, Any] = {
        "nav": "account",
        "errors": errors,
        "qr": twofactor.qr_svg(device),
        "secret": twofactor.secret_text(device),
        "has_2fa": twofactor.has_2fa(user),
        "required": twofactor.pending(request) == "enrol",
        "next": _next(request),
    }
    return render(
        request, "web/account/twofactor_enrol.html", context, status=422 if errors else 200
    )


@login_required
def twofactor_verify(request: AuthedHttpRequest) -> HttpResponse:
    """The second step after the password, while the session owes it."""
    if twofactor.pending(request) != "verify":
        return redirect(_next(request))
    errors: list[str] = []
    if request.method == "POST":
        try:
            twofactor.twofactor_verify(
                request=request, code=request.POST.get("code", ""), actor=request.user
            )
        except ValidationError as exc:
            errors = error_messages(exc)
        else:
            return redirect(_next(request))
    context = {"errors": errors, "next": _next(request)}
    return render(
        request, "web/account/twofactor_verify.html", context, status=422 if errors else 200
    )


# --- API keys ------------------------------------------------------------------------


@login_required
def token_list(request: AuthedHttpRequest) -> HttpResponse:
    """ "Khoá API": the user's own keys; creating one shows its plaintext once."""
    user = request.user
    errors: list[str] = []
    created: tuple[ApiToken, str] | None = None
    form = {"name": "", "days": ""}
    if request.method == "POST":
        form = {"name": request.POST.get("name", ""), "days": request.POST.get("days", "")}
        try:
            days = int(form["days"]) if form["days"].strip() else None
        except ValueError:
            errors = ["Thời hạn phải là một số ngày."]
        else:
            try:
                created = token_create(user=user, name=form["name"], actor=user, days=days)
            except ValidationError as exc:
                errors = error_messages(exc)
    context = {
        "nav": "account",
        "tokens": ApiToken.objects.filter(user=user),
        "created": created,
        "errors": errors,
        "form": form,
    }
    return render(request, "web/account/tokens.html", context, status=422 if errors else 200)


@login_required
@require_POST
def token_revoke_view(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken.objects.filter(user=request.user), pk=pk)
    token_revoke(token=token, actor=request.user)
    messages.success(request, f"Đã thu hồi khoá API “{token.name}”.")
    return redirect("token_list")


# --- the admin's security page ---------------------------------------------------------


@login_required
def security_admin(request: AuthedHttpRequest) -> HttpResponse:
    require_admin_page(request.user)
    devices = TOTPDevice.objects.filter(confirmed=True).select_related("user")
    context = {
        "nav": "account",
        "locked": locked_attempts(),
        "api_username": API_TOKEN_USERNAME,
        "enrolled": [d.user for d in devices.order_by("user__username")],
    }
    return render(request, "web/account/security_admin.html", context)


@login_required
@require_POST
def login_unlock_view(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    require_admin_page(request.user)
    attempt = get_object_or_404(AccessAttempt, pk=pk)
    login_unlock(attempt=attempt, actor=request.user)
    messages.success(request, f"Đã mở khoá đăng nhập của “{attempt.username}”.")
    return redirect("security_admin")


@login_required
@require_POST
def twofactor_reset_view(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    require_admin_page(request.user)
    user = get_object_or_404(User, pk=pk)
    if twofactor.twofactor_reset(user=user, actor=request.user):
        messages.success(request, f"Đã đặt lại xác thực hai bước của “{user.username}”.")
    else:
        messages.info(request, f"“{user.username}” chưa bật xác thực hai bước.")
    return redirect("security_admin")
