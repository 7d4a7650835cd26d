"""``parindex dossiers metrics|check``: dossier metrics from files, without a database.

``metrics`` streams the file (:mod:`parindex.formats.dossiers`), classifies every dossier
for the period with the shipped working-day calendar (:mod:`parindex.engine.dossiers`) and
prints one row per group: the group key column (``unit``, ``official``, ``procedure`` or
``month``), then ``received,early,on_time,late,open_within,open_over,on_time_rate,
late_rate,online_rate`` (``--apologies`` adds ``late_with_apology,late_without_apology``).
``received`` is the number of counted dossiers (status not 1/3, closed in the period or open
at its end). Problems in the file go to stderr with their row numbers and the exit status
is 1 (nothing is printed then); flags (dates out of order) are warnings.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Sequence
from decimal import Decimal
from typing import IO, Any

import numpy as np
import polars as pl

from parindex.engine.calendar import WorkCalendar
from parindex.engine.dossier_codes import parse_day
from parindex.engine.dossiers import (
    COUNT_FIELDS,
    Counts,
    Period,
    apology_checks,
    classify,
    rates,
    tally,
)
from parindex.formats.calendar import load_calendar, parse_office_hours
from parindex.formats.cells import safe_cell
from parindex.formats.dossier_columns import read_procedure_limits
from parindex.formats.dossiers import DossierFile, apologised, batch_arrays
from parindex.formats.errors import FormatError

KEYS = {"unit": "unit", "official": "official", "procedure": "procedure", "month": None}
COLUMNS = (
    "received", "early", "on_time", "late", "open_within", "open_over",
    "on_time_rate", "late_rate", "online_rate",
)  # fmt: skip
APOLOGY_COLUMNS = ("late_with_apology", "late_without_apology")


def run(args: argparse.Namespace) -> int:
    if args.action == "check":
        return _check(args)
    if args.action == "index":
        from parindex.commands.dossier_index import run_index  # it imports this module

        return run_index(args)
    return _metrics(args)


def _check(args: argparse.Namespace) -> int:
    try:
        calendar = _calendar(args)
        f = open_input(args, args.file)
    except (ValueError, FormatError) as exc:
        print(exc, file=sys.stderr)
        return 1
    kept = 0
    for batch in f.batches():
        kept += batch.height
        _check_apologies(f, batch, calendar)
    f.found.close()
    for p in f.problems:
        print(p, file=sys.stderr)
    for p in f.flags:
        print(f"Cảnh báo: {p}", file=sys.stderr)
    print(
        f"{f.rows} dòng hồ sơ, {kept} dòng hợp lệ, {len(f.problems)} lỗi, {len(f.flags)} cảnh báo"
    )
    return 1 if f.problems else 0


def _check_apologies(f: DossierFile, batch: pl.DataFrame, calendar: WorkCalendar) -> None:
    """Flag apologies sent later than one working day before the (original) due date and
    return dates reset more than once (Mẫu 04, phiếu xin lỗi và hẹn lại)."""
    sent = batch["apology_sent"].is_not_null() | (batch["reappointments"].fill_null(0) > 0)
    rows = batch.filter(sent)
    if rows.height == 0:
        return
    due = rows["due_original"].fill_null(rows["due"]).to_numpy()
    in_time, once = apology_checks(
        due=due, sent=rows["apology_sent"].to_numpy(), calendar=calendar,
        resets=rows["reappointments"].fill_null(1).to_numpy(),
    )  # fmt: skip
    has_date = rows["apology_sent"].is_not_null().to_numpy()
    for row, ok, single, dated in zip(rows["_row"], in_time, once, has_date, strict=True):
        if dated and not ok:
            f.found.flag(row, "NgayXinLoi", "phiếu xin lỗi gửi muộn: phải gửi chậm nhất 01 ngày "
                         "làm việc trước ngày hẹn trả")  # fmt: skip
        if not single:
            f.found.flag(row, "SoLanHenLai", "hẹn lại ngày trả kết quả quá một lần")


def parse_period(args: argparse.Namespace) -> Period:
    """``--period`` or ``--from``/``--to``; ``ValueError`` with a Vietnamese reason."""
    if args.period and (args.date_from or args.date_to):
        raise ValueError("dùng --period hoặc --from/--to, không dùng cả hai")
    if args.period:
        try:
            return Period.parse(args.period)
        except ValueError as exc:
            raise ValueError(f"--period {exc}") from None
    if args.date_from and args.date_to:
        return Period(parse_day(args.date_from), parse_day(args.date_to))
    raise ValueError("cần --period hoặc cả --from và --to")


def _calendar(args: argparse.Namespace) -> WorkCalendar:
    return load_calendar(args.calendar, sessions=parse_office_hours(args.office_hours))


def setup(args: argparse.Namespace) -> tuple[Period, WorkCalendar, DossierFile] | None:
    """Period, calendar and the input file of ``metrics``/``index``; ``None`` after printing
    the problem."""
    try:
        period = parse_period(args)
        calendar = _calendar(args)
        f = open_input(args, args.input)
    except (ValueError, FormatError) as exc:
        print(exc, file=sys.stderr)
        return None
    return period, calendar, f


def open_input(args: argparse.Namespace, path: str) -> DossierFile:
    """The dossier file with the options every subcommand shares (``--procedures`` read
    first; its problems raise :class:`FormatError`)."""
    limits = None
    if args.procedures:
        limits, problems = read_procedure_limits(args.procedures)
        if problems:
            raise FormatError(problems)
    return DossierFile(
        path, source=args.source, ignore_unknown=args.ignore_unknown_columns, limits=limits
    )


def report(f: DossierFile) -> bool:
    """Print the file's problems and flags; ``True`` when it has no problem."""
    for p in f.problems:
        print(p, file=sys.stderr)
    for p in f.flags:
        print(f"Cảnh báo: {p}", file=sys.stderr)
    if f.problems:
        print(f"{len(f.problems)} lỗi: không tính số liệu (sửa tệp rồi chạy lại)", file=sys.stderr)
    return not f.problems


