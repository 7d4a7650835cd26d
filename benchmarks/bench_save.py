"""Server cost of one autosave (issue 3), in-process: the leaf POST of the self-assessment
page through Django's test client, as the unit's staff member sends it (htmx, the leaf's
version, the other tier), on the 100-leaf case of ``bench_self_assessment_page.py`` in a
temporary SQLite database. Prints CPU per save (best/median) and queries per save.

    .venv/bin/python benchmarks/bench_save.py [--leaves 100] [--repeat 200]
"""

from __future__ import annotations

import argparse
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


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--leaves", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        load_before = os.getloadavg()[0]
        setup(tmp)
        from django.db import connection
        from django.test import Client
        from django.test.utils import CaptureQueriesContext
        from django.urls import reverse

        from parindex.assessments.models import LeafScore

        assessment, staff = build(args.leaves)
        client = Client()
        client.force_login(staff)
        leaves = list(
            LeafScore.objects.filter(assessment=assessment, criterion__rule__type="tiers")
            .order_by("id")
            .values_list("pk", "version")[:8]
        )
        versions = dict(leaves)
        cpu, wall, queries = [], [], []
        for k in range(args.repeat + 10):
            pk = leaves[k % len(leaves)][0]
            url = reverse("leaf", args=[assessment.pk, pk])
            value = "Đạt" if (k // len(leaves)) % 2 else "Chưa đạt"
            with CaptureQueriesContext(connection) as ctx:
                t, c = time.perf_counter(), time.process_time()
                r = client.post(
                    url, {"version": versions[pk], "value": value}, HTTP_HX_REQUEST="true"
                )
                dt, dc = time.perf_counter() - t, time.process_time() - c
            assert r.status_code == 200, r.content[:300]
            versions[pk] = int(VERSION.search(r.content.decode()).group(1))
            if k >= 10:  # the first saves warm templates, content types, the framework
                cpu.append(dc)
                wall.append(dt)
                queries.append(len(ctx.captured_queries))
        print(f"load average before {load_before:.2f}, after {os.getloadavg()[0]:.2f}")
        print(
            f"autosave, {args.leaves}-leaf assessment, {args.repeat} saves: CPU best "
            f"{min(cpu) * 1000:.1f} ms, median {statistics.median(cpu) * 1000:.1f} ms; wall "
            f"median {statistics.median(wall) * 1000:.1f} ms; {max(queries)} queries per save; "
            f"reply {len(r.content)} bytes"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
