"""The one reader of the dossier pages' and API's query: the period (``period=2025``,
``2025-Q1``, ``2025-03``) or a date range (``from``/``to``, ``dd/mm/yyyy`` or ISO), the
grouping (``by``), the filters (unit, official, procedure, field, channel), the class of a
drill-down (``c``) and the apology filter of late dossiers (``apology``).

Every problem is reported at once (``ValidationError`` with a message per parameter, in
Vietnamese); the views show them and the API answers 400 with them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.utils import timezone

from parindex.engine.dossier_codes import Period, parse_day

GROUP_LABELS = {
    "unit": "Đơn vị",
    "official": "Cán bộ xử lý",
    "procedure": "Thủ tục",
    "field": "Lĩnh vực",
    "channel": "Kênh",
    "month": "Tháng",
}
FILTERS = ("unit", "official", "procedure", "field", "channel")
#: Drill-down classes (``c``): the five classes, all counted, late + open over time.
CLASSES = ("received", "early", "on_time", "late", "open_within", "open_over", "late_all")
#: The apology filter of late dossiers: valid (sent ≥ 1 working day before the due date and
#: the date reset at most once), invalid (sent, one check failed), none.
APOLOGY_LABELS = {
    "valid": "có xin lỗi hợp lệ",
    "invalid": "có xin lỗi không hợp lệ",
    "none": "không có phiếu xin lỗi",
}
CHANNELS = {1: "Trực tiếp", 2: "Trực tuyến", 3: "Bưu chính công ích"}


@dataclass(frozen=True)
class DossierQuery:
    """A parsed query; ``params()`` writes it back for the links of the pages."""

    period: Period
    #: the period as typed (``2025``); empty when a date range was given
    period_text: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    by: str = "unit"
    filters: dict[str, Any] = field(default_factory=dict)
    classes: str = "received"
    apology: str = ""

    @property
    def label(self) -> str:
        """The period as a reader says it: ``2025`` or ``01/03/2025–31/03/2025``."""
        if self.date_from is not None and self.date_to is not None:
            return f"{self.date_from:%d/%m/%Y}–{self.date_to:%d/%m/%Y}"
        return self.period_text

    @property
    def slug(self) -> str:
        """The period in a file name."""
        if self.date_from is not None and self.date_to is not None:
            return f"{self.date_from:%Y%m%d}-{self.date_to:%Y%m%d}"
        return self.period_text

    def period_params(self) -> dict[str, str]:
        if self.date_from is not None and self.date_to is not None:
            return {"from": f"{self.date_from:%d/%m/%Y}", "to": f"{self.date_to:%d/%m/%Y}"}
        return {"period": self.period_text}

    def params(self, **extra: Any) -> str:
        """The query string of this query with ``extra`` on top (a value ``None`` drops the
        parameter)."""
        values: dict[str, Any] = {**self.period_params(), **self.filters}
        values.update(extra)
        return urlencode({k: v for k, v in values.items() if v not in (None, "")})

    def for_month(self, label: str) -> DossierQuery:
        """The same query for one month row (``2025-03``), clipped to this query's period:
        a whole month is written ``period=2025-03``, a clipped one as a date range."""
        month = Period.parse(label)
        start, end = max(month.start, self.period.start), min(month.end, self.period.end)
        if (start, end) == (month.start, month.end):
            return replace(self, period=month, period_text=label, date_from=None, date_to=None)
        clipped = Period(start, end, f"{start:%d/%m/%Y}–{end:%d/%m/%Y}")
        return replace(self, period=clipped, period_text="", date_from=start, date_to=end)


def default_query() -> DossierQuery:
    year = timezone.localdate().year
    return DossierQuery(Period.year(year), str(year))


def _text(data: Mapping[str, Any], name: str) -> str:
    value = data.get(name)
    return "" if value is None else str(value).strip()


def _unit(text: str, errors: dict[str, str]) -> int | None:
    """A unit by id (the pages' select) or by code (the API)."""
    from parindex.units.models import Unit

    if text.isdigit():
        return int(text)
    pk = Unit.objects.filter(code=text).values_list("pk", flat=True).first()
    if pk is None:
        errors["unit"] = f"Không có đơn vị mã “{text}”."
    return pk


def _period(data: Mapping[str, Any], errors: dict[str, str]) -> tuple[Period, str, Any, Any]:
    text = _text(data, "period")
    start_text, end_text = _text(data, "from"), _text(data, "to")
    if start_text or end_text:
        days: dict[str, dt.date] = {}
        for name, value, what in (("from", start_text, "Từ ngày"), ("to", end_text, "Đến ngày")):
            if not value:
                errors[name] = f"{what}: nhập cả ngày bắt đầu và ngày kết thúc (dd/mm/yyyy)."
                continue
            try:
                days[name] = parse_day(value)
            except ValueError:
                errors[name] = (
                    f"{what} “{value}” không đọc được: nhập theo dạng dd/mm/yyyy "
                    "(ví dụ 31/03/2025) hoặc yyyy-mm-dd."
                )
        if len(days) == 2:
            start, end = days["from"], days["to"]
            if start > end:
                errors["from"] = (
                    f"Từ ngày {start:%d/%m/%Y} sau đến ngày {end:%d/%m/%Y}: đổi lại thứ tự."
                )
            else:
                label = f"{start:%d/%m/%Y}–{end:%d/%m/%Y}"
                return Period(start, end, label), "", start, end
        return default_query().period, default_query().period_text, None, None
    if not text:
        fallback = default_query()
        return fallback.period, fallback.period_text, None, None
    try:
        return Period.parse(text), text, None, None
    except ValueError as exc:
        errors["period"] = f"Kỳ báo cáo {exc}"
        fallback = default_query()
        return fallback.period, fallback.period_text, None, None


def read_query(data: Mapping[str, Any]) -> tuple[DossierQuery, dict[str, str]]:
    """The query of ``data`` (``request.GET`` or the API's parameters) and the problems,
    ``{parameter: message}``; a bad part falls back to its default (this year, by unit,
    no filter) so that a page can still show something next to the messages."""
    errors: dict[str, str] = {}
    period, text, start, end = _period(data, errors)
    by = _text(data, "by") or "unit"
    if by not in GROUP_LABELS:
        errors["by"] = f"Nhóm theo phải là một trong: {', '.join(GROUP_LABELS)}."
        by = "unit"
    filters: dict[str, Any] = {}
    for name in FILTERS:
        value = _text(data, name)
        if not value:
            continue
        if name == "unit":
            pk = _unit(value, errors)
            if pk is not None:
                filters[name] = pk
        elif name == "channel":
            if value.isdigit() and int(value) in CHANNELS:
                filters[name] = int(value)
            else:
                errors[name] = "Kênh phải là 1 (trực tiếp), 2 (trực tuyến) hoặc 3 (bưu chính)."
        else:
            filters[name] = value
    classes = _text(data, "c") or "received"
    if classes not in CLASSES:
        errors["c"] = f"Loại hồ sơ phải là một trong: {', '.join(CLASSES)}."
        classes = "received"
    apology = _text(data, "apology")
    if apology and apology not in APOLOGY_LABELS:
        errors["apology"] = f"Lọc xin lỗi phải là một trong: {', '.join(APOLOGY_LABELS)}."
        apology = ""
    query = DossierQuery(period, text, start, end, by, filters, classes, apology)
    return query, errors


def dossier_query(data: Mapping[str, Any]) -> DossierQuery:
    """The query of ``data``, or ``ValidationError`` with every problem (the export, the
    list and the API answer 400 with them)."""
    query, errors = read_query(data)
    if errors:
        raise ValidationError(errors)
    return query


def read_year(data: Mapping[str, Any]) -> int:
    """The ``year`` of the officials report and the calendar (this year when absent or not
    a year)."""
    text = _text(data, "year")
    if text.isdigit() and 1900 <= int(text) <= 9999:
        return int(text)
    return timezone.localdate().year


def messages_of(errors: dict[str, str]) -> str:
    return " ".join(errors.values())
