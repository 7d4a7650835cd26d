"""Vietnamese display helpers: points, indices and deadline countdowns."""

from __future__ import annotations

import unicodedata
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django import template
from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.safestring import SafeString
from django.utils.text import Truncator

from parindex.formats.numbers import vn_number
from parindex.notifications.selectors import unread_count
from parindex.web.navigation import working_cycle

register = template.Library()


#: Ends of a sentence: text ending with one of these gets no extra full stop.
SENTENCE_ENDS = (".", "!", "?", "…", ":", ";")


@register.filter
def sentence(value: object) -> str:
    """The text closed by one full stop: "Thiếu hồ sơ" → "Thiếu hồ sơ.", and "Thiếu hồ sơ."
    stays as it is (never a doubled full stop)."""
    text = str(value or "").rstrip()
    if not text or text.endswith(SENTENCE_ENDS):
        return text
    return f"{text}."


@register.filter
def done_text(value: object) -> str:
    """A yes/no leaf's stored value in words ("có" → "Đã thực hiện"); other values as is."""
    text = str(value or "").strip()
    return {"có": "Đã thực hiện", "không": "Chưa thực hiện"}.get(text.lower(), text)


@register.filter
def points(value: object) -> str:
    """Points as written in Vietnamese documents: 12,5 — 0,25 — 100 (no trailing zeros)."""
    if value is None or value == "":
        return "—"
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    return vn_number(number, 3, strip=True)


@register.filter
def index(value: object, decimals: object = None) -> str:
    """An index or percentage with the configured number of decimals: 89,33."""
    if value is None or value == "":
        return "—"
    places = (
        int(str(decimals)) if decimals not in (None, "") else settings.PARINDEX_DISPLAY_DECIMALS
    )
    return vn_number(Decimal(str(value)), places, strip=False)


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
def heading(depth: object) -> int:
    """The heading level of a criterion at ``depth`` (1 = area) under the page's h1:
    areas are h2, their criteria h3, and so on, capped at h6 (frameworks go 6 deep)."""
    try:
        level = int(str(depth)) + 1
    except ValueError:
        return 6
    return max(2, min(level, 6))


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

    return unread_count(user)


_ACTION_LABELS = {
    "score.self": "Đơn vị tự chấm",
    "score.round1": "Điểm thẩm định vòng 1",
    "score.round2": "Điểm thẩm định vòng 2",
    "score.adjustment": "Điểm thưởng/trừ",
    "score.external": "Điểm nguồn bên ngoài",
    "score.external_import": "Nhập điểm từ tệp",
    "comment.add": "Ý kiến",
    "assessments.open": "Mở phiếu",
    "assessment.submit": "Gửi phiếu",
    "assessment.withdraw": "Rút phiếu",
    "assessment.return": "Trả lại để giải trình",
    "assessment.resubmit": "Gửi giải trình",
    "assessment.reopen": "Mở lại phiếu",
    "appraisal.start": "Bắt đầu thẩm định vòng 1",
    "appraisal.round2_start": "Bắt đầu thẩm định vòng 2",
    "council.approve": "Hội đồng phê duyệt",
    "evidence.upload": "Tải tài liệu lên",
    "evidence.reference_create": "Thêm văn bản tham chiếu",
    "evidence.attach": "Gắn tài liệu kiểm chứng",
    "evidence.detach": "Bỏ tài liệu kiểm chứng",
    "evidence.carry_forward_document": "Chuyển tài liệu kỳ trước",
    "deadline.extend": "Gia hạn",
    "assignment.set": "Phân công thẩm định",
    "cycle.create": "Tạo kỳ đánh giá",
    "cycle.transition": "Chuyển giai đoạn",
    "cycle.deadlines": "Đặt hạn",
}

