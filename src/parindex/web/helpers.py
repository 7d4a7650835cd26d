"""Small helpers shared by the workflow pages: htmx detection, error messages, the
service call wrapper that turns the contract's exceptions into Vietnamese messages."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from parindex.workflow import ConcurrentChange, InvalidTransition


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def error_messages(exc: BaseException) -> list[str]:
    if isinstance(exc, ValidationError):
        return list(exc.messages)
    text = str(exc)
    return [text] if text else ["Không thực hiện được thao tác."]


def parse_decimal(raw: str | None, what: str = "Điểm") -> Decimal | None:
    """A number typed by a person: comma or dot decimals; blank is None."""
    text = (raw or "").strip().replace(" ", "")
    if not text:
        return None
    if "," in text and "." not in text:
        text = text.replace(",", ".")
    try:
        value = Decimal(text)
    except InvalidOperation as exc:
        raise ValidationError(f"{what} phải là một số (ví dụ 2 hoặc 1,5).") from exc
    if not value.is_finite():
        raise ValidationError(f"{what} phải là một số (ví dụ 2 hoặc 1,5).")
    return value


def parse_when(raw: str | None, what: str, *, end_of_day: bool = True) -> datetime | None:
    """A date or a datetime-local field value as an aware datetime."""
    text = (raw or "").strip()
    if not text:
        return None
    dt = parse_datetime(text)
    if dt is None:
        d = parse_date(text)
        if d is None:
            raise ValidationError(f"{what}: ngày giờ không hợp lệ ({text}).")
        dt = (
            datetime(d.year, d.month, d.day, 23, 59) if end_of_day else datetime(*d.timetuple()[:3])
        )
    if timezone.is_naive(dt):
        dt = timezone.make_aware(dt)
    return dt


def run_action(
    request: HttpRequest,
    action: Callable[[], Any],
    *,
    success: str,
    back: str,
) -> HttpResponse:
    """Run a workflow service for a button; show its outcome as messages and go back."""
    try:
        action()
    except (ValidationError, ConcurrentChange, InvalidTransition) as exc:
        for text in error_messages(exc):
            messages.error(request, text)
    except PermissionDenied as exc:
        raise Http404 from exc
    else:
        messages.success(request, success)
    if is_htmx(request):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = back
        return response
    return redirect(back)
