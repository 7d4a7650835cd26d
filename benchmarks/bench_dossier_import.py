"""Benchmark: importing 1,000,000 dossiers into the database (issue 11, part 6).

Uses the seeded export of ``bench_dossiers.py`` (national sync names, about 100 MB) and a
fresh database, then times, each step in its own subprocess (peak RSS per step from
``RUSAGE_CHILDREN``):

1. ``parindex dossiers import FILE`` (read, check, classify, upsert: the product);
2. the same import again (nothing changes: every row compared, none written);
3. the whole-year metrics by unit from the database (``metrics_rows``), 3 runs;

SQLite (a new file) and PostgreSQL (``--pg URL``, the database is dropped and recreated).
Usage: ``python benchmarks/bench_dossier_import.py [--rows 1000000] [--pg URL] [--keep DIR]``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_dossiers import WRAP, generate

ROOT = Path(__file__).resolve().parent.parent
UNITS = r"""
import os, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parindex.config.settings")
django.setup()
from parindex.units.models import Unit
from parindex.testing import make_group
g = make_group()
Unit.objects.bulk_create([Unit(code=f"h15-{i // 20:02d}-{i % 20:02d}",
    name=f"H15.{i // 20:02d}.{i % 20:02d}", group=g) for i in range(400)])
"""
METRICS = r"""
import os, time, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parindex.config.settings")
django.setup()
from parindex.dossiers.selectors import metrics_rows
from parindex.engine.dossiers import Period
for _ in range(3):
    t = time.perf_counter()
    rows = metrics_rows(None, Period.year(2025), "unit")
    print(f"metrics {time.perf_counter() - t:.2f} s, {len(rows)} units, "
          f"{sum(r['received'] for r in rows)} dossiers")
"""


def step(cmd: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    t = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", WRAP, *cmd], capture_output=True, text=True, env=env, check=False
    )
    wall = time.perf_counter() - t
    if proc.returncode != 0:
        raise SystemExit(f"{cmd[:4]} failed:\n{proc.stderr[-3000:]}")
    rss = [ln.split()[1] for ln in proc.stderr.splitlines() if ln.startswith("maxrss ")]
    return wall, int(rss[-1]) / 1024, proc.stdout.strip()


def run(label: str, env: dict[str, str], csv_path: Path) -> None:
    py = sys.executable
    cli = [py, "-m", "parindex.cli"]
    step([*cli, "manage", "migrate", "-v", "0"], env)
    step([py, "-c", UNITS], env)
    first = step([*cli, "dossiers", "import", str(csv_path)], env)
    again = step([*cli, "dossiers", "import", str(csv_path)], env)
    metrics = step([py, "-c", METRICS], env)
    print(f"\n### {label}\n")
    print("| step | wall s | peak RSS MB | output |")
    print("|---|---:|---:|---|")
    for name, (sec, rss, out) in (
        ("import (first)", first),
        ("re-import (unchanged)", again),
        ("metrics ×3", metrics),
    ):
        print(f"| {name} | {sec:.1f} | {rss:.0f} | {out.splitlines()[-1][:120] if out else ''} |")
    print("\n" + metrics[2])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--keep", help="directory for the generated CSV (kept)")
    ap.add_argument("--pg", help="postgresql://… of a scratch database (dropped, recreated)")
    ap.add_argument("--skip-sqlite", action="store_true")
    args = ap.parse_args()
    where = Path(args.keep or tempfile.mkdtemp())
    where.mkdir(parents=True, exist_ok=True)
    csv_path = where / f"dossiers-{args.rows}.csv"
    if not csv_path.exists():
        generate(csv_path, args.rows)
    print(f"{args.rows:,} dossiers, CSV {csv_path.stat().st_size / 1e6:.0f} MB, "
          f"{os.cpu_count()} cores (shared with other work)")  # fmt: skip
    base = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "PARINDEX_DATA_DIR": str(where)}
    if not args.skip_sqlite:
        db = where / "parindex.sqlite3"
        db.unlink(missing_ok=True)
        run("SQLite", {**base, "DATABASE_URL": ""}, csv_path)
    if args.pg:
        import psycopg

        name = args.pg.rsplit("/", 1)[1]
        with psycopg.connect(args.pg.rsplit("/", 1)[0] + "/postgres", autocommit=True) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{name}"')
            c.execute(f'CREATE DATABASE "{name}"')
        run("PostgreSQL", {**base, "DATABASE_URL": args.pg}, csv_path)


if __name__ == "__main__":
    main()