_FIELD_LABELS = {
    "self_value": "giá trị",
    "self_points": "điểm tự chấm",
    "not_applicable": "không áp dụng",
    "explanation": "giải trình",
    "round1_points": "điểm vòng 1",
    "round1_reason": "lý do vòng 1",
    "round2_points": "điểm vòng 2",
    "round2_reason": "lý do vòng 2",
    "final_points": "điểm cuối cùng",
    "final_source": "nguồn điểm cuối",
    "adjustment_reason": "lý do",
    "external_note": "nguồn",
    "status": "trạng thái",
    "text": "nội dung",
    "round": "vòng",
    "document": "tài liệu",
    "title": "tên",
    "page_ref": "trang/mục",
    "evidence": "tài liệu kiểm chứng",
    "deadline": "hạn",
    "message": "nội dung",
}

_STATUS_LABELS = {
    "draft": "Đang tự chấm",
    "submitted": "Đã gửi",
    "round1": "Thẩm định vòng 1",
    "returned": "Trả lại để giải trình",
    "explained": "Đã giải trình",
    "round2": "Thẩm định vòng 2",
    "approved": "Đã phê duyệt",
}


@register.filter
def field_label(name: str) -> str:
    return ", ".join(_FIELD_LABELS.get(n.strip(), n.strip()) for n in str(name).split(","))


@register.filter
def action_label(action: str) -> str:
    return _ACTION_LABELS.get(action, action)


@register.filter
def audit_value(value: object) -> str:
    """A before/after value of the audit trail as short readable text."""
    if value is None or value == "":
        return "—"
    if isinstance(value, dict):
        return "; ".join(f"{_FIELD_LABELS.get(k, k)}: {audit_value(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(audit_value(v) for v in value)
    if value is True:
        return "có"
    if value is False:
        return "không"
    if isinstance(value, str) and value in _STATUS_LABELS:
        return _STATUS_LABELS[value]
    text = str(value)
    if isinstance(value, int | float) or text.replace(".", "", 1).isdigit():
        return points(text)  # 0.5 → 0,5
    return text


@register.simple_tag(takes_context=True)
def nav_cycle(context: template.Context) -> object:
    """The working cycle for the navigation links (cached on the request)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    if not hasattr(request, "_nav_cycle"):
        viewed = context.get("cycle")
        if viewed is None and context.get("assessment") is not None:
            viewed = getattr(context.get("assessment"), "cycle", None)
        request._nav_cycle = working_cycle(request, viewed)  # type: ignore[union-attr]
    return request._nav_cycle  # type: ignore[union-attr]


@register.inclusion_tag("web/results/_chart.html")
def chart(
    dom_id: str, label: str, data: dict[str, Any], table_open: bool = False
) -> dict[str, Any]:
    """One chart with its text (issue 13 part 4): the drawing area (role="img", a label
    that says what it shows), a <noscript> notice and a table of the same numbers behind
    a toggle. charts.js draws into the area from the ``json_script`` of ``dom_id``."""
    from parindex.web.charts import chart_text

    text = chart_text(data or {})
    full = f"{label}: {text['summary']}" if text["summary"] else label
    return {"id": dom_id, "label": label, "full_label": full, "text": text, "open": table_open}


# The missing leaves' lists come back with every autosave (out of band); built here rather
# than by template loops (a tenth of an autosave's CPU for half the leaves missing).


@register.simple_tag
def missing_chips(missing: list[Any]) -> SafeString:
    """The chips of the missing leaves: ``<li><a href="#c-1-2" title="…">1.2</a></li>``."""
    return format_html_join(
        "",
        '<li><a href="#c-{}" title="{}: {}">{}</a></li>',
        ((dom_id(m.code), m.name, m.reason, m.code) for m in missing),
    )


@register.simple_tag
def missing_rows(missing: list[Any]) -> SafeString:
    """One line per missing leaf: code (link), name (80 characters at most), reason."""
    return format_html_join(
        "",
        '<li><a href="#c-{}">{}</a> {} — <span class="muted">{}</span></li>',
        ((dom_id(m.code), m.code, _chars(m.name, 80), m.reason) for m in missing),
    )


def _chars(text: str, n: int) -> str:
    """``truncatechars:n`` (Truncator), without its per-character loop when the text is
    short enough (combining characters only make a text count shorter)."""
    text = unicodedata.normalize("NFC", str(text))
    return text if len(text) <= n else Truncator(text).chars(n)
