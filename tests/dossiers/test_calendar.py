"""The working-day calendar: shipped holidays and make-up days, office hours, due dates."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parindex.engine.calendar import (
    CalendarDay,
    CalendarRangeError,
    CalendarYear,
    build_calendar,
)
from parindex.formats.calendar import load_calendar, read_calendar_year, shipped_calendar_files
from parindex.formats.errors import FormatError

CAL = load_calendar()


def m(text: str) -> np.datetime64:
    return np.datetime64(text, "m")


def test_the_shipped_years_are_2024_to_2026_and_flag_their_uncertain_entries() -> None:
    assert [p.name for p in shipped_calendar_files()] == [
        "vn-2024.yaml",
        "vn-2025.yaml",
        "vn-2026.yaml",
    ]
    assert CAL.years == (2024, 2025, 2026)
    assert all(d.source for d in CAL.uncertain)
    assert dt.date(2025, 4, 26) in {d.date for d in CAL.uncertain}


def test_tet_2025_is_nine_days_off_and_the_make_up_saturday_is_worked() -> None:
    days = np.arange(np.datetime64("2025-01-24"), np.datetime64("2025-02-04"))
    working = dict(zip(days.astype(str), CAL.is_working_day(days), strict=True))
    assert working["2025-01-24"] and working["2025-02-03"]
    assert not any(working[f"2025-01-{d}"] for d in range(25, 32))
    assert not working["2025-02-01"] and not working["2025-02-02"]
    sats = np.array(["2025-04-26", "2024-05-04", "2025-04-19"], dtype="datetime64[D]")
    assert CAL.is_working_day(sats).tolist() == [True, True, False]
    holidays = np.array(["2025-04-30", "2025-05-01", "2025-05-02", "2025-09-01", "2025-09-02"])
    assert not CAL.is_working_day(holidays.astype("datetime64[D]")).any()


@pytest.mark.parametrize(
    ("received", "start"),
    [
        ("2025-03-04T09:15", "2025-03-04T09:15"),  # in office hours
        ("2025-03-04T12:00", "2025-03-04T13:30"),  # lunch break
        ("2025-03-04T17:30", "2025-03-05T07:00"),  # after closing
        ("2025-03-04T06:00", "2025-03-04T07:00"),  # before opening
        ("2025-03-08T10:00", "2025-03-10T07:00"),  # Saturday
        ("2025-02-02T09:00", "2025-02-03T07:00"),  # Tết
        ("2025-04-25T18:00", "2025-04-26T07:00"),  # the make-up Saturday is worked
    ],
)
def test_work_starts_at_the_next_opening(received: str, start: str) -> None:
    assert CAL.start_of_work(m(received)) == m(start)


def test_due_dates_in_working_days_count_eight_office_hours_a_day() -> None:
    received = np.array(["2025-04-25T10:00", "2025-04-29T15:00", "2025-03-04T12:00"], "M8[m]")
    due = CAL.due_date(received, [1, 1, 2], "working_days")
    # Fri 10:00 + 8 h → the make-up Saturday 10:00; Tue 15:00: 2 h, then 30/4–4/5 off, 6 h on
    # Mon 5/5 → 15:00; lunch → 13:30 Tue + 16 h ends on a session boundary: Thu 11:30 (the
    # end of the earlier session, same working time as 13:30).
    assert due.tolist() == [
        dt.datetime(2025, 4, 26, 10, 0),
        dt.datetime(2025, 5, 5, 15, 0),
        dt.datetime(2025, 3, 6, 11, 30),
    ]


def test_due_dates_by_the_day_rule_end_at_closing_of_the_nth_next_working_day() -> None:
    due = CAL.due_date(m("2025-01-06T10:00"), 3, "working_days", day_rule="days")
    assert due == m("2025-01-09T17:00")
    late = CAL.due_date(m("2025-01-06T18:00"), 3, "working_days", day_rule="days")
    assert late == m("2025-01-10T17:00")


def test_hours_and_calendar_days_limits() -> None:
    assert CAL.due_date(m("2025-03-04T10:00"), 4, "working_hours") == m("2025-03-04T16:00")
    assert CAL.due_date(m("2025-03-04T10:00"), 4.5, "working_hours") == m("2025-03-04T16:30")
    assert CAL.due_date(m("2025-03-04T10:00"), 6, "working_hours") == m("2025-03-05T08:00")
    assert CAL.due_date(m("2025-03-04T10:00"), 5, "calendar_days") == m("2025-03-09T10:00")
    assert np.isnat(CAL.due_date(m("2025-03-04T10:00"), np.nan, "working_days"))


def test_working_minutes_skip_nights_weekends_and_lunch() -> None:
    assert CAL.working_minutes_between(m("2025-04-25T16:00"), m("2025-04-28T08:00")) == 600
    assert CAL.working_minutes_between(m("2025-03-04T11:00"), m("2025-03-04T14:00")) == 60
    assert CAL.working_minutes_between(m("2025-03-05T08:00"), m("2025-03-04T08:00")) == 0


def test_office_hours_and_make_up_days_are_configurable() -> None:
    year = CalendarYear(
        2030,
        days_off=(CalendarDay(dt.date(2030, 1, 1), "Tết Dương lịch"),),
        working_days=(CalendarDay(dt.date(2030, 1, 5), "làm bù"),),
    )
    cal = build_calendar([year], sessions=[("08:00", "12:00"), ("13:00", "17:00")])
    assert cal.day_minutes == 480
    assert cal.start_of_work(m("2030-01-01T09:00")) == m("2030-01-02T08:00")
    assert cal.due_date(m("2030-01-04T09:00"), 1, "working_days") == m("2030-01-05T09:00")
    with pytest.raises(ValueError, match="thứ tự"):
        build_calendar([], sessions=[("13:00", "17:00"), ("08:00", "12:00")])


def test_dates_outside_the_span_are_refused() -> None:
    with pytest.raises(CalendarRangeError):
        CAL.start_of_work(m("1980-01-01T08:00"))


def test_a_calendar_file_reports_every_problem(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "vn-2027.yaml"
    path.write_text(
        "year: 2027\n"
        "days_off:\n  - {date: 2027-01-01, name: a}\n  - {date: 2026-12-31, name: b}\n"
        "  - {name: c}\n"
        "working_days:\n  - {date: 2027-01-01, name: d}\n  - {date: 2027-01-06, name: e}\n",
        encoding="utf-8",
    )
    year, problems = read_calendar_year(path)
    assert year is None
    reasons = [p.reason for p in problems]
    assert "ngày 31/12/2026 không thuộc 2027" in reasons
    assert "thiếu date: YYYY-MM-DD" in reasons
    assert "ngày 01/01/2027 khai hai lần" in reasons
    assert "ngày làm bù 06/01/2027 không phải cuối tuần" in reasons
    with pytest.raises(FormatError):
        load_calendar([path])


def test_an_extra_file_replaces_the_shipped_year(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "vn-2025.yaml"
    path.write_text("year: 2025\ndays_off: []\nworking_days: []\n", encoding="utf-8")
    cal = load_calendar([path])
    assert cal.is_working_day(np.datetime64("2025-04-30"))
    assert not cal.is_working_day(np.datetime64("2024-04-30"))


instants = st.datetimes(min_value=dt.datetime(2024, 1, 1), max_value=dt.datetime(2026, 12, 20))


@settings(max_examples=200, deadline=None)
@given(received=instants, hours=st.integers(min_value=0, max_value=400))
def test_a_due_date_is_exactly_the_limit_in_working_time_after_the_start(received, hours):  # type: ignore[no-untyped-def]
    r = np.datetime64(received.replace(second=0, microsecond=0), "m")
    due = CAL.due_date(r, hours, "working_hours")
    start = CAL.start_of_work(r)
    assert start >= r
    assert CAL.start_of_work(start) == start
    assert CAL.working_minutes_between(start, due) == hours * 60
    if hours:
        assert CAL.is_working_day(due.astype("datetime64[D]"))
        clock = (due - due.astype("datetime64[D]")).astype(int)
        assert 7 * 60 < clock <= 11 * 60 + 30 or 13 * 60 + 30 < clock <= 17 * 60
