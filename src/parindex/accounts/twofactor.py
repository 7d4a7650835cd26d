"""Two-factor authentication (django-otp): a TOTP app plus ten single-use recovery codes.

Required for the roles of ``PARINDEX_2FA_ROLES`` when ``PARINDEX_REQUIRE_2FA`` is true,
optional for everyone else. At login (:func:`on_login`) the session is marked "verify"
(the user has a device) or "enrol" (required, none yet); until the step is done,
:class:`parindex.accounts.middleware.TwoFactorMiddleware` keeps the user on that page."""

from __future__ import annotations

from base64 import b32encode
from typing import Any

import django_otp
import segno
from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.core.exceptions import ValidationError
from django.db import transaction
from django.dispatch import receiver
from django.http import HttpRequest
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from parindex.accounts.models import Role, User
from parindex.accounts.permissions import require_admin
from parindex.audit.services import record

#: Session key: "verify" or "enrol" while the second step is pending.
PENDING = "parindex_2fa_pending"
RECOVERY_CODES = 10
WRONG_CODE = "Mã xác thực không đúng hoặc đã hết hạn; hãy nhập mã mới trên ứng dụng."
THROTTLED = "Nhập sai quá nhiều lần; hãy chờ một lát rồi thử lại."


def requires_2fa(user: User) -> bool:
    if not settings.PARINDEX_REQUIRE_2FA or not user.is_active:
        return False
    roles = set(settings.PARINDEX_2FA_ROLES)
    return user.role in roles or (user.is_superuser and Role.ADMIN in roles)


def has_2fa(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


@receiver(user_logged_in, dispatch_uid="parindex_2fa_on_login")
def on_login(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    """After the password: mark the session for the second step (verify or enrol)."""
    if request is None or not hasattr(request, "session"):
        return
    request.session.pop(PENDING, None)
    if has_2fa(user):
        request.session[PENDING] = "verify"
    elif requires_2fa(user):
        request.session[PENDING] = "enrol"


def pending(request: HttpRequest) -> str:
    session = getattr(request, "session", None)
    return str(session.get(PENDING) or "") if session is not None else ""


def _done(request: HttpRequest, device: Any) -> None:
    django_otp.login(request, device)
    request.session.pop(PENDING, None)


# --- enrolment -------------------------------------------------------------------------


def totp_pending_device(*, user: User) -> TOTPDevice:
    """The unconfirmed TOTP device whose secret the enrolment page shows (made once, kept
    until confirmed, so reloading the page keeps the same QR code)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Ứng dụng xác thực", confirmed=False)
    return device


def secret_text(device: TOTPDevice) -> str:
    """The secret in base32, in groups of four, for typing into the app by hand."""
    raw = b32encode(device.bin_key).decode()
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// URI as an inline SVG QR code (no script, no style, no CDN)."""
    return segno.make(device.config_url, error="m").svg_inline(
        scale=5, title="Mã QR để thêm tài khoản vào ứng dụng xác thực"
    )


def twofactor_enrol(*, request: HttpRequest, code: str, actor: User) -> list[str]:
    """Confirm the pending TOTP device with a first ``code``; returns the new recovery
    codes (shown once). Replaces any earlier devices; audited."""
    device = totp_pending_device(user=actor)
    if not device.verify_token((code or "").strip().replace(" ", "")):
        raise ValidationError(WRONG_CODE)
    with transaction.atomic(durable=True):
        TOTPDevice.objects.filter(user=actor).exclude(pk=device.pk).delete()
        StaticDevice.objects.filter(user=actor).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        static = StaticDevice.objects.create(user=actor, name="Mã dự phòng", confirmed=True)
        codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
        StaticToken.objects.bulk_create(StaticToken(device=static, token=c) for c in codes)
        record(
            actor=actor, action="twofactor.enrol", obj=actor, after={"recovery_codes": len(codes)}
        )
    _done(request, device)
    return codes


# --- the second step at login ------------------------------------------------------------


def twofactor_verify(*, request: HttpRequest, code: str, actor: User) -> None:
    """The second step: a 6-digit TOTP code, or one recovery code (used up, audited)."""
    code = (code or "").strip().replace(" ", "").lower()
    if code.isdigit():
        devices: list[Any] = list(TOTPDevice.objects.filter(user=actor, confirmed=True))
    else:
        devices = list(StaticDevice.objects.filter(user=actor, confirmed=True))
    for device in devices:
        allowed, _ = device.verify_is_allowed()
        if not allowed:
            raise ValidationError(THROTTLED)
        with transaction.atomic(durable=True):
            if device.verify_token(code):
                if isinstance(device, StaticDevice):
                    left = device.token_set.count()
                    record(
                        actor=actor,
                        action="twofactor.recovery_code_used",
                        obj=actor,
                        after={"left": left},
                    )
                break
    else:
        raise ValidationError(WRONG_CODE)
    _done(request, device)


# --- the admin's reset -------------------------------------------------------------------


def twofactor_reset(*, user: User, actor: User | None) -> bool:
    """Remove ``user``'s TOTP app and recovery codes (a lost phone): the next login asks
    them to enrol again if two-factor is required. Audited; False if there was nothing."""
    require_admin(actor, "đặt lại xác thực hai bước", system=True)
    with transaction.atomic(durable=True):
        totp, _ = TOTPDevice.objects.filter(user=user).delete()
        static, _ = StaticDevice.objects.filter(user=user).delete()
        if not (totp or static):
            return False
        record(actor=actor, action="twofactor.reset", obj=user, before="on", after="off")
    return True
