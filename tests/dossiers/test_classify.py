"""The 766 on-time rule (indicator 2.1), apologies and the rates, on hand-made dossiers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parindex.engine.dossiers import (
    Counts,
    Outcome,
    Period,
    apology_checks,
    classify,
    end_time,
    rates,
    tally,
)
from parindex.formats.calendar import load_calendar

CAL = load_calendar()
JAN = Period.month(2025, 1)
NAT = "NaT"


def judge(period: Period = JAN, **fields: Any) -> Outcome:
    """The outcome of one dossier (received 06/01/2025 08:00, due 10/01/2025 17:00)."""
    base: dict[str, Any] = {
        "status": 9,
        "received": "2025-01-06T08:00",
        "due": "2025-01-10T17:00",
        "end": NAT,
    }
    base.update(fields)
    arrays: dict[str, Any] = {}
    for k, v in base.items():
        if k in ("status", "supplement_count", "legal_unit"):
            arrays[k] = np.array([v])
        elif k == "legal_amount":
            arrays[k] = np.array([v], dtype=float)
        else:
            arrays[k] = np.array([v], dtype="datetime64[s]")
    return Outcome(int(classify(period=period, calendar=CAL, **arrays)[0]))


def test_closed_before_the_due_day_is_early_on_the_due_day_on_time_after_it_late() -> None:
    assert judge(end="2025-01-09T10:00") is Outcome.EARLY
    assert judge(end="2025-01-10T08:00") is Outcome.ON_TIME
    assert judge(end="2025-01-10T17:00") is Outcome.ON_TIME
    assert judge(end="2025-01-10T17:01") is Outcome.LATE


def test_comparison_by_date_forgives_the_hours_of_the_due_day() -> None:
    arrays = {
        "status": np.array([9]),
        "received": np.array(["2025-01-06T08:00"], "M8[s]"),
        "due": np.array(["2025-01-10T17:00"], "M8[s]"),
        "end": np.array(["2025-01-10T19:00"], "M8[s]"),
    }
    assert classify(period=JAN, calendar=CAL, **arrays)[0] == Outcome.LATE
    assert classify(period=JAN, calendar=CAL, by_date=True, **arrays)[0] == Outcome.ON_TIME


def test_open_dossiers_are_judged_at_the_end_of_the_period() -> None:
    assert judge(status=4, due="2025-02-03T17:00") is Outcome.OPEN_WITHIN
    assert judge(status=4) is Outcome.OPEN_OVER
    # closed after the period: it was open at the end of January
    assert judge(status=10, end="2025-02-05T09:00", due="2025-02-04T17:00") is Outcome.OPEN_WITHIN


def test_what_is_not_counted() -> None:
    assert judge(status=1) is Outcome.NOT_COUNTED  # mới đăng ký
    assert judge(status=3, end="2025-01-07T08:00") is Outcome.NOT_COUNTED  # không tiếp nhận
    assert judge(received=NAT, status=4) is Outcome.NOT_COUNTED  # never received
    assert judge(received="2025-02-03T08:00", status=4) is Outcome.NOT_COUNTED  # after period
    dec = Period.month(2024, 12)
    assert judge(period=dec, end="2025-01-09T10:00") is Outcome.NOT_COUNTED  # not yet received
    carried = {"received": "2024-12-30T08:00", "end": "2025-01-09T10:00"}
    assert judge(period=dec, **carried) is Outcome.OPEN_WITHIN
    assert judge(**carried) is Outcome.EARLY  # carried over into January and closed there
    feb = Period.month(2025, 2)
    assert judge(period=feb, end="2025-01-09T10:00") is Outcome.NOT_COUNTED  # closed before


def test_withdrawn_and_stopped_dossiers_are_judged_by_their_end_time() -> None:
    assert judge(status=7, end="2025-01-08T10:00") is Outcome.EARLY
    assert judge(status=8, end="2025-01-13T10:00") is Outcome.LATE


def test_the_end_time_follows_the_status_priority() -> None:
    status = np.array([9, 10, 10, 8, 4])
    fin = np.array(["2025-01-08T10:00", NAT, "2025-01-08T10:00", NAT, "2025-01-08"], "M8[s]")
    ret = np.array(["2025-01-09T10:00", "2025-01-09T10:00", "2025-01-13T10:00", NAT, NAT], "M8[s]")
    stop = np.array([NAT, NAT, NAT, "2025-01-07T09:00", NAT], "M8[s]")
    got = end_time(status, fin, ret, stop).astype(str).tolist()
    assert got == [
        "2025-01-08T10:00:00",  # processing finished, not the hand-over
        "2025-01-09T10:00:00",
        "2025-01-08T10:00:00",
        "2025-01-07T09:00:00",
        "NaT",  # an open status has no end, whatever the columns say
    ]


def test_a_supplement_pause_moves_the_due_date_by_its_working_time() -> None:
    # Paused Tue 07/01 08:00 → Thu 09/01 08:00 = 2 working days: due moves to Tue 14/01 17:00.
    pause = {"supplement_requested": "2025-01-07T08:00", "supplement_completed": "2025-01-09T08:00"}
    assert judge(end="2025-01-14T16:00", supplement_count=1, **pause) is Outcome.ON_TIME
    assert judge(end="2025-01-13T16:00", **pause) is Outcome.EARLY  # count implied by the dates
    assert judge(end="2025-01-14T17:30", supplement_count=1, **pause) is Outcome.LATE
    assert judge(end="2025-01-14T16:00", supplement_count=0) is Outcome.LATE


def test_more_than_one_supplement_request_is_late() -> None:
    assert judge(end="2025-01-07T10:00", supplement_count=2) is Outcome.LATE
    assert judge(status=5, supplement_count=2, due="2025-02-28T17:00") is Outcome.OPEN_OVER


def test_a_dossier_waiting_for_its_only_supplement_is_judged_at_the_request() -> None:
    waiting = {"status": 5, "supplement_count": 1, "supplement_requested": "2025-01-09T10:00"}
    assert judge(**waiting) is Outcome.OPEN_WITHIN  # asked before the due date
    assert judge(**{**waiting, "supplement_requested": "2025-01-13T10:00"}) is Outcome.OPEN_OVER


def test_a_missing_due_date_comes_from_the_legal_limit() -> None:
    # Received Mon 06/01 08:00, 3 working days = 24 office hours → Thu 09/01 08:00.
    limit = {"due": NAT, "legal_amount": 3, "legal_unit": 1}
    assert judge(end="2025-01-09T08:00", **limit) is Outcome.ON_TIME
    assert judge(end="2025-01-09T08:30", **limit) is Outcome.LATE
    assert judge(end="2025-01-09T08:00", due=NAT) is Outcome.NOT_COUNTED  # cannot be judged


def test_apologies_must_come_a_working_day_ahead_and_reset_the_date_once() -> None:
    due = np.array(["2025-01-10", "2025-01-10", "2025-01-13", "2025-05-05"], "M8[D]")
    sent = np.array(["2025-01-09", "2025-01-10", "2025-01-10", "2025-04-29"], "M8[D]")
    in_time, once = apology_checks(due=due, sent=sent, resets=[1, 1, 2, 1], calendar=CAL)
    # Mon 13/01 → Fri 10/01 is the working day before; Mon 05/05 → Tue 29/04 (30/4–4/5 off)
    assert in_time.tolist() == [True, False, True, True]
    assert once.tolist() == [True, True, False, True]


def test_tally_counts_per_group_and_splits_late_dossiers_by_apology() -> None:
    outcome = np.array([1, 2, 3, 3, 4, 5, 0, 5])
    group = np.array([0, 0, 0, 1, 1, 1, 1, 0])
    channel = np.array([2, 1, 2, 2, 3, 2, 2, 1])
    apology = np.array([0, 0, 1, 0, 0, 1, 1, 0], bool)
    t = tally(outcome, group, 2, channel=channel, apology=apology)
    assert t["received"].tolist() == [4, 3]
    assert t["late"].tolist() == [1, 1]
    assert t["open_over"].tolist() == [1, 1]
    assert t["online"].tolist() == [2, 2]  # the uncounted dossier's channel is ignored
    assert t["late_with_apology"].tolist() == [1, 1]
    assert t["late_without_apology"].tolist() == [1, 1]


def test_rates_follow_the_issue_definitions() -> None:
    c = Counts(received=7, early=2, on_time=1, late=2, open_within=1, open_over=1, online=3)
    assert rates(c) == {
        "on_time_rate": Decimal("57.14"),
        "late_rate": Decimal("42.86"),
        "online_rate": Decimal("42.86"),
    }
    assert rates(Counts()) == {"on_time_rate": None, "late_rate": None, "online_rate": None}


def test_periods() -> None:
    assert Period.quarter(2025, 1) == Period(dt.date(2025, 1, 1), dt.date(2025, 3, 31), "2025-Q1")
    assert [p.label for p in Period.year(2025).months()][-1] == "2025-12"
    part = Period(dt.date(2025, 1, 15), dt.date(2025, 2, 10)).months()
    assert [(p.start.day, p.end.day) for p in part] == [(15, 31), (1, 10)]
    with pytest.raises(ValueError, match="trước khi bắt đầu"):
        Period(dt.date(2025, 2, 1), dt.date(2025, 1, 1))


stamps = st.datetimes(min_value=dt.datetime(2024, 12, 1), max_value=dt.datetime(2026, 1, 31))
dossier = st.tuples(
    st.sampled_from([1, 2, 3, 4, 5, 7, 8, 9, 10]),
    stamps,
    stamps,
    st.one_of(st.none(), st.timedeltas(min_value=dt.timedelta(0), max_value=dt.timedelta(90))),
    st.integers(min_value=0, max_value=2),
)  # (status, received, due, end − received, supplement requests): valid, in-order data


def arrays_of(rows: list[tuple[Any, ...]]) -> dict[str, Any]:
    status = np.array([r[0] for r in rows])
    return {
        "status": status,
        "received": np.array([r[1] for r in rows], "M8[s]"),
        "due": np.array([r[2] for r in rows], "M8[s]"),
        "end": end_time(
            status,
            np.array([None if r[3] is None else r[1] + r[3] for r in rows], "M8[s]"),
            NAT,
            NAT,
        ),
        "supplement_count": np.array([r[4] for r in rows]),
    }


@settings(max_examples=150, deadline=None)
@given(st.lists(dossier, min_size=1, max_size=30))
def test_comparing_by_date_never_adds_late_dossiers(rows: list[tuple[Any, ...]]) -> None:
    a = arrays_of(rows)
    year = Period.year(2025)
    by_time = classify(period=year, calendar=CAL, **a)
    by_day = classify(period=year, calendar=CAL, by_date=True, **a)
    assert ((by_time > 0) == (by_day > 0)).all()  # the same dossiers are counted
    late = np.isin(by_day, (Outcome.LATE, Outcome.OPEN_OVER))
    assert np.isin(by_time[late], (Outcome.LATE, Outcome.OPEN_OVER)).all()


@settings(max_examples=150, deadline=None)
@given(st.lists(dossier, min_size=1, max_size=30))
def test_a_closed_dossier_is_closed_in_exactly_one_month(rows: list[tuple[Any, ...]]) -> None:
    a = arrays_of(rows)
    months = Period.year(2025).months()
    closed = sum(
        np.isin(classify(period=m, calendar=CAL, **a), (1, 2, 3)).astype(int) for m in months
    )
    year = np.isin(classify(period=Period.year(2025), calendar=CAL, **a), (1, 2, 3))
    assert (closed == year.astype(int)).all()
