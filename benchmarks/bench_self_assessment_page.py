"""Server time of the self-assessment page for a 100-leaf framework (issue 3).

Builds the case in a temporary SQLite database (migrated here, plain ``django.setup()``):
one unit, a 100-leaf framework (4 areas × 25 leaves, tiers and done/not-done rules), half
the leaves scored with an explanation, a third with an evidence document, a comment on every
tenth. Times the page through Django's test client (the whole request: session, middleware,
tree, engine totals, template) as the unit's staff member sees it, best/median of 20, with
its query count. The baseline in the same run is the same page data assembled naively: per
leaf, its score, its evidence links and its comments queried one by one, and the area and
overall totals summed in Python (no template rendering, so the baseline is flattered).

    .venv/bin/python benchmarks/bench_self_assessment_page.py [--leaves 100] [--repeat 20]
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
    os.environ.setdefault("PARINDEX_SECRET_KEY", "bench-only-secret")
    os.environ.setdefault("PARINDEX_TASKS_BACKEND", "django.tasks.backends.dummy.DummyBackend")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.ALLOWED_HOSTS = ["*"]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("migrate", verbosity=0, skip_checks=True)


def framework(n: int):
    from parindex.engine.framework import Framework, Node, Rule

    d = Decimal
    per_area = n // 4
    areas = []
    for a in range(1, 5):
        leaves = tuple(
            Node(
                code=f"{a}.{i}",
                name=f"Tiêu chí {a}.{i}: nội dung đánh giá của tiêu chí",
                max_points=d(1),
                guidance="Hướng dẫn chấm điểm và tài liệu kiểm chứng cần có.",
                rule=Rule(
                    type="tiers",
                    params={
                        "tiers": [
                            {"label": "Đạt", "points": d(1)},
                            {"label": "Đạt một phần", "points": d("0.5")},
                            {"label": "Chưa đạt", "points": d(0)},
                        ]
                    },
                )
                if i % 2
                else Rule(type="binary", params={}),
            )
            for i in range(1, per_area + 1)
        )
        areas.append(
            Node(code=str(a), name=f"Lĩnh vực {a}", max_points=d(per_area), children=leaves)
        )
    return Framework(
        code=f"bench-{n}", name=f"Bộ {n} tiêu chí", decision="", year=2025, total=d(n),
        nodes=tuple(areas),
    )  # fmt: skip


def build(n: int):
    from parindex.assessments.models import Comment, LeafScore
    from parindex.assessments.services import cycle_open
    from parindex.evidence.models import EvidenceDocument, EvidenceLink
    from parindex.frameworks.services import framework_import
    from parindex.testing import make_group, make_unit, make_user

    admin = make_user("quantri", "admin")
    group = make_group()
    unit = make_unit("so-tu-phap", "Sở Tư pháp", group=group)
    fw = framework_import(framework=framework(n), actor=None)
    cycle = cycle_open(
        year=2025, name="Kỳ 2025", frameworks={group: fw}, units=[unit], deadlines=None,
        actor=admin,
    )  # fmt: skip
    staff = make_user("canbo", "unit_staff", unit=unit)
    a = cycle.assessments.get()
    scores = list(
        LeafScore.objects.filter(assessment=a).select_related("criterion__rule").order_by("id")
    )
    docs = [
        EvidenceDocument.objects.create(unit=unit, kind="reference", title=f"VB {k}", year=2025)
        for k in range(10)
    ]
    for k, s in enumerate(scores):
        if k % 2 == 0:
            binary = s.criterion.rule.type == "binary"
            s.self_value = "có" if binary else "Đạt"
            s.self_points = Decimal(1)
            s.explanation = "Giải trình của đơn vị"
            s.save(update_fields=["self_value", "self_points", "explanation"])
        if k % 3 == 0:
            EvidenceLink.objects.create(score=s, document=docs[k % 10])
        if k % 10 == 0:
            Comment.objects.create(score=s, author=staff, text="Ý kiến trao đổi")
    return a, staff


def naive_page_data(assessment) -> dict:
    """The page's data the straightforward way: one query per leaf for each thing."""
    from parindex.assessments.models import Comment, LeafScore
    from parindex.evidence.models import EvidenceLink
    from parindex.frameworks.models import Criterion

    rows, area_totals, total = [], {}, Decimal(0)
    criteria = Criterion.objects.filter(framework_id=assessment.framework_id).order_by("position")
    for c in criteria:
        if c.children.exists():
            rows.append({"criterion": c})
            continue
        score = LeafScore.objects.get(assessment=assessment, criterion=c)
        evidence = list(EvidenceLink.objects.filter(score=score).select_related("document"))
        comments = list(Comment.objects.filter(score=score).select_related("author"))
        rule = getattr(c, "rule", None)
        points = score.self_points or Decimal(0)
        area = c.code.split(".")[0]
        area_totals[area] = area_totals.get(area, Decimal(0)) + points
        total += points
        rows.append(
            {"criterion": c, "score": score, "rule": rule, "evidence": evidence,
             "comments": comments, "missing": not evidence and not score.explanation}
        )  # fmt: skip
    return {"rows": rows, "area_totals": area_totals, "total": total}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--leaves", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        load_before = os.getloadavg()[0]
        setup(tmp)
        from django.db import connection, reset_queries
        from django.test import Client
        from django.test.utils import CaptureQueriesContext
        from django.urls import reverse

        assessment, staff = build(args.leaves)
        client = Client()
        client.force_login(staff)
        url = reverse("assessment_detail", args=[assessment.pk])
        body = client.get(url).content.decode()  # warm: templates, content types, framework
        leaves = body.count('<article class="leaf')
        assert leaves == args.leaves, leaves
        times, cpu = [], []
        for _ in range(args.repeat):
            reset_queries()
            with CaptureQueriesContext(connection) as ctx:
                t, c = time.perf_counter(), time.process_time()
                r = client.get(url)
                times.append(time.perf_counter() - t)
                cpu.append(time.process_time() - c)
            assert r.status_code == 200
        queries = len(ctx.captured_queries)
        naive_page_data(assessment)  # warm
        naive_times, naive_cpu = [], []
        for _ in range(args.repeat):
            reset_queries()
            with CaptureQueriesContext(connection) as nctx:
                t, c = time.perf_counter(), time.process_time()
                naive_page_data(assessment)
                naive_times.append(time.perf_counter() - t)
                naive_cpu.append(time.process_time() - c)
        load = os.getloadavg()[0]
        print(f"load average before {load_before:.2f}")
        print(f"{args.leaves}-leaf self-assessment page, {len(body) // 1024} KiB of HTML")
        print(
            f"page (test client, whole request): best {min(times) * 1000:.1f} ms, "
            f"median {statistics.median(times) * 1000:.1f} ms (CPU best "
            f"{min(cpu) * 1000:.1f} ms), {queries} queries"
        )
        print(
            f"naive per-leaf ORM loop (data only, no rendering): best "
            f"{min(naive_times) * 1000:.1f} ms, median {statistics.median(naive_times) * 1000:.1f}"
            f" ms (CPU best {min(naive_cpu) * 1000:.1f} ms), {len(nctx.captured_queries)} queries"
        )
        print(
            f"target < 150 ms: best {'met' if min(times) < 0.150 else 'MISSED'}, "
            f"median {'met' if statistics.median(times) < 0.150 else 'MISSED'}; "
            f"speed-up over the naive loop (median): "
            f"{statistics.median(naive_times) / statistics.median(times):.1f}×"
        )
        print(f"nproc {os.cpu_count()}, load average after {load:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
