"""On-time classification of dossiers (Decision 766, indicator 2.1), apologies, metrics.

Vectorised over numpy arrays (one element per dossier; ``datetime64`` with NaT for a
missing time). The rule (../shared/domain/sipas-and-service-index.md §3.5 A, §6.10):

* counted: received dossiers (status not 1 and not 3, NgayTiepNhan set and not after the
  period end) that are closed in the period or still open at its end;
* end time: the time of the first terminal status, by priority 9 (Đã xử lý xong) >
  10 (Đã trả kết quả) > 8/7 (dừng xử lý, rút hồ sơ) — :func:`end_time`; a dossier closed
  after the period end was open at the period end;
* open dossiers are judged at the period end; one that waits for the applicant's only
  supplement at the period end is judged at the request time;
* a completed supplement episode (request → completion) before the judged time moves the
  due date by its length in working time; more than one supplement request ⇒ late;
* a missing due date (NgayHenTra) is computed from the legal limit on the calendar;
* late ⇔ judged time > due (``by_date=True``: the judged date > the due date); among the
  others, early ⇔ judged date < due date, on time ⇔ same date.

Apologies never change a class: the due date judged is the original one (NgayHenTraTruoc of
the first re-appointment when the source has it). :func:`apology_checks` checks that the
apology was sent at least one working day before the due date and that the return date was
reset at most once.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from parindex.engine.calendar import WorkCalendar
from parindex.engine.dossier_codes import (
    COUNT_FIELDS,
    NOT_RECEIVED,
    OUTCOME_LABELS,
    STATUS_NAMES,
    TERMINAL,
    Counts,
    Outcome,
    Period,
    percent,
    rates,
)

# re-exported: the commands and the apps import them from here
__all__ = [
    "COUNT_FIELDS", "NOT_RECEIVED", "OUTCOME_LABELS", "STATUS_NAMES", "TERMINAL", "Counts",
    "Outcome", "Period", "percent", "rates",
]  # fmt: skip

#: KenhThucHien: 1 trực tiếp (also when empty), 2 trực tuyến, 3 bưu chính công ích.
CHANNEL_DIRECT, CHANNEL_ONLINE, CHANNEL_POSTAL = 1, 2, 3

Stamps = npt.NDArray[np.datetime64]
Ints = npt.NDArray[np.int64]


_NAT = np.datetime64("NaT", "s")


def end_time(
    status: npt.ArrayLike,
    finished: npt.ArrayLike,
    returned: npt.ArrayLike,
    stopped: npt.ArrayLike,
) -> Stamps:
    """End time by status priority for flat records: NgayKetThucXuLy (9) > NgayTra (10) >
    the stop/withdrawal time (8/7). Only terminal statuses end; others give NaT."""
    st = np.asarray(status)
    fin, ret, stop = (np.asarray(a, dtype="datetime64[s]") for a in (finished, returned, stopped))
    end = np.where(~np.isnat(fin), fin, np.where(~np.isnat(ret), ret, stop))
    out: Stamps = np.where(np.isin(st, TERMINAL), end, _NAT)
    return out


def classify(
    *,
    status: npt.ArrayLike,
    received: npt.ArrayLike,
    due: npt.ArrayLike,
    end: npt.ArrayLike,
    period: Period,
    calendar: WorkCalendar,
    supplement_count: npt.ArrayLike | None = None,
    supplement_requested: npt.ArrayLike | None = None,
    supplement_completed: npt.ArrayLike | None = None,
    legal_amount: npt.ArrayLike | None = None,
    legal_unit: npt.ArrayLike | None = None,
    by_date: bool = False,
    day_rule: str = "hours",
) -> npt.NDArray[np.int8]:
    """The :class:`Outcome` of each dossier in ``period`` (0 = not counted).

    ``end`` is the end time by status priority (:func:`end_time`; NaT = open).
    ``legal_unit`` indexes :data:`parindex.engine.calendar.LIMIT_UNITS`. A dossier without
    a due date and without a legal limit cannot be judged and is not counted.
    """
    st = np.asarray(status)
    rec = np.asarray(received, dtype="datetime64[s]")
    n = st.shape[0]
    due_s = np.asarray(due, dtype="datetime64[s]")
    end_s = np.asarray(end, dtype="datetime64[s]")
    count = _ints(supplement_count, n, 0)
    req = _stamps(supplement_requested, n)
    done = _stamps(supplement_completed, n)
    p0, p1 = period.first_instant, period.last_instant

    received_ok = ~np.isin(st, NOT_RECEIVED) & (st > 0) & ~np.isnat(rec) & (rec <= p1)
    closed = ~np.isnat(end_s) & (end_s <= p1)
    counted = received_ok & ((closed & (end_s >= p0)) | ~closed)
    pending = ~closed & ~np.isnat(req) & (req <= p1) & (np.isnat(done) | (done > p1))
    pending &= count <= 1
    judged = np.where(closed, end_s, np.where(pending, req, p1))

    missing = counted & np.isnat(due_s)
    if missing.any() and legal_amount is not None:
        amount = np.asarray(legal_amount, dtype=np.float64)[missing]
        unit = np.zeros(n, dtype=np.int64) if legal_unit is None else np.asarray(legal_unit)
        computed = calendar.due_date(rec[missing], amount, unit[missing], day_rule=day_rule)  # type: ignore[arg-type]
        due_s = due_s.copy()
        due_s[missing] = computed.astype("datetime64[s]")
    paused = counted & ~np.isnat(req) & ~np.isnat(done) & (done >= req) & (done <= judged)
    paused &= (count <= 1) & ~np.isnat(due_s)
    if paused.any():
        minutes = calendar.working_minutes_between(req[paused], done[paused])
        due_s = due_s.copy()
        due_s[paused] = calendar.shift(due_s[paused], minutes).astype("datetime64[s]")

    judgeable = counted & ~np.isnat(due_s)
    jd, dd = judged.astype("datetime64[D]"), due_s.astype("datetime64[D]")
    late = (jd > dd) if by_date else (judged > due_s)
    late |= count > 1
    early = ~late & (jd < dd)
    closed_class = np.where(late, Outcome.LATE, np.where(early, Outcome.EARLY, Outcome.ON_TIME))
    open_class = np.where(late, Outcome.OPEN_OVER, Outcome.OPEN_WITHIN)
    out = np.where(judgeable, np.where(closed, closed_class, open_class), Outcome.NOT_COUNTED)
    return out.astype(np.int8)


def _ints(values: npt.ArrayLike | None, n: int, default: int) -> Ints:
    if values is None:
        return np.full(n, default, dtype=np.int64)
    return np.asarray(values, dtype=np.int64)


def _stamps(values: npt.ArrayLike | None, n: int) -> Stamps:
    if values is None:
        return np.full(n, _NAT)
    return np.asarray(values, dtype="datetime64[s]")


# -- apologies ---------------------------------------------------------------------------


def apology_checks(
    *,
    due: npt.ArrayLike,
    sent: npt.ArrayLike,
    resets: npt.ArrayLike,
    calendar: WorkCalendar,
) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    """``(sent_in_time, reset_at_most_once)`` for dossiers with an apology (``sent`` set).

    In time ⇔ the apology's date is no later than the working day before the due date
    (a due date on a day off counts from the next working day)."""
    due_d = np.asarray(due, dtype="datetime64[D]")
    sent_d = np.asarray(sent, dtype="datetime64[D]")
    ok = ~np.isnat(due_d) & ~np.isnat(sent_d)
    latest = np.full(due_d.shape, np.datetime64("NaT", "D"))
    if ok.any():
        latest[ok] = calendar.add_working_days(due_d[ok], -1)
    in_time = ok & (sent_d <= latest)
    once = np.asarray(resets, dtype=np.int64) <= 1
    return in_time, once


# -- metrics -----------------------------------------------------------------------------


def tally(
    outcome: npt.ArrayLike,
    group: npt.ArrayLike,
    n_groups: int,
    *,
    channel: npt.ArrayLike | None = None,
    apology: npt.ArrayLike | None = None,
) -> dict[str, Ints]:
    """Per-group counts (arrays of length ``n_groups``) for :class:`Counts` fields.

    ``group`` holds each dossier's group index in ``[0, n_groups)``."""
    oc = np.asarray(outcome)
    g = np.asarray(group, dtype=np.int64)
    counted = oc > 0
    by_class = np.bincount(g * 6 + oc, minlength=n_groups * 6).reshape(n_groups, 6)
    out = {
        "received": by_class[:, 1:].sum(axis=1),
        "early": by_class[:, Outcome.EARLY],
        "on_time": by_class[:, Outcome.ON_TIME],
        "late": by_class[:, Outcome.LATE],
        "open_within": by_class[:, Outcome.OPEN_WITHIN],
        "open_over": by_class[:, Outcome.OPEN_OVER],
    }
    online = counted & (np.asarray(channel) == CHANNEL_ONLINE) if channel is not None else None
    out["online"] = _count(g, online, n_groups)
    late = counted & np.isin(oc, (Outcome.LATE, Outcome.OPEN_OVER))
    has = np.asarray(apology, dtype=bool) if apology is not None else np.zeros(oc.shape, bool)
    out["late_with_apology"] = _count(g, late & has, n_groups)
    out["late_without_apology"] = _count(g, late & ~has, n_groups)
    return {k: v.astype(np.int64) for k, v in out.items()}


def _count(g: Ints, mask: npt.NDArray[np.bool_] | None, n: int) -> Ints:
    if mask is None:
        return np.zeros(n, dtype=np.int64)
    return np.bincount(g[mask], minlength=n).astype(np.int64)
