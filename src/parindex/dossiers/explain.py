"""Why one dossier has its class: the end time chosen by status priority, the due date
(given, or computed from the legal limit), the supplement pause added to it, the working
time used, and the class the engine gives for the year it is stored for. The detail page
and the API show it; the class is recomputed here with the same engine call as the
metrics, so the reason cannot drift from the number."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone

from parindex.dossiers.filters import APOLOGY_LABELS
from parindex.dossiers.models import Apology, Dossier
from parindex.dossiers.selectors import apology_kind
from parindex.engine.dossier_codes import LOCAL, OUTCOME_LABELS, STATUS_NAMES, TERMINAL, Period

LIMIT_NAMES = ("giờ làm việc", "ngày làm việc", "ngày")
_ZONE = ZoneInfo(LOCAL)


def _local(moment: dt.datetime | None) -> dt.datetime | None:
    """An aware time as the naive local time the engine judges on."""
    return None if moment is None else timezone.localtime(moment, _ZONE).replace(tzinfo=None)


def _aware(moment: Any) -> dt.datetime | None:
    """A naive local engine instant (``datetime64``) back to an aware time."""
    import numpy as np

    if moment is None or np.isnat(moment):
        return None
    naive = moment.astype("datetime64[s]").astype(dt.datetime)
    return naive.replace(tzinfo=_ZONE)


def end_choice(d: Dossier) -> tuple[str, dt.datetime | None]:
    """``(reason, end time)`` by the status priority of the engine's ``end_time``."""
    if d.status not in TERMINAL:
        return f"chưa kết thúc (trạng thái {d.status} — {STATUS_NAMES.get(d.status, '?')})", None
    for when, why in (
        (d.finished_at, "ngày kết thúc xử lý (NgayKetThucXuLy, ưu tiên trạng thái 9)"),
        (d.returned_at, "ngày trả kết quả (NgayTra, trạng thái 10)"),
        (d.stopped_at, "ngày dừng xử lý / rút hồ sơ (trạng thái 8/7)"),
    ):
        if when is not None:
            return why, when
    return "trạng thái kết thúc nhưng tệp không có ngày kết thúc", None


