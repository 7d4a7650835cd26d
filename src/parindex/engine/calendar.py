"""Vietnamese working-day calendar: public holidays, make-up days, office hours, due dates.

Plain data in, numpy arrays out; every function is vectorised over ``datetime64`` arrays so
that a million dossiers are handled in one call (scalars work too).

How make-up days fit numpy's business-day functions: ``np.busdaycalendar`` only knows a
weekly mask plus a list of holidays, and a make-up Saturday (ngày làm bù) is a working day
the weekly mask says is off. So the calendar uses an all-days-working mask (``1111111``) and
lists as "holidays" every non-working date of its span: the weekly days off (Saturday and
Sunday by default) minus the make-up days, plus the public holidays and swapped days off.
``np.busday_offset``/``np.busday_count``/``np.is_busday`` then give exact answers inside the
span (:data:`SPAN`); a date outside it raises :class:`CalendarRangeError`.

Working time is measured as a *position*: the number of working minutes between the start
of the span and an instant (instants outside office hours sit at the boundary of the next
working session). Due dates, pauses and elapsed working time are differences of positions.

Limits (``LegalLimit``): ``working_hours`` (giờ làm việc), ``working_days`` (ngày làm việc)
and ``calendar_days`` (ngày). With the default ``day_rule="hours"`` a working day is one
day of office hours (8 h) counted from the start instant, as one-stop systems compute
NgayHenTra; with ``day_rule="days"`` the limit ends at closing time of the N-th working day
after the day work starts (Bộ luật Dân sự: the period starts the next day).
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import numpy.typing as npt

#: Years the calendar covers with exact answers (weekends outside shipped years still apply).
SPAN = (1990, 2100)
DEFAULT_SESSIONS: tuple[tuple[str, str], ...] = (("07:00", "11:30"), ("13:30", "17:00"))

Minutes = npt.NDArray[np.int64]
Stamps = npt.NDArray[np.datetime64]
LimitUnit = Literal["working_hours", "working_days", "calendar_days"]
LIMIT_UNITS: tuple[LimitUnit, ...] = ("working_hours", "working_days", "calendar_days")


class CalendarRangeError(ValueError):
    """A date outside :data:`SPAN`, where the calendar cannot answer."""


@dataclass(frozen=True, slots=True)
class CalendarDay:
    """One entry of a yearly calendar file: a day off or a make-up working day."""

    date: dt.date
    name: str
    source: str = ""
    uncertain: bool = False


@dataclass(frozen=True, slots=True)
class CalendarYear:
    year: int
    days_off: tuple[CalendarDay, ...] = ()
    working_days: tuple[CalendarDay, ...] = ()
    note: str = ""


def _clock(text: str) -> int:
    hh, mm = text.split(":")
    minutes = int(hh) * 60 + int(mm)
    if not 0 <= minutes <= 24 * 60:
        raise ValueError(f"giờ không hợp lệ: {text!r}")
    return minutes


@dataclass(frozen=True)
class WorkCalendar:
    """Days off, make-up days and office hours; build it with :func:`build_calendar`."""

    busdaycal: np.busdaycalendar
    sessions: tuple[tuple[int, int], ...]
    years: tuple[int, ...] = ()
    uncertain: tuple[CalendarDay, ...] = field(default=())

    # -- basic facts --------------------------------------------------------------------
    @property
    def day_minutes(self) -> int:
        """Working minutes in one working day (480 with the default office hours)."""
        return sum(e - s for s, e in self.sessions)

    def is_working_day(self, days: npt.ArrayLike) -> npt.NDArray[np.bool_]:
        d = _days(days)
        _check_span(d)
        return np.is_busday(d, busdaycal=self.busdaycal)

    def add_working_days(self, days: npt.ArrayLike, n: npt.ArrayLike) -> Stamps:
        """The working day ``n`` working days after ``days`` (a day off rolls forward first)."""
        d = _days(days)
        _check_span(d)
        return np.busday_offset(d, n, roll="forward", busdaycal=self.busdaycal)

    # -- positions on the working-time axis ---------------------------------------------
    def position(self, stamps: npt.ArrayLike) -> Minutes:
        """Working minutes from the start of :data:`SPAN` to each instant (NaT → 0)."""
        ts = _minutes(stamps)
        nat = np.isnat(ts)
        ts = np.where(nat, _ORIGIN_MIN, ts)
        day = ts.astype("datetime64[D]")
        _check_span(day)
        clock = (ts - day.astype("datetime64[m]")).astype(np.int64)
        before = np.busday_count(_ORIGIN_DAY, day, busdaycal=self.busdaycal).astype(np.int64)
        inside = np.zeros(clock.shape, dtype=np.int64)
        for s, e in self.sessions:
            inside += np.clip(clock - s, 0, e - s)
        working = np.is_busday(day, busdaycal=self.busdaycal)
        return before * self.day_minutes + np.where(working, inside, 0)

    def at_position(self, pos: npt.ArrayLike, *, closing: bool) -> Stamps:
        """The instant at a working-time position.

        A position on a day boundary is ambiguous: ``closing=True`` gives the closing time of
        the day that ends there (a due date), ``closing=False`` the opening of the next day
        (a start of work).
        """
        p = np.asarray(pos, dtype=np.int64)
        w = self.day_minutes
        k = (p - 1) // w if closing else p // w
        r = p - k * w
        first = np.busday_offset(_ORIGIN_DAY, 0, roll="forward", busdaycal=self.busdaycal)
        day = np.busday_offset(first, k, roll="forward", busdaycal=self.busdaycal)
        starts = np.array([s for s, _ in self.sessions], dtype=np.int64)
        lengths = np.array([e - s for s, e in self.sessions], dtype=np.int64)
        ends = np.cumsum(lengths)
        i = np.searchsorted(ends, r, side="left" if closing else "right")
        i = np.minimum(i, len(ends) - 1)
        clock = starts[i] + r - (ends[i] - lengths[i])
        out: Stamps = day.astype("datetime64[m]") + clock.astype("timedelta64[m]")
        return out

    def start_of_work(self, stamps: npt.ArrayLike) -> Stamps:
        """When work on a dossier received at each instant starts: the instant itself in
        office hours, else the next opening (after the lunch break, the next working
        morning after closing or on a day off)."""
        return self.at_position(self.position(stamps), closing=False)

    def working_minutes_between(self, start: npt.ArrayLike, end: npt.ArrayLike) -> Minutes:
        """Working minutes from ``start`` to ``end`` (0 when end is not after start)."""
        out: Minutes = np.maximum(self.position(end) - self.position(start), 0)
        return out

    def due_date(
        self,
        received: npt.ArrayLike,
        amount: npt.ArrayLike,
        unit: LimitUnit | npt.ArrayLike = "working_days",
        *,
        day_rule: Literal["hours", "days"] = "hours",
    ) -> Stamps:
        """Due instant for a legal limit of ``amount`` ``unit`` counted from reception.

        ``unit`` is one of :data:`LIMIT_UNITS` or an array of indices into it (per dossier).
        """
        ts = _minutes(received)
        raw = np.asarray(amount, dtype=np.float64)
        amt = np.where(np.isnan(raw), 0.0, raw)
        units = np.asarray(LIMIT_UNITS.index(unit) if isinstance(unit, str) else unit)
        units = np.broadcast_to(units, np.broadcast_shapes(ts.shape, amt.shape))
        w = self.day_minutes
        start = self.position(ts)
        hours = self.at_position(start + np.round(amt * 60).astype(np.int64), closing=True)
        if day_rule == "hours":
            days = self.at_position(start + np.round(amt * w).astype(np.int64), closing=True)
        else:
            first = self.position(self.start_of_work(ts)) // w
            days = self.at_position((first + 1 + amt.astype(np.int64)) * w, closing=True)
        calendar = ts + np.round(amt * 24 * 60).astype(np.int64).astype("timedelta64[m]")
        out = np.where(units == 0, hours, np.where(units == 1, days, calendar))
        return np.where(np.isnat(ts) | np.isnan(raw), np.datetime64("NaT", "m"), out)

    def shift(self, stamps: npt.ArrayLike, minutes: npt.ArrayLike) -> Stamps:
        """Move each instant ``minutes`` working minutes later; 0 leaves it unchanged."""
        ts = _minutes(stamps)
        m = np.asarray(minutes, dtype=np.int64)
        moved = self.at_position(self.position(ts) + m, closing=True)
        return np.where((m == 0) | np.isnat(ts), ts, moved)


_ORIGIN_DAY = np.datetime64(f"{SPAN[0]}-01-01", "D")
_END_DAY = np.datetime64(f"{SPAN[1] + 1}-01-01", "D")
_ORIGIN_MIN = _ORIGIN_DAY.astype("datetime64[m]")


def _days(values: npt.ArrayLike) -> npt.NDArray[np.datetime64]:
    return np.asarray(values, dtype="datetime64[D]")


def _minutes(values: npt.ArrayLike) -> Stamps:
    return np.asarray(values).astype("datetime64[m]")


def _check_span(days: npt.NDArray[np.datetime64]) -> None:
    valid = days[~np.isnat(days)]
    if valid.size and (valid.min() < _ORIGIN_DAY or valid.max() >= _END_DAY):
        raise CalendarRangeError(
            f"lịch làm việc chỉ tính được từ năm {SPAN[0]} đến năm {SPAN[1]}: "
            f"{valid.min()} – {valid.max()}"
        )


def build_calendar(
    years: Iterable[CalendarYear],
    *,
    sessions: Sequence[tuple[str, str]] = DEFAULT_SESSIONS,
    weekmask: str = "1111100",
) -> WorkCalendar:
    """The calendar of the given years; other years of :data:`SPAN` have weekends only.

    ``sessions`` are the office hours as ``("HH:MM", "HH:MM")`` pairs in order;
    ``weekmask`` is numpy's Monday-first mask of the usual working days.
    """
    spans = tuple((_clock(a), _clock(b)) for a, b in sessions)
    if not spans or any(s >= e for s, e in spans):
        raise ValueError("giờ làm việc phải là các khoảng giờ bắt đầu < giờ kết thúc")
    if any(a[1] > b[0] for a, b in itertools.pairwise(spans)):
        raise ValueError("các buổi làm việc phải theo thứ tự và không chồng nhau")
    if len(weekmask) != 7 or set(weekmask) - {"0", "1"}:
        raise ValueError("weekmask phải gồm 7 chữ số 0/1, bắt đầu từ thứ Hai")
    years = list(years)
    every = np.arange(_ORIGIN_DAY, _END_DAY, dtype="datetime64[D]")
    weekday = (every.astype(np.int64) - 4) % 7  # 1970-01-01 was a Thursday (index 3)
    usual = np.array([c == "1" for c in weekmask])[weekday]
    off = {np.datetime64(d.date, "D") for y in years for d in y.days_off}
    extra = {np.datetime64(d.date, "D") for y in years for d in y.working_days}
    working = usual.copy()
    if off:
        working[np.isin(every, np.array(sorted(off)))] = False
    if extra:
        working[np.isin(every, np.array(sorted(extra)))] = True
    cal = np.busdaycalendar(weekmask="1111111", holidays=every[~working])
    flagged = tuple(d for y in years for d in (*y.days_off, *y.working_days) if d.uncertain)
    return WorkCalendar(
        busdaycal=cal,
        sessions=spans,
        years=tuple(sorted(y.year for y in years)),
        uncertain=flagged,
    )
