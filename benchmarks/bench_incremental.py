"""Recompute after one leaf change: incremental (the changed unit, its group re-ranked)
against the full recompute, at 150, 1,000 and 3,355 units × 90 leaves (issue 9, part 10).

Each size runs in its own process on a fresh database (SQLite in a temporary folder, or a
scratch PostgreSQL database with ``--pg``), built by ``bench_recompute.build`` (bulk
creation). After a warm full recompute, every repeat changes one leaf of a random unit and
times ``results_recompute_units`` for it; then, in the same process, the full
``results_recompute`` after a change (the baseline). The incremental rows are checked
against the full recompute's at the end.

    .venv/bin/python benchmarks/bench_incremental.py [--sizes 150,1000,3355] [--repeat 15]
        [--pg postgresql://postgres@127.0.0.1:5432/parindex_bench_incremental]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _pg_recreate(url: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def one(n_units: int, repeat: int, pg: str | None) -> dict[str, object]:
    sys.path.insert(0, str(HERE))
    with tempfile.TemporaryDirectory() as tmp:
        if pg:
            _pg_recreate(pg)
        os.environ["PARINDEX_DATA_DIR"] = tmp
        os.environ["DJANGO_SETTINGS_MODULE"] = "parindex.config.settings"
        os.environ.setdefault("PARINDEX_TASKS_BACKEND", "django.tasks.backends.dummy.DummyBackend")
        sys.path.insert(0, str(HERE.parent / "src"))
        if pg:
            os.environ["DATABASE_URL"] = pg
        else:
            os.environ.pop("DATABASE_URL", None)
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0, skip_checks=True)
        from bench_recompute import build
        from parindex.assessments.models import LeafScore
        from parindex.results.models import NodeResult, UnitResult
        from parindex.results.services import results_recompute, results_recompute_units

        t0 = time.perf_counter()
        cycle = build(n_units)
        built = time.perf_counter() - t0
        results_recompute(cycle=cycle)  # warm
        rnd = random.Random(n_units)
        leaves = list(
            LeafScore.objects.filter(criterion__code="2.1.1").values_list(
                "pk", "assessment__unit_id"
            )
        )

        def change(k: int) -> int:
            pk, unit_id = rnd.choice(leaves)
            LeafScore.objects.filter(pk=pk).update(round1_points=Decimal(k % 5) / 2)
            return unit_id

        incremental, incremental_cpu = [], []
        for k in range(repeat):
            unit_id = change(k)
            t, c = time.perf_counter(), time.process_time()
            results_recompute_units(cycle=cycle, unit_ids={unit_id})
            incremental.append(time.perf_counter() - t)
            incremental_cpu.append(time.process_time() - c)
        units_before = sorted(
            UnitResult.objects.filter(result_set__cycle=cycle).values_list(
                "unit_id", "points", "index", "rank", "rating", "rank_change"
            )
        )
        nodes_before = sorted(
            NodeResult.objects.filter(unit_result__result_set__cycle=cycle).values_list(
                "unit_result__unit_id", "code", "points", "rank"
            )
        )
        full, full_cpu = [], []
        for k in range(max(3, repeat // 5)):
            if k:
                change(k)
            t, c = time.perf_counter(), time.process_time()
            results_recompute(cycle=cycle)
            full.append(time.perf_counter() - t)
            full_cpu.append(time.process_time() - c)
            if k == 0:
                same = units_before == sorted(
                    UnitResult.objects.filter(result_set__cycle=cycle).values_list(
                        "unit_id", "points", "index", "rank", "rating", "rank_change"
                    )
                ) and nodes_before == sorted(
                    NodeResult.objects.filter(unit_result__result_set__cycle=cycle).values_list(
                        "unit_result__unit_id", "code", "points", "rank"
                    )
                )
        from django.db import connection

        backend = connection.vendor
        connection.close()
    if pg:
        _pg_drop(pg)
    return {
        "units": n_units,
        "backend": backend,
        "built_s": round(built, 1),
        "incremental_median_ms": round(statistics.median(incremental) * 1000, 1),
        "incremental_best_ms": round(min(incremental) * 1000, 1),
        "incremental_cpu_median_ms": round(statistics.median(incremental_cpu) * 1000, 1),
        "full_median_ms": round(statistics.median(full) * 1000, 1),
        "full_cpu_median_ms": round(statistics.median(full_cpu) * 1000, 1),
        "same_rows_as_full": same,
    }


def _pg_drop(url: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="150,1000,3355")
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--pg", default="")
    parser.add_argument("--one", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(args.one, args.repeat, args.pg or None)))
        return 0
    rows = []
    for n in (int(x) for x in args.sizes.split(",")):
        cmd = [sys.executable, __file__, "--one", str(n), "--repeat", str(args.repeat)]
        if args.pg:
            cmd += ["--pg", args.pg]
        out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
        row = json.loads(out.strip().splitlines()[-1])
        rows.append(row)
        print(json.dumps(row), flush=True)
    print()
    print(
        "| units | backend | incremental median wall (ms) | best (ms) | median CPU (ms) "
        "| full median wall (ms) | full median CPU (ms) | same rows |"
    )
    print("|---:|---|---:|---:|---:|---:|---:|---|")
    for r in rows:
        print(
            f"| {r['units']:,} | {r['backend']} | {r['incremental_median_ms']} | "
            f"{r['incremental_best_ms']} | {r['incremental_cpu_median_ms']} | "
            f"{r['full_median_ms']} | {r['full_cpu_median_ms']} | {r['same_rows_as_full']} |"
        )
    first = rows[0]
    for r in rows[1:]:
        wall = r["incremental_median_ms"] / first["incremental_median_ms"]
        cpu = r["incremental_cpu_median_ms"] / first["incremental_cpu_median_ms"]
        print(f"{r['units']:,} units vs {first['units']}: wall {wall:.2f}×, CPU {cpu:.2f}×")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
