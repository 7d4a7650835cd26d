"""Vietnamese display helpers: points, indices and deadline countdowns."""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template
from django.conf import settings
from django.utils import timezone

register = template.Library()


def _vn_number(value: Decimal, decimals: int, strip: bool) -> str:
    q = Decimal(1).scaleb(-decimals) if decimals > 0 else Decimal(1)
    value = value.quantize(q, rounding=ROUND_HALF_UP)
    text = f"{value:,.{decimals}f}" if decimals > 0 else f"{value:,.0f}"
    if strip and "." in text:
        text = text.rstrip("0").rstrip(".")
    # Vietnamese: dot for thousands, comma for decimals.
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")


@register.filter
def points(value: object) -> str:
    """Points as written in Vietnamese documents: 12,5 — 0,25 — 100 (no trailing zeros)."""
    if value is None or value == "":
        return "—"
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    return _vn_number(number, 3, strip=True)


@register.filter
def index(value: object, decimals: object = None) -> str:
    """An index or percentage with the configured number of decimals: 89,33."""
    if value is None or value == "":
        return "—"
    places = int(decimals) if decimals not in (None, "") else settings.PARINDEX_DISPLAY_DECIMALS
    return _vn_number(Decimal(str(value)), places, strip=False)


@register.filter
def countdown(deadline: datetime | None) -> str:
    """'còn 3 ngày 4 giờ' before a deadline, 'quá hạn 2 ngày' after it."""
    if deadline is None:
        return ""
    delta = deadline - timezone.now()
    seconds = int(delta.total_seconds())
    late = seconds < 0
    seconds = abs(seconds)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        text = f"{days} ngày {hours} giờ" if hours else f"{days} ngày"
    elif hours:
        text = f"{hours} giờ {minutes} phút" if minutes else f"{hours} giờ"
    else:
        text = f"{minutes} phút"
    return f"quá hạn {text}" if late else f"còn {text}"
