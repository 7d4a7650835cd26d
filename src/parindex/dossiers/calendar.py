"""The working-day calendar of the application: the shipped yearly tables, loaded into
:class:`~parindex.dossiers.models.CalendarDay` rows (editable in the admin), turned into the
engine's :class:`~parindex.engine.calendar.WorkCalendar`."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from parindex.engine.calendar import CalendarDay as EngineDay
from parindex.engine.calendar import CalendarYear, WorkCalendar, build_calendar
from parindex.formats.calendar import read_calendar_year, shipped_calendar_files
from parindex.formats.errors import FormatError


def calendar_rows(paths: Iterable[str | Path] | None = None) -> list[dict[str, Any]]:
    """``CalendarDay`` field values of the calendar files (the shipped ones by default);
    a file with problems raises :class:`FormatError`."""
    out: list[dict[str, Any]] = []
    for path in shipped_calendar_files() if paths is None else paths:
        year, problems = read_calendar_year(path)
        if problems:
            raise FormatError(problems)
        assert year is not None
        for kind, days in (("off", year.days_off), ("working", year.working_days)):
            out += [
                {
                    "date": d.date,
                    "kind": kind,
                    "name": d.name[:300],
                    "source": d.source[:500],
                    "uncertain": d.uncertain,
                }
                for d in days
            ]
    return out


def load_days(model: Any, rows: list[dict[str, Any]]) -> int:
    """Insert or replace ``rows`` in ``model`` (the CalendarDay model, also the historical
    one of a migration) by date; returns how many rows were written."""
    for r in rows:
        model.objects.update_or_create(date=r["date"], defaults=r)
    return len(rows)


def work_calendar() -> WorkCalendar:
    """The engine calendar of the stored days (default office hours)."""
    from parindex.dossiers.models import CalendarDay  # the models import the engine only

    years: dict[int, tuple[list[EngineDay], list[EngineDay]]] = {}
    for day in CalendarDay.objects.order_by("date"):
        off, working = years.setdefault(day.date.year, ([], []))
        (off if day.kind == "off" else working).append(
            EngineDay(day.date, day.name, day.source, day.uncertain)
        )
    return build_calendar(
        CalendarYear(y, tuple(off), tuple(working)) for y, (off, working) in years.items()
    )
