"""Server CPU of one autosave against a minimal authenticated Django view doing one UPDATE,
in-process and in the same run (issue 9, part 9: the autosave must cost ≤ 3× the minimal
view).

Both go through Django's test client with the same session (the full middleware stack of
the settings), alternately, on the 100-leaf case of ``bench_self_assessment_page.py`` in a
temporary SQLite database:

- ``autosave``: the leaf POST of the self-assessment page as the page sends it (htmx, the
  leaf's version, the other tier), the real view, service, audit row and recompute request;
- ``minimal``: ``login_required`` + ``LeafScore.objects.filter(pk=…).update(…)`` + a short
  ``HttpResponse``, registered only in this script's URLconf.

``time.process_time()`` per request (CPU of this process: the client's request building is
in both). Prints best/median of each and the ratio of the medians. ``--profile FILE`` writes
a cProfile of the autosaves.

    .venv/bin/python benchmarks/bench_save_ratio.py [--repeat 300] [--profile save.prof]
"""

from __future__ import annotations

import argparse
import cProfile
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_self_assessment_page import build, setup

VERSION = re.compile(r'name="version" value="(\d+)"')

urlpatterns: list = []  # filled in main(): the project's URLs plus the minimal view


def minimal_view(request, pk: int):  # type: ignore[no-untyped-def]
    from django.http import HttpResponse

    from parindex.assessments.models import LeafScore

    LeafScore.objects.filter(pk=pk).update(explanation=request.POST.get("value", ""))
    return HttpResponse("ok")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--leaves", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=300)
    parser.add_argument("--profile", default="")
    parser.add_argument("--queries", action="store_true", help="print one autosave's SQL")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        load_before = os.getloadavg()[0]
        # Production's task backend (the database queue): the recompute request records
        # the task's id (a UUID), which the dummy backend does not give.
        os.environ["PARINDEX_TASKS_BACKEND"] = "django_tasks_db.DatabaseBackend"
        os.environ.pop("PARINDEX_DEBUG", None)  # as production: DEBUG off, cached templates
        setup(tmp)
        from django.conf import settings
        from django.contrib.auth.decorators import login_required
        from django.db import connection
        from django.test import Client
        from django.test.utils import CaptureQueriesContext
        from django.urls import clear_url_caches, include, path, reverse

        from parindex.assessments.models import LeafScore

        urlpatterns.extend(
            [
                path("bench/minimal/<int:pk>/", login_required(minimal_view), name="bench-min"),
                path("", include(settings.ROOT_URLCONF)),
            ]
        )
        settings.ROOT_URLCONF = __name__
        sys.modules[__name__] = sys.modules.get(__name__) or sys.modules["__main__"]
        clear_url_caches()

        assessment, staff = build(args.leaves)
        client = Client()
        client.force_login(staff)
        leaves = list(
            LeafScore.objects.filter(assessment=assessment, criterion__rule__type="tiers")
            .order_by("id")
            .values_list("pk", "version")[:8]
        )
        versions = dict(leaves)
        profile = cProfile.Profile() if args.profile else None
        save_cpu, min_cpu, save_q, min_q = [], [], [], []
        for k in range(args.repeat + 10):
            pk = leaves[k % len(leaves)][0]
            url = reverse("leaf", args=[assessment.pk, pk])
            value = "Đạt" if (k // len(leaves)) % 2 else "Chưa đạt"
            with CaptureQueriesContext(connection) as ctx:
                if profile is not None and k >= 10:
                    profile.enable()
                c = time.process_time()
                r = client.post(
                    url, {"version": versions[pk], "value": value}, HTTP_HX_REQUEST="true"
                )
                dc = time.process_time() - c
                if profile is not None:
                    profile.disable()
            assert r.status_code == 200, r.content[:300]
            versions[pk] = int(VERSION.search(r.content.decode()).group(1))
            with CaptureQueriesContext(connection) as mctx:
                c = time.process_time()
                m = client.post(f"/bench/minimal/{pk}/", {"value": value})
                mc = time.process_time() - c
            assert m.status_code == 200, m.content[:300]
            if k >= 10:  # the first requests warm templates, content types, the framework
                save_cpu.append(dc)
                min_cpu.append(mc)
                save_q.append(len(ctx.captured_queries))
                min_q.append(len(mctx.captured_queries))
        if args.queries:
            for q in ctx.captured_queries:
                print(q["sql"][:160])
        if profile is not None:
            profile.dump_stats(args.profile)
        s, mn = statistics.median(save_cpu), statistics.median(min_cpu)
        print(f"load average before {load_before:.2f}, after {os.getloadavg()[0]:.2f}")
        print(
            f"autosave: CPU best {min(save_cpu) * 1000:.2f} ms, median {s * 1000:.2f} ms, "
            f"{max(save_q)} queries"
        )
        print(
            f"minimal login_required + one UPDATE: CPU best {min(min_cpu) * 1000:.2f} ms, "
            f"median {mn * 1000:.2f} ms, {max(min_q)} queries"
        )
        print(f"ratio of medians: {s / mn:.2f}× (target ≤ 3×)")
    return 0


if __name__ == "__main__":
    sys.modules["bench_save_ratio"] = sys.modules["__main__"]
    __name__ = "bench_save_ratio"
    raise SystemExit(main())
