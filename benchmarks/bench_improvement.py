"""Server time of the improvement plan's pages and exports on a large plan (issue 12,
parts 5–6): a framework of 8 areas × 6 criteria, 40 lead units, the matrix of every
criterion, a plan with ``--tasks`` tasks (various statuses, a third overdue), each with two
partner units and a progress note.

Builds the case in a temporary SQLite database (``bench_dashboards.setup``) and times each
page through Django's test client (best and median of ``--repeat`` after one warm-up,
``bench_dashboards.timed``), with the number of queries.

    .venv/bin/python benchmarks/bench_improvement.py [--tasks 400] [--repeat 5]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_dashboards import setup, timed


def build(n_tasks: int):  # type: ignore[no-untyped-def]
    from django.utils import timezone

    from parindex.engine.framework import Framework as EngineFramework
    from parindex.engine.framework import Node
    from parindex.frameworks.models import Criterion
    from parindex.frameworks.services import framework_import
    from parindex.improvement.models import PlanTask, TaskNote
    from parindex.improvement.services import matrix_row_save, plan_create, task_save
    from parindex.testing import make_group, make_unit, make_user

    d = Decimal
    areas = tuple(
        Node(
            code=str(a),
            name=f"Lĩnh vực {a}",
            max_points=d(12),
            children=tuple(
                Node(code=f"{a}.{c}", name=f"Tiêu chí {a}.{c}", max_points=d(2))
                for c in range(1, 7)
            ),
        )
        for a in range(1, 9)
    )
    fw = framework_import(
        framework=EngineFramework(
            code="bench-par", name="PAR INDEX (benchmark)", decision="", year=2025,
            total=d(96), nodes=areas,
        ),
        actor=None,
    )  # fmt: skip
    group = make_group()
    units = [make_unit(f"so-{k}", f"Sở số {k}", group=group) for k in range(40)]
    admin = make_user("quantri", "admin")
    year = timezone.localdate().year
    criteria = list(Criterion.objects.filter(framework=fw, depth=2).order_by("position"))
    for i, c in enumerate(criteria):
        matrix_row_save(
            year=year, framework=fw, criterion=c, lead_unit=units[i % 40],
            partner_units=[units[(i + 1) % 40], units[(i + 2) % 40]],
            lead_evidence="Báo cáo, kế hoạch", actor=admin,
        )  # fmt: skip
    plan = plan_create(year=year, framework=fw, actor=admin)
    today = timezone.localdate()
    for k in range(n_tasks):
        task_save(
            plan=plan, title=f"Nhiệm vụ {k}", criterion=criteria[k % len(criteria)],
            lead_unit=units[k % 40], partner_units=[units[(k + 3) % 40], units[(k + 5) % 40]],
            deadline=today + dt.timedelta(days=(k % 90) - 30), actor=admin,
        )  # fmt: skip
    statuses = ("todo", "doing", "done")
    for k, t in enumerate(PlanTask.objects.filter(plan=plan)):
        PlanTask.objects.filter(pk=t.pk).update(status=statuses[k % 3], progress=(k * 7) % 101)
    TaskNote.objects.bulk_create(
        TaskNote(task=t, text="Đang thực hiện", status="doing", progress=50)
        for t in PlanTask.objects.filter(plan=plan)
    )
    plan.status = "approved"
    plan.save()
    return plan, admin


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tasks", type=int, default=400)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    os.environ["PARINDEX_REQUIRE_2FA"] = "false"
    with tempfile.TemporaryDirectory() as tmp:
        setup(tmp)
        from django.test import Client
        from django.urls import reverse

        t0 = time.perf_counter()
        plan, admin = build(args.tasks)
        print(f"case built in {time.perf_counter() - t0:.1f} s: {args.tasks} tasks, 48 criteria")
        client = Client()
        client.force_login(admin)
        pages = [
            ("progress dashboard", reverse("improvement:dashboard", args=[plan.pk])),
            ("plan page", reverse("improvement:plan", args=[plan.pk])),
            ("matrix page", reverse("improvement:matrix")),
            ("Word plan", reverse("improvement:plan_docx", args=[plan.pk])),
            ("Excel plan", reverse("improvement:plan_xlsx", args=[plan.pk])),
        ]
        print(f"{'page':<20} {'best ms':>8} {'median ms':>10} {'queries':>8}")
        for name, url in pages:
            best, median, queries = timed(client, url, args.repeat)
            print(f"{name:<20} {best:8.1f} {median:10.1f} {queries:8d}")
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
