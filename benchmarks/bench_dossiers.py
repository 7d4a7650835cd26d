"""Benchmark: ``parindex dossiers metrics`` on 1,000,000 dossiers vs pandas and DuckDB.

Generates a seeded one-stop export (national sync column names, yyyyMMddHHmmss dates, about
100 MB), then times in the same run, each in its own subprocess (so peak RSS is measured by
``resource.getrusage(RUSAGE_CHILDREN)`` per tool):

* ``parindex dossiers metrics --input D.csv --by unit --period 2025`` (the product);
* a straightforward pandas script (read_csv, to_datetime, vectorised masks, groupby); it is
  given the easier job: no calendar, no supplement pauses, every due date present;
* DuckDB reading the same CSV with the same simplified rule in SQL (the near-limit
  reference).

Usage: ``python benchmarks/bench_dossiers.py [--rows 1000000] [--repeat 3] [--keep DIR]``.
Prints a Markdown table (median of the repetitions, peak memory of the slowest run).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent

PANDAS = r"""
import sys, pandas as pd
df = pd.read_csv(sys.argv[1], dtype=str)
fmt = "%Y%m%d%H%M%S"
for c in ["NgayTiepNhan", "NgayHenTra", "NgayKetThucXuLy", "NgayTra"]:
    df[c] = pd.to_datetime(df[c], format=fmt)
st = df["TrangThaiHoSo"].astype(int)
p0, p1 = pd.Timestamp("2025-01-01"), pd.Timestamp("2025-12-31 23:59:59")
end = df["NgayKetThucXuLy"].fillna(df["NgayTra"]).where(st.isin([7, 8, 9, 10]))
closed = end.notna() & (end <= p1)
counted = ~st.isin([1, 3]) & df["NgayTiepNhan"].notna() & (df["NgayTiepNhan"] <= p1)
counted &= (closed & (end >= p0)) | ~closed
judged = end.where(closed, p1)
late = judged > df["NgayHenTra"]
early = ~late & (judged.dt.normalize() < df["NgayHenTra"].dt.normalize())
df = df.assign(
    received=counted,
    early=counted & closed & early,
    on_time=counted & closed & ~early & ~late,
    late=counted & closed & late,
    open_within=counted & ~closed & ~late,
    open_over=counted & ~closed & late,
    online=counted & (df["KenhThucHien"] == "2"),
)
cols = ["received", "early", "on_time", "late", "open_within", "open_over", "online"]
g = df.groupby("DonViXuLy")[cols].sum()
g["on_time_rate"] = (g.early + g.on_time + g.open_within) / g.received * 100
g["late_rate"] = (g.late + g.open_over) / g.received * 100
g["online_rate"] = g.online / g.received * 100
g.round(2).to_csv(sys.stdout)
"""

DUCKDB = r"""
import sys, duckdb
q = '''
WITH d AS (
  SELECT DonViXuLy AS unit, CAST(TrangThaiHoSo AS INT) AS st, KenhThucHien AS ch,
    strptime(NgayTiepNhan, '%Y%m%d%H%M%S') AS rec, strptime(NgayHenTra, '%Y%m%d%H%M%S') AS due,
    CASE WHEN CAST(TrangThaiHoSo AS INT) IN (7, 8, 9, 10) THEN coalesce(
      strptime(NgayKetThucXuLy, '%Y%m%d%H%M%S'), strptime(NgayTra, '%Y%m%d%H%M%S')) END AS fin
  FROM read_csv(?, all_varchar = true)
), c AS (
  SELECT *, fin IS NOT NULL AND fin <= TIMESTAMP '2025-12-31 23:59:59' AS closed FROM d
), j AS (
  SELECT *, CASE WHEN closed THEN fin ELSE TIMESTAMP '2025-12-31 23:59:59' END AS jt FROM c
  WHERE st NOT IN (1, 3) AND rec <= TIMESTAMP '2025-12-31 23:59:59'
    AND ((closed AND fin >= TIMESTAMP '2025-01-01') OR NOT closed)
)
SELECT unit, count(*) AS received,
  count(*) FILTER (closed AND jt <= due AND CAST(jt AS DATE) < CAST(due AS DATE)) AS early,
  count(*) FILTER (closed AND jt <= due AND CAST(jt AS DATE) >= CAST(due AS DATE)) AS on_time,
  count(*) FILTER (closed AND jt > due) AS late,
  count(*) FILTER (NOT closed AND jt <= due) AS open_within,
  count(*) FILTER (NOT closed AND jt > due) AS open_over,
  count(*) FILTER (ch = '2') AS online
FROM j GROUP BY unit ORDER BY unit
'''
con = duckdb.connect()
con.execute("SET threads TO 2")
cur = con.execute(q, [sys.argv[1]])
print(",".join(d[0] for d in cur.description))
for row in cur.fetchall():
    print(",".join(map(str, row)))
