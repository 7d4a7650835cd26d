"""Recompute of a 150-unit × 90-leaf cycle after one leaf change (issue 4).

Builds the case in a temporary SQLite database (plain ``django.setup()``, no pytest),
changes one leaf, times ``results_recompute`` (best/median of 5) and, in the same run, a
naive baseline: the straightforward per-assessment ORM loop (scores through the related
manager, the engine's ``aggregate`` per unit, one ``save()`` per result row).

    .venv/bin/python benchmarks/bench_recompute.py [--units 150] [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path


def setup(tmp: str) -> None:
    os.environ["PARINDEX_DATA_DIR"] = tmp
    os.environ.pop("DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "parindex.config.settings"
    os.environ.setdefault("PARINDEX_TASKS_BACKEND", "django.tasks.backends.dummy.DummyBackend")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, skip_checks=True)


def framework(n_areas: int = 6, n_crit: int = 3, n_leaves: int = 5):
    from parindex.engine.framework import Framework, Node

    d = Decimal
    areas = []
    for a in range(1, n_areas + 1):
        crits = []
        for c in range(1, n_crit + 1):
            leaves = tuple(
                Node(code=f"{a}.{c}.{k}", name=f"Tiêu chí {a}.{c}.{k}", max_points=d(2))
                for k in range(1, n_leaves + 1)
            )
            crits.append(
                Node(
                    code=f"{a}.{c}",
                    name=f"Tiêu chí {a}.{c}",
                    max_points=d(2 * n_leaves),
                    children=leaves,
                )
            )
        areas.append(
            Node(
                code=str(a),
                name=f"Lĩnh vực {a}",
                max_points=d(2 * n_leaves * n_crit),
                children=tuple(crits),
            )
        )
    total = d(2 * n_leaves * n_crit * n_areas)
    return Framework(
        code="bench-90",
        name="Bộ tiêu chí 90 lá",
        decision="",
        year=2025,
        total=total,
        nodes=tuple(areas),
    )


def build(n_units: int):
    from django.db.models import F, Value
    from django.db.models.functions import Mod

    from parindex.assessments.models import LeafScore
    from parindex.assessments.services import assessments_open
    from parindex.cycles.services import cycle_create
    from parindex.frameworks.services import framework_import
    from parindex.units.models import Unit, UnitGroup

    fw = framework_import(framework=framework(), actor=None)
    groups = [
        UnitGroup.objects.create(code="so", name="Sở, ban, ngành", position=1),
        UnitGroup.objects.create(code="xa", name="UBND xã", position=2),
    ]
    Unit.objects.bulk_create(
        [Unit(code=f"u{i:03d}", name=f"Đơn vị {i}", group=groups[i % 2]) for i in range(n_units)]
    )
    units = list(Unit.objects.all())
    cycle = cycle_create(
        year=2025, name="Kỳ 2025", frameworks={g: fw for g in groups}, units=units, actor=None
    )
    assessments_open(cycle=cycle, actor=None)
    # Varied points: self = 2 or 1.5, round 1 = (id mod 5) / 2.5 …, some N/A.
    LeafScore.objects.update(self_points=Value(Decimal(2)))
    LeafScore.objects.update(round1_points=Mod(F("id"), 5) * Value(Decimal("0.4")))
    LeafScore.objects.filter(criterion__code="6.3.5", assessment__unit__code__endswith="7").update(
        not_applicable=True
    )
    return cycle


def naive(cycle) -> None:
    """The straightforward version: per assessment, its scores through the ORM, the
    engine per unit, one save per row."""
    from django.db import transaction
    from django.utils import timezone

    from parindex.assessments.models import Assessment
    from parindex.engine.aggregate import NA, aggregate, compile_framework
    from parindex.engine.ranking import rank_within
    from parindex.frameworks.selectors import engine_framework
    from parindex.results.models import NodeResult, ResultSet, UnitResult

    with transaction.atomic():
        ResultSet.objects.filter(cycle=cycle).delete()
        rs = ResultSet.objects.create(cycle=cycle, computed_at=timezone.now(), input_hash="naive")
        rows = []
        for a in Assessment.objects.filter(cycle=cycle).select_related("unit", "framework"):
            cf = compile_framework(engine_framework(a.framework))
            points = {}
            for s in a.scores.select_related("criterion"):
                if s.not_applicable:
                    points[s.criterion.code] = NA
                else:
                    v = s.round2_points if s.round2_points is not None else s.round1_points
                    v = v if v is not None else s.self_points
                    if v is not None:
                        points[s.criterion.code] = v
            rows.append((a.unit, aggregate(cf, points)))
        ranks = rank_within([u.index for _, u in rows], [unit.group_id for unit, _ in rows])
        for (unit, score), rk in zip(rows, ranks, strict=True):
            ur = UnitResult.objects.create(
                result_set=rs,
                unit=unit,
                group_id=unit.group_id,
                points=score.points,
                max_points=score.max_points,
                index=None
                if score.index is None
                else round(Decimal(score.index.numerator) / score.index.denominator, 6),
                rank=rk,
            )
            for code, node in score.nodes.items():
                if "." in code and code.count(".") == 2:
                    continue  # leaves
                NodeResult.objects.create(
                    unit_result=ur,
                    code=code,
                    depth=code.count(".") + 1,
                    points=node.points,
                    max_points=node.max_points,
                    index=None
                    if node.index is None
                    else round(Decimal(node.index.numerator) / node.index.denominator, 6),
                )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=150)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        setup(tmp)
        from django.db import connection, reset_queries
        from django.test.utils import CaptureQueriesContext

        from parindex.assessments.models import LeafScore
        from parindex.results.models import NodeResult, UnitResult
        from parindex.results.services import results_recompute

        t0 = time.perf_counter()
        cycle = build(args.units)
        print(
            f"case built in {time.perf_counter() - t0:.1f} s: {args.units} units × 90 leaves, "
            f"{LeafScore.objects.count()} leaf scores"
        )
        results_recompute(cycle=cycle)  # warm: compiles the framework once per process
        leaf = LeafScore.objects.filter(criterion__code="1.1.1").order_by("id").first()
        times, queries = [], 0
        for k in range(args.repeat):
            LeafScore.objects.filter(pk=leaf.pk).update(round1_points=Decimal(k % 3) / 2)
            reset_queries()
            with CaptureQueriesContext(connection) as ctx:
                t = time.perf_counter()
                results_recompute(cycle=cycle)
                times.append(time.perf_counter() - t)
            queries = len(ctx.captured_queries)
        print(
            f"results_recompute after one change: best {min(times) * 1000:.0f} ms, "
            f"median {statistics.median(times) * 1000:.0f} ms ({queries} queries; "
            f"{UnitResult.objects.count()} unit rows, {NodeResult.objects.count()} node rows)"
        )
        naive_times = []
        for k in range(args.repeat):
            LeafScore.objects.filter(pk=leaf.pk).update(round1_points=Decimal(k % 3) / 2)
            calls = [0]

            def count(execute, sql, params, many, context, calls=calls):
                calls[0] += 1
                return execute(sql, params, many, context)

            with connection.execute_wrapper(count):
                t = time.perf_counter()
                naive(cycle)
                naive_times.append(time.perf_counter() - t)
            nq = calls[0]
        print(
            f"naive per-assessment ORM loop: best {min(naive_times) * 1000:.0f} ms, "
            f"median {statistics.median(naive_times) * 1000:.0f} ms ({nq} queries)"
        )
        print(
            f"speed-up (median): {statistics.median(naive_times) / statistics.median(times):.1f}×"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
