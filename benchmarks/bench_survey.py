"""Benchmark ``parindex survey compute`` on the national-scale synthetic survey (issue 10).

Generates the case (``generate_survey_case.py``, fixed seed: 1,000,000 respondents × 25
likert5 items in 5 aspects, 3,321 communes) into a temporary directory, then times, each
as a fresh subprocess (start-up, imports, reading the CSV and writing the results
included), ``--runs`` times, interleaved:

* ``parindex survey compute`` (Polars reads the CSV, numpy builds the per-unit Gram
  matrices; every item, aspect, part and overall index with its interval),
* ``survey_pandas_baseline.py``: a straightforward pandas script, same formulas,
* ``survey_duckdb_baseline.py``: the same aggregation as DuckDB SQL (the near-limit
  reference).

For each it reports the median and best wall time, the median CPU time (user + system of
the child and its threads: the fairer figure when other work loads the machine) and the
peak resident memory (``os.wait4``). It checks that the three agree on every aspect and
overall index and interval (to the displayed 0.01), and prints a Markdown table.

``--components`` also times, in this process, the candidate bulk libraries on the two
steps that matter (reading the CSV; counting per unit and item), which is how the bulk
library was chosen (see RESULTS.md, "Survey computation").

Usage: ``.venv/bin/python benchmarks/bench_survey.py [--runs 3] [--respondents N]
[--components] [--keep DIR]``
"""

from __future__ import annotations

import argparse
import csv
import datetime
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate_survey_case import build  # noqa: E402