"""


def generate(path: Path, rows: int, seed: int = 20251) -> None:
    """A one-stop export for 2025 (plus dossiers carried over from late 2024)."""
    import polars as pl

    rng = np.random.default_rng(seed)
    start = np.datetime64("2024-11-01T07:00", "s")
    span = int((np.datetime64("2025-12-31T17:00", "s") - start).astype(np.int64))
    received = start + rng.integers(0, span, rows).astype("timedelta64[s]")
    limit_days = rng.choice([1, 3, 5, 7, 10, 15, 20], rows)
    due = received + (limit_days * 86400 * 7 // 5).astype("timedelta64[s]")
    spent = rng.gamma(2.0, limit_days * 86400 * 0.6).astype("timedelta64[s]")
    finished = received + spent
    status = rng.choice(
        [1, 2, 3, 4, 5, 7, 8, 9, 10], rows, p=np.array([1, 2, 1, 6, 2, 1, 1, 20, 66]) / 100
    )
    status = np.where(finished > np.datetime64("2026-01-05"), 4, status)
    open_ = np.isin(status, (1, 2, 3, 4, 5, 6))
    nat = np.datetime64("NaT", "s")
    finished = np.where(open_, nat, finished)
    returned = np.where(status == 10, finished + np.timedelta64(7200, "s"), nat)
    units = np.array([f"H15.{i // 20:02d}.{i % 20:02d}" for i in range(400)])
    unit_idx = rng.integers(0, 400, rows)
    code_counter = np.arange(rows)

    def fmt(a: np.ndarray) -> pl.Series:
        s = pl.Series(a.astype("datetime64[us]"))
        return s.dt.strftime("%Y%m%d%H%M%S")

    frame = pl.DataFrame(
        {
            "MaHoSo": pl.Series(units[unit_idx]) + "-" + pl.Series(code_counter).cast(pl.String),
            "MaTTHC": pl.Series(rng.integers(0, 900, rows)).cast(pl.String).str.zfill(6),
            "DonViXuLy": units[unit_idx],
            "CanBoXuLy": "CB" + pl.Series(unit_idx * 8 + rng.integers(0, 8, rows)).cast(pl.String),
            "KenhThucHien": pl.Series(rng.choice([1, 2, 3], rows, p=[0.45, 0.5, 0.05])).cast(
                pl.String
            ),
            "TrangThaiHoSo": pl.Series(status).cast(pl.String),
            "NgayTiepNhan": fmt(received),
            "NgayHenTra": fmt(due),
            "NgayKetThucXuLy": fmt(finished),
            "NgayTra": fmt(returned),
        }
    )
    frame.write_csv(path)


WRAP = (
    "import resource, subprocess, sys; p = subprocess.run(sys.argv[1:]); "
    "print('maxrss', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); "
    "sys.exit(p.returncode)"
)


def timed(cmd: list[str], repeat: int) -> tuple[float, float, str]:
    """Median wall time, peak RSS (MB, the largest run) and the output of ``cmd``."""
    times: list[float] = []
    out = ""
    peak = 0.0
    for _ in range(repeat):
        t = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, "-c", WRAP, *cmd], capture_output=True, text=True, check=False
        )
        times.append(time.perf_counter() - t)
        if proc.returncode != 0:
            raise SystemExit(f"{cmd[:3]} failed:\n{proc.stderr[-2000:]}")
        out = proc.stdout
        rss = [ln.split()[1] for ln in proc.stderr.splitlines() if ln.startswith("maxrss ")]
        peak = max(peak, int(rss[-1]) / 1024)
    return statistics.median(times), peak, out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--keep", help="directory for the generated CSV (kept)")
    args = ap.parse_args()
    where = Path(args.keep or tempfile.mkdtemp())
    where.mkdir(parents=True, exist_ok=True)
    csv_path = where / f"dossiers-{args.rows}.csv"
    if not csv_path.exists():
        t = time.perf_counter()
        generate(csv_path, args.rows)
        print(f"generated {csv_path} in {time.perf_counter() - t:.1f} s", file=sys.stderr)
    size = csv_path.stat().st_size / 1e6
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    py = sys.executable
    ours = [py, "-m", "parindex.cli", "dossiers", "metrics", "--input", str(csv_path)]
    ours += ["--by", "unit", "--period", "2025"]
    os.environ.update(env)
    runs = {
        "parindex dossiers metrics": ours,
        "pandas script": [py, "-c", PANDAS, str(csv_path)],
        "DuckDB (SQL on the CSV)": [py, "-c", DUCKDB, str(csv_path)],
    }
    results = {name: timed(cmd, args.repeat) for name, cmd in runs.items()}
    base = results["parindex dossiers metrics"][0]
    print(f"\n{args.rows:,} dossiers, CSV {size:.0f} MB, median of {args.repeat} runs, "
          f"{os.cpu_count()} cores (shared with other work)\n")  # fmt: skip
    print("| tool | median s | × parindex | peak RSS MB |")
    print("|---|---:|---:|---:|")
    for name, (sec, peak, _) in results.items():
        print(f"| {name} | {sec:.2f} | {sec / base:.2f} | {peak:.0f} |")
    counts = {name: _counts(out) for name, (_, _, out) in results.items()}
    agree = len({tuple(sorted(c.items())) for c in counts.values()}) == 1
    groups = len(counts["parindex dossiers metrics"])
    print(f"\n{groups} units; the three tools give the same counts: {'yes' if agree else 'NO'}")
    if not agree:
        raise SystemExit(1)


def _counts(csv_text: str) -> dict[str, tuple[int, ...]]:
    """unit → (received, early, on_time, late, open_within, open_over) of a CSV output."""
    lines = csv_text.strip().splitlines()
    header = lines[0].split(",")
    at = [
        header.index(c)
        for c in ("received", "early", "on_time", "late", "open_within", "open_over")
    ]
    out = {}
    for line in lines[1:]:
        cells = line.split(",")
        out[cells[0]] = tuple(int(float(cells[i])) for i in at)
    return out


if __name__ == "__main__":
    main()
