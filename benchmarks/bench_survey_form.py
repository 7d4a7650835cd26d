"""Server time of the public survey form (issue 10: < 100 ms), in-process through Django's
test client on a temporary SQLite database: a respondent's GET of a page, the POST of a
page (save-and-resume) and the final POST that sends the response, on the shipped SIPAS
sample questionnaire (7 pages, 40 items). The baseline timed in the same run is the login
page's GET (a template render with no data), so the ratio is robust to the machine's load.
Prints CPU per request (best/median) and the page sizes.

    .venv/bin/python benchmarks/bench_survey_form.py [--repeat 100]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_self_assessment_page import setup

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "src" / "parindex" / "data" / "questionnaires" / "sipas-service-2025.yaml"


def answers_for(items, page_items) -> dict[str, object]:
    out: dict[str, object] = {}
    for i in page_items:
        if i.type in ("likert5", "single"):
            out[i.code] = i.choices[-1].code
        elif i.type == "multi":
            out[i.code] = [i.choices[0].code]
        elif i.type == "number":
            out[i.code] = "42"
        else:
            out[i.code] = "Không"
    return out


def timed(fn) -> tuple[float, object]:
    c = time.process_time()
    r = fn()
    return time.process_time() - c, r


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=100)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        setup(tmp)
        from django.conf import settings
        from django.test import Client

        from parindex.surveys.models import FrameKind
        from parindex.surveys.services import (
            frame_set,
            questionnaire_upload,
            survey_create,
            tokens_generate,
        )
        from parindex.testing import workflow_world

        settings.PARINDEX_SURVEY_RATE_LIMIT = 0
        w = workflow_world()
        q = questionnaire_upload(source=SAMPLE.read_text("utf-8"), name="sipas", actor=w.admin)
        survey = survey_create(questionnaire=q, cycle=w.cycle, name="Đo", actor=w.admin)
        frame = frame_set(
            survey=survey, unit=w.tuphap, kind=FrameKind.COUNTER, name="Quầy", population=None,
            target=None, actor=w.admin,
        )  # fmt: skip
        tokens = tokens_generate(survey=survey, frame=frame, count=args.repeat + 5, actor=w.admin)
        parsed = q.parsed
        pages = [
            [i for i in parsed.items if i.aspect == a.code]
            for a in parsed.aspects
            if any(i.aspect == a.code for i in parsed.items)
        ]
        client = Client()
        base, get, post, send, sizes = [], [], [], [], []
        for k, t in enumerate(tokens):
            url = f"/khao-sat/{t.token}/"
            cb, _ = timed(lambda: client.get("/dang-nhap/"))
            cg, r = timed(lambda url=url: client.get(url))
            sizes.append(len(r.content))
            cp, r2 = timed(
                lambda url=url: client.post(
                    url, {"trang": "1", **answers_for(parsed.items, pages[0]), "hanh_dong": "tiep"}
                )
            )
            for n in range(2, len(pages)):
                client.post(url, {"trang": str(n), **answers_for(parsed.items, pages[n - 1])})
            cs, r3 = timed(
                lambda url=url: client.post(
                    url,
                    {
                        "trang": str(len(pages)),
                        **answers_for(parsed.items, pages[-1]),
                        "hanh_dong": "gui",
                    },
                )
            )
            assert r.status_code == 200 and r2.status_code == 302 and r3.status_code == 302, k
            if k >= 5:  # warm-up
                base.append(cb)
                get.append(cg)
                post.append(cp)
                send.append(cs)

        def show(name: str, xs: list[float]) -> None:
            med = statistics.median(xs)
            print(
                f"{name:<22} best {min(xs) * 1000:6.1f} ms  median {med * 1000:6.1f} ms  "
                f"({med / statistics.median(base):.2f}× the login page)"
            )

        print(f"{len(pages)} pages, {len(parsed.items)} items; {len(get)} respondents timed")
        show("login page (baseline)", base)
        show("form page GET", get)
        show("page POST (save)", post)
        show("last POST (send)", send)
        print(f"page size: {max(sizes)} bytes HTML (+ form.css)")
        css = ROOT / "src" / "parindex" / "surveys" / "static" / "surveys" / "form.css"
        print(f"form.css: {css.stat().st_size} bytes; scripts: none")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