def _metrics(args: argparse.Namespace) -> int:
    ready = setup(args)
    if ready is None:
        return 1
    period, calendar, f = ready
    table = GroupTable()
    periods = period.months() if args.by == "month" else [period]
    column = KEYS[args.by]
    for batch in f.batches():
        arrays = batch_arrays(batch)
        channel = arrays.pop("channel")
        keys = batch[column] if column else None
        for p in periods:
            outcome = classify(period=p, calendar=calendar, by_date=args.by_date, **arrays)
            groups = table.index(keys, p.label, batch.height)
            counts = tally(
                outcome, groups, len(table.names), channel=channel,
                apology=apologised(batch),
            )  # fmt: skip
            table.add(counts)
    if not report(f):
        return 1
    rows = table.rows(args.by, with_apologies=args.apologies)
    if args.by == "month":
        labels = [p.label for p in periods]
        rows.sort(key=lambda r: labels.index(r["month"]))
    header = [args.by, *COLUMNS, *(APOLOGY_COLUMNS if args.apologies else ())]
    emit(rows, header, args)
    return 0


def emit(rows: Sequence[dict[str, Any]], header: list[str], args: argparse.Namespace) -> None:
    """Write ``rows`` to ``--output`` or stdout in ``--format``."""
    if args.output:
        with open(args.output, "w", encoding="utf-8", newline="") as out:
            write_rows(rows, header, out, args.format)
    else:
        write_rows(rows, header, sys.stdout, args.format)


class GroupTable:
    """Group names and their running counts, grown as new keys appear."""

    def __init__(self) -> None:
        self.names: list[str] = []
        self.where: dict[str, int] = {}
        self.totals: dict[str, np.ndarray] = {f: np.zeros(0, np.int64) for f in COUNT_FIELDS}

    def index(self, keys: pl.Series | None, label: str, n: int) -> np.ndarray:
        if keys is None:
            return np.full(n, self._slot(label), dtype=np.int64)
        keys = keys.fill_null("")
        uniques = keys.unique().to_list()
        slots = [self._slot(k) for k in uniques]
        return keys.replace_strict(uniques, slots, return_dtype=pl.Int64).to_numpy()

    def _slot(self, key: str) -> int:
        if key not in self.where:
            self.where[key] = len(self.names)
            self.names.append(key)
        return self.where[key]

    def add(self, counts: dict[str, np.ndarray]) -> None:
        n = len(self.names)
        for name, values in counts.items():
            total = self.totals[name]
            if total.shape[0] < n:
                total = np.concatenate([total, np.zeros(n - total.shape[0], np.int64)])
            total[: values.shape[0]] += values
            self.totals[name] = total

    def rows(self, key: str, *, with_apologies: bool) -> list[dict[str, Any]]:
        out = []
        for i, name in enumerate(self.names):
            c = Counts(
                **{f: int(self.totals[f][i]) for f in COUNT_FIELDS if i < len(self.totals[f])}
            )
            row: dict[str, Any] = {key: name, **{f: getattr(c, f) for f in COLUMNS[:6]}}
            row.update(rates(c))
            if with_apologies:
                row.update({f: getattr(c, f) for f in APOLOGY_COLUMNS})
            out.append(row)
        if key != "month":
            out.sort(key=lambda r: r[key])
        return out


def write_rows(rows: Sequence[dict[str, Any]], header: list[str], out: IO[str], fmt: str) -> None:
    if fmt == "json":
        json.dump(
            [{k: (float(v) if isinstance(v, Decimal) else v) for k, v in r.items()} for r in rows],
            out, ensure_ascii=False, indent=1,
        )  # fmt: skip
        out.write("\n")
        return
    w = csv.writer(out, lineterminator="\n")
    w.writerow(header)
    for r in rows:
        w.writerow(["" if v is None else safe_cell(v) for v in r.values()])
