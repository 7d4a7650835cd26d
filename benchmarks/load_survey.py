"""Load test: 100 respondents answering the public survey form at once (issue 10), on
loopback, bounded in time. Prepares a SQLite database in a temporary directory with the
test world, the shipped SIPAS sample questionnaire and enough one-time tokens; starts
``parindex serve`` (gunicorn) with the per-IP rate limit off (every simulated phone comes
from 127.0.0.1); runs locust headless (``benchmarks/locust_survey.py``); checks zero failed
requests and that every response locust sent is stored, pending review, once.

    .venv/bin/python benchmarks/load_survey.py [--users 100] [--time 45s]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from load_save import ROOT, VENV_BIN, django_setup, free_port, read_stats, tree_cpu, wait_up

SAMPLE = ROOT / "src" / "parindex" / "data" / "questionnaires" / "sipas-service-2025.yaml"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--users", type=int, default=100)
    ap.add_argument("--spawn-rate", type=int, default=50)
    ap.add_argument("--time", default="45s")
    ap.add_argument("--tokens", type=int, default=2000)
    ap.add_argument("--threads", type=int, default=4)
    ap.add_argument("--workers", type=int, default=None)
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="parindex-survey-load-")
    env = {
        "PARINDEX_DATA_DIR": tmp,
        "DJANGO_SETTINGS_MODULE": "load_settings",
        "PYTHONPATH": os.pathsep.join([str(ROOT / "benchmarks"), os.environ.get("PYTHONPATH", "")]),
        "PARINDEX_SECRET_KEY": "load-test-only-" + os.urandom(16).hex(),
        "PARINDEX_TASKS_BACKEND": "django.tasks.backends.dummy.DummyBackend",
        "PARINDEX_SURVEY_RATE_LIMIT": "0",
    }
    django_setup(env)
    from django.db import connections

    from bench_survey_form import answers_for
    from parindex.surveys.models import FrameKind, Response
    from parindex.surveys.services import (
        frame_set,
        questionnaire_upload,
        survey_create,
        tokens_generate,
    )
    from parindex.testing import workflow_world

    w = workflow_world()
    q = questionnaire_upload(source=SAMPLE.read_text("utf-8"), name="sipas", actor=w.admin)
    survey = survey_create(questionnaire=q, cycle=w.cycle, name="Tải thử", actor=w.admin)
    frame = frame_set(
        survey=survey, unit=w.tuphap, kind=FrameKind.COUNTER, name="Quầy", population=None,
        target=None, actor=w.admin,
    )  # fmt: skip
    tokens = tokens_generate(survey=survey, frame=frame, count=args.tokens, actor=w.admin)
    parsed = q.parsed
    pages = [
        [i for i in parsed.items if i.aspect == a.code]
        for a in parsed.aspects
        if any(i.aspect == a.code for i in parsed.items)
    ]
    answers = {str(n): answers_for(parsed.items, p) for n, p in enumerate(pages, 1)}
    token_file = Path(tmp) / "tokens.txt"
    token_file.write_text("\n".join(t.token for t in tokens), "utf-8")
    connections.close_all()

    port = free_port()
    host = f"http://127.0.0.1:{port}"
    log = open(Path(tmp) / "server.log", "w")  # noqa: SIM115 (the server's lifetime)
    server = subprocess.Popen(
        [str(VENV_BIN / "parindex"), "serve", "--addr", f"127.0.0.1:{port}",
         "--threads", str(args.threads)]
        + (["--workers", str(args.workers)] if args.workers else []),
        env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT,
    )  # fmt: skip
    load_before = os.getloadavg()
    try:
        wait_up(f"{host}/khao-sat/{tokens[-1].token}/", server)
        prefix = str(Path(tmp) / "locust")
        cmd = [
            str(VENV_BIN / "locust"), "-f", str(ROOT / "benchmarks" / "locust_survey.py"),
            "--headless", "-u", str(args.users), "-r", str(args.spawn_rate), "-t", args.time,
            "--host", host, "--json-file", prefix, "--csv", prefix, "--only-summary",
            "--stop-timeout", "10", "--loglevel", "WARNING",
        ]  # fmt: skip
        locust_env = {
            **os.environ,
            "LOAD_TOKENS": str(token_file),
            "LOAD_PAGES": str(len(pages)),
            "LOAD_ANSWERS": json.dumps(answers),
        }
        t0 = time.monotonic()
        subprocess.run(cmd, env=locust_env, cwd=ROOT, check=False, timeout=300)
        wall = time.monotonic() - t0
        cpu = tree_cpu(server.pid)
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
    stats = read_stats(Path(f"{prefix}.json"))
    sent = stats.get("send", {"requests": 0, "failures": 0})
    stored = Response.objects.filter(survey=survey, status="pending").count()
    ok_sent = int(sent["requests"] - sent["failures"])
    print(f"nproc {os.cpu_count()}; load average before {load_before[0]:.2f}; wall {wall:.0f} s")
    for name in ("open", "save page", "send"):
        s = stats.get(name)
        if s:
            print(
                f"{name:<10} {s['requests']:.0f} requests, {s['failures']:.0f} failed, "
                f"{s['rps']:.1f}/s; ms p50 {s['p50']:.0f} p95 {s['p95']:.0f} "
                f"p99 {s['p99']:.0f} max {s['max']:.0f}"
            )
    total = stats["all"]
    print(f"all requests: {total['requests']:.0f} ({total['failures']:.0f} failed)")
    print(f"server CPU {cpu:.1f} s ({cpu / max(total['requests'], 1) * 1000:.1f} ms per request)")
    print(f"responses sent {ok_sent}, stored pending {stored}")
    failures = Path(f"{prefix}_failures.csv")
    if failures.exists() and total["failures"]:
        print(failures.read_text("utf-8").strip())
        errors = [
            x for x in (Path(tmp) / "server.log").read_text("utf-8").splitlines() if "Error" in x
        ]
        print("\n".join(errors[-5:]))
    good = total["failures"] == 0 and ok_sent == stored
    print("zero failures and every sent response stored once:", "yes" if good else "NO")
    shutil.rmtree(tmp, ignore_errors=True)
    return 0 if good else 1


if __name__ == "__main__":
    raise SystemExit(main())
