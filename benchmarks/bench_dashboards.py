"""Server time of the results dashboards on a computed 150-unit × 90-leaf cycle (issue 4).

Builds the case in a temporary SQLite database (plain ``django.setup()``, no pytest):
two groups, a 90-leaf framework, varied points with appraisers' reasons, a final 2024
cycle and a provisional 2025 cycle, both computed by ``results_recompute``. Each page is
requested through Django's test client (URL routing, middleware, session, template, as in
production minus the network) — best and median of ``--repeat`` runs after one warm-up —
and, in the same run, the same page with the selector swapped for a naive version that
loops over the units with one ORM query per unit (the way such a page is often first
written), so both figures come from the same machine under the same load.

    .venv/bin/python benchmarks/bench_dashboards.py [--units 150] [--repeat 10]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from decimal import Decimal
from pathlib import Path


def setup(tmp: str) -> None:
    os.environ["PARINDEX_DATA_DIR"] = tmp
    os.environ.pop("DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "parindex.config.settings"
    os.environ["PARINDEX_TASKS_BACKEND"] = "django.tasks.backends.dummy.DummyBackend"
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, skip_checks=True)


def framework(year: int):
    from parindex.engine.framework import Framework, Node

    d = Decimal
    areas = []
    for a in range(1, 7):
        crits = []
        for c in range(1, 4):
            leaves = tuple(
                Node(code=f"{a}.{c}.{k}", name=f"Tiêu chí {a}.{c}.{k}", max_points=d(2))
                for k in range(1, 6)
            )
            crits.append(
                Node(code=f"{a}.{c}", name=f"Tiêu chí {a}.{c}", max_points=d(10), children=leaves)
            )
        areas.append(
            Node(code=str(a), name=f"Lĩnh vực {a}", max_points=d(30), children=tuple(crits))
        )
    return Framework(
        code=f"bench-90-{year}",
        name="Bộ tiêu chí 90 lá",
        decision="",
        year=year,
        total=d(180),
        nodes=tuple(areas),
    )


def build(n_units: int):
    from django.db.models import F, Value
    from django.db.models.functions import Coalesce, Mod

    from parindex.accounts.models import User
    from parindex.assessments.models import Assessment, LeafScore
    from parindex.assessments.services import assessments_open
    from parindex.cycles.models import Cycle
    from parindex.cycles.services import cycle_create
    from parindex.frameworks.services import framework_import
    from parindex.results.services import results_recompute
    from parindex.units.models import Unit, UnitGroup

    groups = [
        UnitGroup.objects.create(code="so", name="Sở, ban, ngành", position=1),
        UnitGroup.objects.create(code="xa", name="UBND xã, phường", position=2),
    ]
    Unit.objects.bulk_create(
        [Unit(code=f"u{i:03d}", name=f"Đơn vị {i}", group=groups[i % 2]) for i in range(n_units)]
    )
    units = list(Unit.objects.order_by("code"))
    cycles = []
    for year, shift in ((2024, 1), (2025, 0)):
        fw = framework_import(framework=framework(year), actor=None)
        cycle = cycle_create(
            year=year,
            name=f"Kỳ {year}",
            frameworks={g: fw for g in groups},
            units=units,
            actor=None,
        )
        assessments_open(cycle=cycle, actor=None)
        scores = LeafScore.objects.filter(assessment__cycle=cycle)
        scores.update(self_points=Value(Decimal(2)))
        scores.update(round1_points=Mod(F("id") + shift, 5) * Value(Decimal("0.5")))
        scores.filter(round1_points__lt=2).update(round1_reason="Thiếu tài liệu kiểm chứng")
        if year == 2024:
            scores.update(final_points=Coalesce("round2_points", "round1_points", "self_points"))
            Assessment.objects.filter(cycle=cycle).update(status="approved")
            Cycle.objects.filter(pk=cycle.pk).update(status="approved")
        else:
            Cycle.objects.filter(pk=cycle.pk).update(status="appraisal_round1")
        cycle.refresh_from_db()
        results_recompute(cycle=cycle)
        cycles.append(cycle)
    admin = User.objects.create(username="quantri", role="admin", full_name="Quản trị")
    return cycles[1], units, admin


# --------------------------------------------------------------------------- naive selectors


def naive_overview(user, cycle):
    """province_overview written as a per-unit loop (no select_related, one node query per
    unit)."""
    from collections import Counter

    from parindex.results.models import NodeResult, RatingConfig, ResultSet
    from parindex.results.selectors import Overview

    rs = ResultSet.objects.get(cycle_id=cycle.pk)
    rows = list(rs.units.order_by("group_id", "rank"))
    bins = Counter(min(int(r.index // 10), 9) for r in rows if r.index is not None)
    config = RatingConfig.objects.filter(cycle_id=cycle.pk).first()
    order = [c["name"] for c in (config.classes if config else [])]
    counts = Counter(r.rating for r in rows if r.rating)
    areas: list[str] = []
    heat_rows = []
    for r in rows:
        r.unit.name, r.group.name  # noqa: B018 - lazy loads, one query each
        if r.previous_unit_id:
            r.previous_unit.name  # noqa: B018
        cells = {}
        for n in NodeResult.objects.filter(unit_result=r, depth=1).order_by("position"):
            if n.code not in areas:
                areas.append(n.code)
            cells[n.code] = n.index
        heat_rows.append((r.unit.name, cells))
    return Overview(
        rs,
        rows,
        [(f"{10 * b}–{10 * b + 10}", bins.get(b, 0)) for b in range(10)],
        [(n, counts.get(n, 0)) for n in order],
        {"areas": areas, "rows": [(name, [c.get(a) for a in areas]) for name, c in heat_rows]},
        [(r.unit.name, r.index_change, r.rank_change) for r in rows],
        0,
        sum(1 for r in rows if r.missing_leaves),
        sum(1 for r in rows if r.missing_metrics),
    )


def naive_unit_result(user, cycle, unit):
    """unit_result with the group average and best unit found by visiting every peer and
    querying its areas, and the names looked up one criterion at a time."""
    from parindex.frameworks.models import Criterion
    from parindex.results.models import NodeResult, ResultSet, UnitResult
    from parindex.results.selectors import LostPoints, TrendPoint, UnitPage, lineage_ids

    rs = ResultSet.objects.get(cycle_id=cycle.pk)
    result = rs.units.get(unit_id=unit.pk)
    result.unit.name, result.group.name  # noqa: B018
    nodes = list(NodeResult.objects.filter(unit_result=result).order_by("position"))
    for n in nodes:
        c = Criterion.objects.filter(framework__code=result.framework_code, code=n.code).first()
        n.name = c.name if c else ""
    areas = [n for n in nodes if n.depth == 1]
    criteria = [n for n in nodes if n.depth > 1]
    sums: dict[str, list[Decimal]] = defaultdict(list)
    best: dict[str, tuple[str, Decimal | None]] = {}
    for peer in rs.units.filter(group_id=result.group_id):
        for n in NodeResult.objects.filter(unit_result=peer, depth=1):
            if n.index is None:
                continue
            sums[n.code].append(n.index)
            if n.code not in best or n.index > best[n.code][1]:
                best[n.code] = (peer.unit.name, n.index)
    average = {a.code: sum(sums[a.code]) / len(sums[a.code]) for a in areas if sums.get(a.code)}
    lost = sorted(
        (
            LostPoints(n.code, n.name, n.depth, n.max_points, n.points, n.max_points - n.points)
            for n in criteria
            if n.max_points is not None and n.max_points > n.points
        ),
        key=lambda x: (-x.lost, x.code),
    )
    trend = []
    for h in UnitResult.objects.filter(unit_id__in=lineage_ids(unit.pk)).order_by("id"):
        c = h.result_set.cycle
        trend.append(
            TrendPoint(c.year, c.pk, h.unit.name, h.index, h.rank, h.rating, h.result_set.status)
        )
    return UnitPage(rs, result, areas, criteria, average, best, lost, trend)


def naive_criterion_results(user, cycle, code):
    """criterion_results with one node query and one leaf query per unit."""
    from parindex.assessments.models import LeafScore
    from parindex.frameworks.models import Criterion
    from parindex.results.models import NodeResult, ResultSet
    from parindex.results.selectors import CriterionPage, CriterionRow

    rs = ResultSet.objects.get(cycle_id=cycle.pk)
    crit = Criterion.objects.filter(framework__assessments__cycle=cycle, code=code).first()
    rows = []
    for ur in rs.units.order_by("unit__name"):
        node = NodeResult.objects.filter(unit_result=ur, code=code).first()
        reasons = [
            (s.criterion.code, s.round1_reason, s.round2_reason)
            for s in LeafScore.objects.filter(
                assessment__cycle=cycle,
                assessment__unit_id=ur.unit_id,
                criterion__code__startswith=f"{code}.",
            )
            if s.round1_reason or s.round2_reason
        ]
        pts, mx, idx = (node.points, node.max_points, node.index) if node else (None, None, None)
        lost = None if mx is None or pts is None else mx - pts
        rows.append(CriterionRow(ur.unit, ur.group.name, pts, mx, idx, lost, sorted(reasons)))
    rows.sort(key=lambda r: (-(r.lost or 0), r.unit.name))
    return CriterionPage(code, crit.name, crit.max_points, rows)


# --------------------------------------------------------------------------- timing


def timed(client, url, repeat):
    from django.db import connection

    count = [0]

    def counter(execute, sql, params, many, context):
        count[0] += 1
        return execute(sql, params, many, context)

    r = client.get(url)  # warm-up (template compilation, caches)
    assert r.status_code == 200, (url, r.status_code)
    times = []
    for _ in range(repeat):
        count[0] = 0
        with connection.execute_wrapper(counter):
            t = time.perf_counter()
            r = client.get(url)
            times.append(time.perf_counter() - t)
        assert r.status_code == 200
    return min(times) * 1000, statistics.median(times) * 1000, count[0]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=150)
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        setup(tmp)
        from django.test import Client
        from django.urls import reverse

        from parindex.assessments.models import LeafScore
        from parindex.results import selectors as rsel
        from parindex.results.services import cycle_publish

        t0 = time.perf_counter()
        cycle, units, admin = build(args.units)
        print(
            f"case built in {time.perf_counter() - t0:.1f} s: {args.units} units × 90 leaves, "
            f"{LeafScore.objects.count()} leaf scores, two computed cycles"
        )
        from parindex.cycles.models import Cycle

        old = Cycle.objects.get(year=2024)
        cycle_publish(cycle=old, actor=admin)
        client = Client()
        client.force_login(admin)
        public = Client()
        k = cycle.pk
        pages = [
            ("overview", client, reverse("results_overview", args=[k]), "province_overview"),
            ("unit page", client, reverse("results_unit", args=[k, units[7].code]), "unit_result"),
            (
                "criterion page (area 1)",
                client,
                reverse("results_criterion", args=[k, "1"]),
                "criterion_results",
            ),
            (
                "criterion page (1.2)",
                client,
                reverse("results_criterion", args=[k, "1.2"]),
                "criterion_results",
            ),
            ("accountability", client, reverse("results_accountability", args=[k]), None),
            (
                "public page (2024)",
                public,
                reverse("public:cycle", args=[old.pk]),
                "province_overview",
            ),
        ]
        naive = {
            "province_overview": naive_overview,
            "unit_result": naive_unit_result,
            "criterion_results": naive_criterion_results,
        }
        print(
            f"{'page':26} {'best':>8} {'median':>8} {'queries':>8}   naive best / median / queries"
        )
        for name, c, url, selector in pages:
            best, median, q = timed(c, url, args.repeat)
            line = f"{name:26} {best:6.1f}ms {median:6.1f}ms {q:8d}"
            if selector:
                original = getattr(rsel, selector)
                setattr(rsel, selector, naive[selector])
                try:
                    nb, nm, nq = timed(c, url, args.repeat)
                finally:
                    setattr(rsel, selector, original)
                line += f"   {nb:6.1f}ms / {nm:6.1f}ms / {nq} ({nm / median:.1f}× slower)"
            print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
