"""Yearly working-day calendar files (``data/calendar/vn-<year>.yaml``).

Format::

    year: 2025
    note: free text
    days_off:        # public holidays, Tết, swapped days off (weekdays not worked)
      - {date: 2025-04-30, name: Ngày Chiến thắng, source: "BLLĐ 2019 Điều 112"}
    working_days:    # make-up days (ngày làm bù): weekend days that are worked
      - {date: 2025-04-26, name: Làm bù cho thứ Sáu 02/5/2025, source: "...", uncertain: true}

``uncertain: true`` marks an entry not checked against the official text. Readers return
``(years, problems)``; :func:`load_calendar` raises :class:`FormatError` with every problem.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from parindex.engine.calendar import (
    DEFAULT_SESSIONS,
    CalendarDay,
    CalendarYear,
    WorkCalendar,
    build_calendar,
)
from parindex.formats.errors import FormatError, Problem
from parindex.formats.text import SafeLoader


def shipped_calendar_files() -> list[Path]:
    root = resources.files("parindex") / "data" / "calendar"
    return sorted(Path(str(p)) for p in root.iterdir() if p.name.endswith(".yaml"))


def read_calendar_year(path: str | Path) -> tuple[CalendarYear | None, list[Problem]]:
    name = str(path)
    try:
        data = yaml.load(Path(path).read_text(encoding="utf-8-sig"), Loader=SafeLoader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        return None, [Problem(name, None, None, f"không đọc được tệp lịch: {exc}")]
    if not isinstance(data, dict) or not isinstance(data.get("year"), int):
        return None, [Problem(name, None, "year", "tệp lịch phải có khoá year: <năm>")]
    year: int = data["year"]
    problems: list[Problem] = []
    lists: dict[str, tuple[CalendarDay, ...]] = {}
    for key in ("days_off", "working_days"):
        days, found = _entries(name, year, key, data.get(key) or [])
        lists[key] = days
        problems += found
    seen: dict[dt.date, str] = {}
    for key, days in lists.items():
        for d in days:
            if d.date in seen:
                problems.append(Problem(name, None, key, f"ngày {d.date:%d/%m/%Y} khai hai lần"))
            seen[d.date] = key
            if key == "working_days" and d.date.weekday() < 5:
                problems.append(
                    Problem(name, None, key, f"ngày làm bù {d.date:%d/%m/%Y} không phải cuối tuần")
                )
    if problems:
        return None, problems
    cy = CalendarYear(year, lists["days_off"], lists["working_days"], str(data.get("note") or ""))
    return cy, []


def _entries(
    name: str, year: int, key: str, raw: Any
) -> tuple[tuple[CalendarDay, ...], list[Problem]]:
    if not isinstance(raw, list):
        return (), [Problem(name, None, key, "phải là một danh sách ngày")]
    out: list[CalendarDay] = []
    problems: list[Problem] = []
    for i, item in enumerate(raw, 1):
        where = f"{key}[{i}]"
        when = item.get("date") if isinstance(item, dict) else None
        if isinstance(when, str):
            try:
                when = dt.date.fromisoformat(when)
            except ValueError:
                when = None
        if not isinstance(when, dt.date) or isinstance(when, dt.datetime):
            problems.append(Problem(name, None, where, "thiếu date: YYYY-MM-DD"))
            continue
        if when.year != year:
            problems.append(Problem(name, None, where, f"ngày {when:%d/%m/%Y} không thuộc {year}"))
            continue
        out.append(
            CalendarDay(
                date=when,
                name=str(item.get("name") or ""),
                source=str(item.get("source") or ""),
                uncertain=bool(item.get("uncertain", False)),
            )
        )
    return tuple(out), problems


def load_calendar(
    extra: Iterable[str | Path] = (),
    *,
    sessions: Sequence[tuple[str, str]] = DEFAULT_SESSIONS,
    shipped: bool = True,
) -> WorkCalendar:
    """The shipped years plus ``extra`` files; a file for a shipped year replaces it."""
    by_year: dict[int, CalendarYear] = {}
    problems: list[Problem] = []
    for path in [*(shipped_calendar_files() if shipped else []), *extra]:
        cy, found = read_calendar_year(path)
        problems += found
        if cy is not None:
            by_year[cy.year] = cy
    if problems:
        raise FormatError(problems)
    try:
        return build_calendar(by_year.values(), sessions=sessions)
    except ValueError as exc:
        raise FormatError([Problem("giờ làm việc", None, None, str(exc))]) from exc


def parse_office_hours(text: str) -> list[tuple[str, str]]:
    """``"07:00-11:30,13:30-17:00"`` → ``[("07:00", "11:30"), ("13:30", "17:00")]``."""
    out: list[tuple[str, str]] = []
    for part in text.split(","):
        a, sep, b = part.strip().partition("-")
        if not sep:
            raise ValueError(f"khoảng giờ phải có dạng HH:MM-HH:MM: {part!r}")
        out.append((a.strip(), b.strip()))
    return out
