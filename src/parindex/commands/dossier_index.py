"""``parindex dossiers index``: the Decision 766 indicators the dossier file supports.

One row per unit and indicator of the chosen catalogue version: ``unit,code,name,numerator,
denominator,ratio,points,max_points,note``; N/A (empty ratio and points) where the file lacks
the field or the indicator needs other data (``note`` says which).
"""

from __future__ import annotations

import argparse
import sys

import numpy as np
import polars as pl

from parindex.commands.dossiers import emit, report, setup
from parindex.engine.dossiers import NOT_RECEIVED, Outcome, classify
from parindex.engine.index766 import DossierTotals, evaluate
from parindex.formats.dossiers import batch_arrays
from parindex.formats.index766 import read_catalogues

COLUMNS = ["unit", "code", "name", "numerator", "denominator", "ratio", "points", "max_points"]
OPTIONAL = ("fee", "paid_online", "result_file", "digitised", "reused")


def run_index(args: argparse.Namespace) -> int:
    catalogues, problems = read_catalogues(args.catalogue)
    for p in problems:
        print(p, file=sys.stderr)
    chosen = [c for c in catalogues if c.version == args.version]
    if problems or not chosen:
        if not problems:
            known = ", ".join(c.version for c in catalogues)
            print(f"không có phiên bản {args.version!r} (có: {known})", file=sys.stderr)
        return 1
    ready = setup(args)
    if ready is None:
        return 1
    period, calendar, f = ready
    totals: dict[str, DossierTotals] = {}
    p0, p1 = period.first_instant, period.last_instant
    for batch in f.batches():
        arrays = batch_arrays(batch)
        channel = arrays.pop("channel")
        outcome = classify(period=period, calendar=calendar, by_date=args.by_date, **arrays)
        rec = arrays["received"]
        received = ~np.isin(arrays["status"], NOT_RECEIVED) & (rec >= p0) & (rec <= p1)
        fee = batch["fee"].fill_null(0).to_numpy() > 0
        flags = {c: batch[c].fill_null(0).to_numpy() == 1 for c in OPTIONAL if c != "fee"}
        parts = {
            "counted": outcome > 0,
            "on_time": np.isin(outcome, (Outcome.EARLY, Outcome.ON_TIME, Outcome.OPEN_WITHIN)),
            "received": received,
            "online": received & (channel == 2),
            "finished": np.isin(outcome, (Outcome.EARLY, Outcome.ON_TIME, Outcome.LATE)),
            "with_fee": received & fee,
            "paid_online": received & fee & flags["paid_online"],
            "digitised": received & flags["digitised"],
            "reused": received & flags["reused"],
        }
        parts["e_result"] = parts["finished"] & flags["result_file"]
        frame = pl.DataFrame({"unit": batch["unit"].fill_null(""), **parts})
        for row in frame.group_by("unit").agg(pl.all().sum()).iter_rows(named=True):
            t = totals.setdefault(row["unit"], DossierTotals())
            for k, v in row.items():
                if k != "unit":
                    setattr(t, k, getattr(t, k) + int(v))
    if not report(f):
        return 1
    columns = frozenset(c for c in OPTIONAL if c in f.present)
    rows = []
    for unit in sorted(totals):
        t = totals[unit]
        t.columns = columns
        for r in evaluate(chosen[0], t):
            rows.append({"unit": unit, **{c: getattr(r, c) for c in COLUMNS[1:]}, "note": r.note})
    emit(rows, [*COLUMNS, "note"], args)
    return 0