def explain(d: Dossier, period: Period | None = None) -> dict[str, Any]:
    """The facts of the classification of ``d`` for ``period`` (default: the whole year it
    is stored for, ``class_year``, or this year for a dossier not yet classed)."""
    import numpy as np  # the detail page only: numpy is not loaded at web start

    from parindex.dossiers.calendar import work_calendar
    from parindex.engine.calendar import LIMIT_UNITS
    from parindex.engine.dossiers import classify

    period = period or Period.year(d.class_year or timezone.localdate().year)
    cal = work_calendar()

    def stamp(moment: dt.datetime | None) -> Any:
        local = _local(moment)
        return np.array([np.datetime64(local, "s") if local else np.datetime64("NaT", "s")])

    why_end, end = end_choice(d)
    p_end = dt.datetime.combine(period.end, dt.time(23, 59, 59), tzinfo=_ZONE)
    closed = end is not None and end <= p_end
    due = d.due_original_at or d.due_at
    due_source = (
        "ngày hẹn trả ban đầu (trước khi hẹn lại)"
        if d.due_original_at
        else "ngày hẹn trả trong tệp"
        if d.due_at
        else ""
    )
    unit = LIMIT_NAMES[d.legal_unit] if 0 <= d.legal_unit < len(LIMIT_NAMES) else "?"
    if due is None and d.legal_amount is not None and d.received_at is not None:
        computed = cal.due_date(stamp(d.received_at), [d.legal_amount], [d.legal_unit])
        due = _aware(computed[0])
        due_source = f"tính từ thời hạn quy định {d.legal_amount:g} {unit} kể từ khi tiếp nhận"
    requested, completed = d.supplement_requested_at, d.supplement_completed_at
    if closed:
        judged, judged_why = end, why_end
    elif requested and d.supplement_count <= 1 and (not completed or completed > p_end):
        judged, judged_why = requested, "đang chờ bổ sung cuối kỳ: xét tại ngày yêu cầu bổ sung"
    else:
        judged, judged_why = p_end, f"còn đang xử lý: xét tại cuối kỳ ({period.end:%d/%m/%Y})"
    pause_minutes = 0
    due_judged = due
    if (
        requested and completed and due is not None and judged is not None
        and requested <= completed <= judged and d.supplement_count <= 1
    ):  # fmt: skip
        pause_minutes = int(cal.working_minutes_between(stamp(requested), stamp(completed))[0])
        due_judged = _aware(cal.shift(stamp(due), [pause_minutes])[0])
    used = None
    if d.received_at is not None and judged is not None:
        used = int(cal.working_minutes_between(stamp(d.received_at), stamp(judged))[0])
        used = max(used - pause_minutes, 0)
    outcome = int(
        classify(
            status=[d.status], received=stamp(d.received_at),
            due=stamp(d.due_original_at or d.due_at), end=stamp(end), period=period,
            calendar=cal, supplement_count=[d.supplement_count],
            supplement_requested=stamp(requested), supplement_completed=stamp(completed),
            legal_amount=[np.nan if d.legal_amount is None else d.legal_amount],
            legal_unit=[d.legal_unit],
        )[0]
    )  # fmt: skip
    day = cal.day_minutes
    return {
        "period": period,
        "end_why": why_end,
        "end": end,
        "closed": closed,
        "judged": judged,
        "judged_why": judged_why,
        "due": due,
        "due_source": due_source or "không có hạn trả và không có thời hạn quy định",
        "legal": f"{d.legal_amount:g} {unit}" if d.legal_amount is not None else "",
        "limit_unit": LIMIT_UNITS[d.legal_unit] if 0 <= d.legal_unit < len(LIMIT_UNITS) else "",
        "pause_minutes": pause_minutes,
        "pause_hours": round(pause_minutes / 60, 2),
        "due_judged": due_judged,
        "too_many_supplements": d.supplement_count > 1,
        "used_minutes": used,
        "used_hours": None if used is None else round(used / 60, 2),
        "used_days": None if used is None else round(used / day, 2),
        "outcome": outcome,
        "outcome_label": OUTCOME_LABELS.get(outcome, "không tính"),  # type: ignore[call-overload]
        "matches_stored": outcome == d.outcome or period.start.year != d.class_year,
        "by": "so sánh theo thời điểm (giờ, phút)",
    }


def timeline(d: Dossier) -> list[tuple[dt.datetime, str]]:
    """The dated events the import keeps of the dossier, in time order."""
    events = [
        (d.received_at, "Tiếp nhận"),
        (d.supplement_requested_at, "Yêu cầu bổ sung giấy tờ (tạm dừng)"),
        (d.supplement_completed_at, "Hoàn thành bổ sung (tiếp tục tính thời gian)"),
        (d.due_original_at, "Hẹn trả ban đầu"),
        (d.due_at, "Hẹn trả" + (" (sau khi hẹn lại)" if d.due_original_at else "")),
        (d.apology_sent_at, "Gửi phiếu xin lỗi, hẹn lại ngày trả"),
        (d.apology_due_at, "Ngày hẹn trả mới (theo phiếu xin lỗi)"),
        (d.finished_at, "Kết thúc xử lý"),
        (d.returned_at, "Trả kết quả"),
        (d.stopped_at, "Dừng xử lý / rút hồ sơ"),
    ]
    return sorted(((w, what) for w, what in events if w is not None), key=lambda e: e[0])


def apology_of(d: Dossier) -> dict[str, Any] | None:
    """The dossier's apology with its two checks and its kind, or None."""
    try:
        a = d.apology
    except Apology.DoesNotExist:
        return None
    kind = apology_kind(a.in_time, a.reset_once)
    return {"apology": a, "kind": kind, "label": APOLOGY_LABELS[kind]}


def steps_of(d: Dossier) -> list[dict[str, Any]]:
    """The dossier's status history as imported (JSON sync files carry one; CSV exports
    do not): each step's time, national status with its name, official and office."""
    return [
        {
            "at": s.at,
            "status": s.status,
            "status_name": STATUS_NAMES.get(s.status, "") if s.status else "",
            "official": s.official,
            "unit": s.unit_text,
        }
        for s in d.steps.all()
    ]
