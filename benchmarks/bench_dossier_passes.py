"""Benchmark: first import, re-import and whole-year metrics of a dossier CSV, wall and CPU,
for comparing two checkouts in the same run (issue 11, third pass).

Unlike ``bench_dossier_import.py`` (the CLI end to end, peak RSS), each step here runs
``dossier_import_file`` / ``metrics_rows`` in a child process that prints its own wall
time, CPU time (``time.process_time``: the Python client only; PostgreSQL's server work is
in the wall time) and peak RSS, so that a run on a loaded machine can still be read by CPU.
The database is prepared once per checkout (migrated, 400 units); every first import starts
from that state (SQLite: a copy of the prepared file; PostgreSQL: the dossier rows
truncated).

Usage::

    python benchmarks/bench_dossier_passes.py --csv D.csv --src SRC_DIR [--pg URL] \
        [--runs 2] [--work DIR]

``SRC_DIR`` is the ``src`` folder of the checkout to measure (e.g. a worktree at main).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_dossier_import import UNITS

SETUP = r"""
import os, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parindex.config.settings")
django.setup()
from django.db import connection
from parindex.dossiers.models import Dossier
tables = [m._meta.db_table for m in Dossier._meta.apps.get_app_config("dossiers").get_models()
          if m._meta.db_table.startswith("dossiers_") and m._meta.db_table not in (
              "dossiers_calendarday", "dossiers_statusmapping", "dossiers_officialthreshold")]
with connection.cursor() as cur:
    if connection.vendor == "postgresql":
        cur.execute("TRUNCATE " + ", ".join(tables) + " CASCADE")
"""
IMPORT = r"""
import os, sys, time, resource, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parindex.config.settings")
django.setup()
from parindex.dossiers.services import dossier_import_file
t, c = time.perf_counter(), time.process_time()
job = dossier_import_file(path=sys.argv[1], actor=None)
print(f"wall {time.perf_counter() - t:.2f} cpu {time.process_time() - c:.2f} "
      f"rss {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} | {job.message}")
"""
METRICS = r"""
import os, time, resource, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parindex.config.settings")
django.setup()
from parindex.dossiers.selectors import metrics_rows
from parindex.engine.dossiers import Period
for _ in range(3):
    t, c = time.perf_counter(), time.process_time()
    rows = metrics_rows(None, Period.year(2025), "unit")
    print(f"wall {time.perf_counter() - t:.2f} cpu {time.process_time() - c:.2f} "
          f"| {len(rows)} units {sum(r['received'] for r in rows)} counted "
          f"{sum(r['late'] for r in rows)} late {sum(r['late_apology_valid'] for r in rows)} ap")
"""


def child(code: str, env: dict[str, str], *args: str) -> str:
    proc = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, check=False
    )
    if proc.returncode != 0:
        raise SystemExit(proc.stderr[-3000:])
    return proc.stdout.strip()


def load() -> str:
    return "load " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--csv", required=True)
    ap.add_argument("--src", required=True, help="src/ of the checkout to measure")
    ap.add_argument("--pg", help="postgresql://… scratch database (dropped, recreated)")
    ap.add_argument("--runs", type=int, default=2)
    ap.add_argument("--work", default="/tmp/dossier-passes")
    ap.add_argument("--no-reimport", action="store_true")
    args = ap.parse_args()
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "PYTHONPATH": str(Path(args.src).resolve()),
        "PARINDEX_DATA_DIR": str(work),
    }
    cli = [sys.executable, "-m", "parindex.cli", "manage", "migrate", "-v", "0"]
    if args.pg:
        import psycopg

        name = args.pg.rsplit("/", 1)[1]
        with psycopg.connect(args.pg.rsplit("/", 1)[0] + "/postgres", autocommit=True) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{name}"')
            c.execute(f'CREATE DATABASE "{name}"')
        env["DATABASE_URL"] = args.pg
    else:
        env["DATABASE_URL"] = ""
        (work / "parindex.sqlite3").unlink(missing_ok=True)
    subprocess.run(cli, env=env, check=True)
    child(UNITS, env)
    template = work / "prepared.sqlite3"
    if not args.pg:
        shutil.copy(work / "parindex.sqlite3", template)
    print(f"{args.src} on {'PostgreSQL' if args.pg else 'SQLite'}, {args.csv}")
    for run in range(args.runs):
        if args.pg:
            child(SETUP, env)
        else:
            shutil.copy(template, work / "parindex.sqlite3")
        print(f"  run {run + 1} first import:  {child(IMPORT, env, args.csv)}  ({load()})")
        if not args.no_reimport:
            print(f"  run {run + 1} re-import:     {child(IMPORT, env, args.csv)}  ({load()})")
        for line in child(METRICS, env).splitlines():
            print(f"  run {run + 1} year metrics:  {line}  ({load()})")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
