"""Server time of the what-if page (issue 12 part 3: "what-if answers in the app in under
200 ms"): the demo's sample national results (34 provinces, 30-leaf national framework,
PAR INDEX 2023–2025 with Bạc Liêu merged into Cà Mau) in a temporary SQLite database
(plain ``django.setup()``, no pytest), each page requested through Django's test client
(routing, middleware, session, template) — best and median of ``--repeat`` runs after one
warm-up: the forward what-if (3 leaves set), the reverse what-if to rank 1 with an edited
effort, the comparison and the lost-points pages, and the rank bands (1,000 draws).

    .venv/bin/python benchmarks/bench_whatif_page.py [--repeat 20]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path


def setup(tmp: str) -> None:
    os.environ["PARINDEX_DATA_DIR"] = tmp
    os.environ.pop("DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "parindex.config.settings"
    os.environ["PARINDEX_TASKS_BACKEND"] = "django.tasks.backends.dummy.DummyBackend"
    os.environ["PARINDEX_REQUIRE_2FA"] = "false"
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, skip_checks=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=20)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        setup(tmp)
        from django.test import Client
        from django.urls import reverse

        from parindex.accounts.models import Role, User
        from parindex.national.models import NationalDataset
        from parindex.national.tests.helpers import national_world

        national_world()
        ds = NationalDataset.objects.get(year=2025, kind="par").pk
        admin = User.objects.create_user("bench", password="x", role=Role.ADMIN)
        client = Client()
        client.force_login(admin)
        pages = {
            "what-if forward (3 leaves)": (
                reverse("national:whatif", args=[ds]),
                {"mode": "forward", "diem-3.3": "5", "diem-6.2": "4", "diem-7.2": "5"},
            ),
            "what-if reverse (rank 1, effort edited)": (
                reverse("national:whatif", args=[ds]),
                {"mode": "reverse", "hang": "1", "cong-3.3": "3", "cong-1.5": "0,5"},
            ),
            "comparison": (reverse("national:compare", args=[ds]), {}),
            "lost points": (reverse("national:lost", args=[ds]), {}),
            "rank bands (1,000 draws)": (reverse("national:bands", args=[ds]), {}),
        }
        print(f"load average: {os.getloadavg()[0]:.2f} (shared 2-core machine)")
        for name, (url, params) in pages.items():
            r = client.get(url, params)
            assert r.status_code == 200, (name, r.status_code)
            times = []
            for _ in range(args.repeat):
                t = time.perf_counter()
                client.get(url, params)
                times.append((time.perf_counter() - t) * 1000)
            best, median = min(times), statistics.median(times)
            print(f"{name:42s} best {best:6.1f} ms  median {median:6.1f} ms")


if __name__ == "__main__":
    main()
