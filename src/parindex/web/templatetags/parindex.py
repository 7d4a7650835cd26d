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


@register.filter
def node(totals: object, code: str) -> object:
    """The engine's score of node ``code`` in a UnitScore (None when absent)."""
    nodes = getattr(totals, "nodes", None)
    if not nodes:
        return None
    return nodes.get(code)


@register.filter
def dom_id(code: object) -> str:
    """A criterion code as an HTML id fragment: 1.2.3 → 1-2-3."""
    return "".join(ch if ch.isalnum() else "-" for ch in str(code))


@register.filter
def iso(value: datetime | None) -> str:
    return value.isoformat() if value else ""


@register.filter
def get(mapping: object, key: object) -> object:
    if isinstance(mapping, dict):
        return mapping.get(key)
    return getattr(mapping, str(key), None)


@register.filter
def evidence_url(document: object) -> str:
    """The protected download address of an evidence file ("" until the view exists)."""
    from django.urls import NoReverseMatch, reverse

    if not getattr(document, "is_file", False):
        return ""
    try:
        return reverse("evidence:download", args=[document.pk])  # type: ignore[attr-defined]
    except NoReverseMatch:
        return ""


@register.simple_tag(takes_context=True)
def unread_notifications(context: template.Context) -> int:
    """The signed-in user's unread notification count (one query)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    from parindex.notifications.selectors import unread_count

    return unread_count(user)


_ACTION_LABELS = {
    "score.set": "Cập nhật điểm",
    "assessments.open": "Mở phiếu",
}


@register.filter
def action_label(action: str) -> str:
    return _ACTION_LABELS.get(action, action)


@register.filter
def audit_value(value: object) -> str:
    """A before/after value of the audit trail as short readable text."""
    if value is None or value == "":
        return "—"
    if isinstance(value, dict):
        return "; ".join(f"{k}: {audit_value(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(audit_value(v) for v in value)
    if value is True:
        return "có"
    if value is False:
        return "không"
    return str(value)


@register.simple_tag(takes_context=True)
def nav_cycle(context: template.Context) -> object:
    """The current cycle for the navigation links (cached on the request)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    if not hasattr(request, "_nav_cycle"):
        from parindex.cycles.selectors import current_cycle

        request._nav_cycle = current_cycle(user)  # type: ignore[union-attr]
    return request._nav_cycle  # type: ignore[union-attr]