def timed(cmd: list[str]) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds and peak RSS (MB) of one child; fails on a non-zero exit."""
    with tempfile.TemporaryFile() as err:  # a pipe would fill up with the warnings
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        if os.waitstatus_to_exitcode(status) != 0:
            err.seek(0)
            raise SystemExit(f"{' '.join(cmd)} failed:\n{err.read().decode()[-2000:]}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss // 1024


def nodes(path: Path) -> dict[tuple[str, str, str], tuple[float, float, float]]:
    with open(path, encoding="utf-8") as fh:
        return {
            (r["unit"], r["level"], r["code"]): (
                float(r["index"]),
                float(r["ci_low"]),
                float(r["ci_high"]),
            )
            for r in csv.DictReader(fh)
            if r["level"] in ("item", "aspect", "overall") and r["index"]
        }


def agree(ours: Path, other: Path) -> str:
    a, b = nodes(ours), nodes(other)
    if not set(b) <= set(a):
        return f"missing rows: {len(set(b) - set(a))}"
    worst = max(max(abs(x - y) for x, y in zip(a[k], b[k], strict=True)) for k in b)
    return f"{len(b)} rows, max diff {worst:.3f}"


def components(case: dict[str, Path]) -> list[str]:
    """In-process timings of the candidate bulk libraries (median of 3)."""
    import duckdb
    import numpy as np
    import pandas as pd
    import polars as pl

    items = [f"Q{j + 1:02d}" for j in range(25)]
    path = str(case["responses"])
    nulls = ["", "KB", "NA"]

    def med(fn) -> float:  # type: ignore[no-untyped-def]
        times = []
        for _ in range(3):
            t = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t)
        return statistics.median(times)

    frame = pl.read_csv(
        path, infer_schema=False, schema_overrides=dict.fromkeys(items, pl.UInt8), null_values=nulls
    )
    unit = frame["unit"]
    codes = {u: k for k, u in enumerate(unit.unique().sort().to_list())}
    unit_of = unit.replace_strict(codes, return_dtype=pl.Int64).to_numpy()
    answers = frame.select(items).fill_null(0).to_numpy()
    n_units = len(codes)

    def numpy_counts() -> None:
        for j in range(25):
            col = answers[:, j]
            np.bincount(unit_of[(col >= 1) & (col <= 5)], minlength=n_units)
            np.bincount(unit_of[col >= 4], minlength=n_units)

    def polars_counts() -> None:
        frame.group_by("unit").agg(
            [pl.col(c).is_between(1, 5).sum().alias(f"v{c}") for c in items]
            + [(pl.col(c) >= 4).sum().alias(f"s{c}") for c in items]
        )

    con = duckdb.connect()
    con.execute(
        f"CREATE TABLE frame AS SELECT * FROM read_csv('{path}', nullstr = ['', 'KB', 'NA'])"
    )

    def duckdb_counts() -> None:
        sums = ", ".join(f"count_if({c} BETWEEN 1 AND 5), count_if({c} >= 4)" for c in items)
        con.execute(f"SELECT unit, {sums} FROM frame GROUP BY unit").fetchall()

    from parindex.engine.survey_bulk import _grams

    rows = [
        "| step | library | median s |",
        "|---|---|---:|",
        f"| read CSV (typed) | Polars `read_csv` | {med(lambda: pl.read_csv(path, infer_schema=False, schema_overrides=dict.fromkeys(items, pl.UInt8), null_values=nulls)):.2f} |",  # noqa: E501
        f"| read CSV (typed) | DuckDB `read_csv` → numpy | {med(lambda: duckdb.sql(f"SELECT * FROM read_csv('{path}', nullstr=['', 'KB', 'NA'])").fetchnumpy()):.2f} |",  # noqa: E501
        f"| read CSV (typed) | pandas `read_csv` (C engine) | {med(lambda: pd.read_csv(path, dtype={'respondent': str, 'unit': str}, na_values=['KB', 'NA'])):.2f} |",  # noqa: E501
        f"| counts per unit × item | numpy `bincount` | {med(numpy_counts):.2f} |",
        f"| counts per unit × item | Polars `group_by` | {med(polars_counts):.2f} |",
        f"| counts per unit × item | DuckDB SQL on a loaded table | {med(duckdb_counts):.2f} |",
        f"| counts + Gram (intervals) | numpy (ours) | {med(lambda: _grams(unit_of, answers, n_units)):.2f} |",  # noqa: E501
    ]
    return rows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--respondents", type=int, default=1_000_000)
    ap.add_argument("--components", action="store_true")
    ap.add_argument("--keep", help="generate the case into this directory and keep it")
    opts = ap.parse_args()
    case_dir = Path(opts.keep) if opts.keep else Path(tempfile.mkdtemp(prefix="parindex-survey-"))
    case = build(case_dir, opts.respondents)
    parindex = str(Path(sys.executable).parent / "parindex")
    q, r = str(case["questionnaire"]), str(case["responses"])
    outs = {name: case_dir / f"{name}.csv" for name in ("ours", "pandas", "duckdb")}
    commands = {
        "ours": [
            parindex,
            "survey",
            "compute",
            "--questionnaire",
            q,
            "--responses",
            r,
            "--units",
            str(case["units"]),
            "-o",
            str(outs["ours"]),
        ],
        "pandas": [
            sys.executable,
            str(HERE / "survey_pandas_baseline.py"),
            q,
            r,
            str(outs["pandas"]),
        ],
        "duckdb": [
            sys.executable,
            str(HERE / "survey_duckdb_baseline.py"),
            q,
            r,
            str(outs["duckdb"]),
        ],
    }
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(HERE.parent / "src" / "parindex")],
        check=True,
    )
    timed(commands["ours"])  # warm the page cache
    runs: dict[str, list[tuple[float, float, int]]] = {k: [] for k in commands}
    for _ in range(opts.runs):
        for name, cmd in commands.items():
            runs[name].append(timed(cmd))
    load = os.getloadavg()
    ours_wall = statistics.median(w for w, _, _ in runs["ours"])
    ours_cpu = statistics.median(c for _, c, _ in runs["ours"])
    print(
        f"# parindex survey compute — {datetime.date.today()}, {platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, load average "
        f"{load[0]:.1f} at the end (other work shares the cores)\n"
    )
    print(
        f"{opts.respondents:,} respondents × 25 items, 3,321 units, "
        f"{case['responses'].stat().st_size / 1e6:.0f} MB CSV; {opts.runs} runs each\n"
    )
    print(
        "| implementation | median wall s | best wall s | median CPU s | peak RSS MB |"
        " wall × ours | CPU × ours | agreement with ours |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    for name in commands:
        walls = [w for w, _, _ in runs[name]]
        cpus = [c for _, c, _ in runs[name]]
        rss = max(m for _, _, m in runs[name])
        same = "—" if name == "ours" else agree(outs["ours"], outs[name])
        print(
            f"| {name} | {statistics.median(walls):.2f} | {min(walls):.2f} | "
            f"{statistics.median(cpus):.2f} | {rss} | "
            f"{statistics.median(walls) / ours_wall:.1f} | "
            f"{statistics.median(cpus) / ours_cpu:.1f} | {same} |"
        )
    if opts.components:
        print()
        print("\n".join(components(case)))


if __name__ == "__main__":
    main()
