"""Load test: 50 unit staff saving points for 60 s (issue 3), loopback only.

1. Prepares a database — a SQLite file in a temporary directory (the default), or the
   PostgreSQL database ``parindex_load`` (created here and dropped at the end) — with one
   open cycle, ``--users`` units, one assessment each (``--leaves`` tier leaves) and one
   unit-staff account per unit.
2. Starts ``parindex serve`` (gunicorn on Linux: ``--workers`` processes × ``--threads``)
   on 127.0.0.1 on a free port.
3. Runs locust headless (``benchmarks/locustfile.py``): every user logs in once and then
   saves points through the page's htmx autosave endpoint, for ``--time``.
4. Stops the server and checks: zero failed requests, and zero lost writes — the number of
   successful saves locust counted equals the sum of ``LeafScore.version`` increments and
   the number of new ``score.self`` audit rows, and every leaf holds the value its user
   saved last.

    .venv/bin/python benchmarks/load_save.py --db sqlite
    .venv/bin/python benchmarks/load_save.py --db postgres [--pg-url postgresql://postgres@127.0.0.1:5432]

Nothing is asserted on time: the figures are printed (and belong in RESULTS.md).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
PASSWORD = "mat-khau-tai-thu"
PG_DB = "parindex_load"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pg_admin(base_url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{base_url}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def django_setup(env: dict[str, str]) -> None:
    os.environ.update(env)
    if "DATABASE_URL" not in env:
        os.environ.pop("DATABASE_URL", None)
    sys.path.insert(0, str(ROOT / "src"))
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, skip_checks=True)


def framework(n_leaves: int):
    from parindex.engine.framework import Framework, Node, Rule

    d = Decimal
    tiers = Rule(
        type="tiers",
        params={"tiers": [{"label": "Đạt", "points": d(1)}, {"label": "Chưa đạt", "points": d(0)}]},
    )
    half = n_leaves // 2
    areas = tuple(
        Node(
            code=str(a),
            name=f"Lĩnh vực {a}",
            max_points=d(half),
            children=tuple(
                Node(code=f"{a}.{i}", name=f"Tiêu chí {a}.{i}", max_points=d(1), rule=tiers)
                for i in range(1, half + 1)
            ),
        )
        for a in (1, 2)
    )
    return Framework(
        code="load-test", name="Bộ tiêu chí tải thử", decision="", year=2025,
        total=d(2 * half), nodes=areas,
    )  # fmt: skip


def build(n_users: int, n_leaves: int) -> None:
    from datetime import timedelta

    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from parindex.accounts.models import User
    from parindex.assessments.services import cycle_open
    from parindex.frameworks.services import framework_import
    from parindex.testing import make_group, make_unit, make_user

    admin = make_user("quantri", "admin")
    group = make_group()
    units = [make_unit(f"dv{k:02d}", f"Đơn vị {k:02d}", group=group) for k in range(1, n_users + 1)]
    fw = framework_import(framework=framework(n_leaves), actor=None)
    cycle_open(
        year=2025, name="Kỳ tải thử", frameworks={group: fw}, units=units,
        deadlines={"self_assessment": timezone.now() + timedelta(days=10)}, actor=admin,
    )  # fmt: skip
    hashed = make_password(PASSWORD)  # the server's own hasher: logins cost what they cost
    User.objects.bulk_create(
        User(username=f"canbo{k:02d}", full_name=f"Cán bộ {k:02d}", role="unit_staff",
             unit=u, password=hashed)
        for k, u in enumerate(units, start=1)
    )  # fmt: skip


def counts() -> tuple[int, int]:
    from django.db.models import Sum

    from parindex.assessments.models import LeafScore
    from parindex.audit.models import AuditEvent

    versions = LeafScore.objects.aggregate(v=Sum("version"))["v"] or 0
    return versions, AuditEvent.objects.filter(action="score.self").count()


def process_cpu(pid: int) -> float:
    """User + system CPU seconds of a running process (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def tree_cpu(pid: int) -> float:
    """CPU seconds of a process and its children (gunicorn's master and workers)."""
    total = process_cpu(pid)
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            total += tree_cpu(int(child))
    return total


def wait_up(url: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise SystemExit(f"the server exited ({proc.returncode}); see its log")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("the server did not answer in time")


def read_stats(path: Path) -> dict[str, dict[str, float]]:
    """Final figures per request name from locust's ``--json-file`` (written after the
    users stopped, so saves finishing in the stop timeout are counted too)."""
    out: dict[str, dict[str, float]] = {}
    total = {"requests": 0.0, "failures": 0.0}
    for e in json.loads(path.read_text(encoding="utf-8")):
        times = sorted((float(ms), int(n)) for ms, n in e["response_times"].items())
        count = sum(n for _, n in times)

        def pct(q: float, times=times, count=count) -> float:
            seen = 0
            for ms, n in times:
                seen += n
                if seen >= q * count:
                    return ms
            return times[-1][0] if times else 0.0

        span = max(e["last_request_timestamp"] - e["start_time"], 1e-9)
        out[e["name"]] = {
            "requests": e["num_requests"],
            "failures": e["num_failures"],
            "rps": e["num_requests"] / span,
            "p50": pct(0.50),
            "p95": pct(0.95),
            "p99": pct(0.99),
            "max": e["max_response_time"],
        }
        total["requests"] += e["num_requests"]
        total["failures"] += e["num_failures"]
    out["all"] = total
    return out


def steady_rate(prefix: str, name: str) -> float | None:
    """Saves per second once every user is logged in: from the per-second history, the
    slope of the cumulative save count after the last login."""
    path = f"{prefix}_stats_history.csv"
    if not os.path.exists(path):
        return None
    with open(path, encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    logins = [int(r["Timestamp"]) for r in rows if r["Name"] == "login"]
    saves = [
        (int(r["Timestamp"]), int(r["Total Request Count"])) for r in rows if r["Name"] == name
    ]
    if not logins or len(saves) < 2:
        return None
    last_login_count = max(int(r["Total Request Count"]) for r in rows if r["Name"] == "login")
    done = min(
        int(r["Timestamp"]) for r in rows
        if r["Name"] == "login" and int(r["Total Request Count"]) == last_login_count
    )  # fmt: skip
    window = [(t, c) for t, c in saves if t >= done]
    if len(window) < 2 or window[-1][0] == window[0][0]:
        return None
    return (window[-1][1] - window[0][1]) / (window[-1][0] - window[0][0])


def _seconds(text: str) -> int:
    """Locust's run time (``90``, ``90s``, ``5m``, ``1h``) in seconds."""
    units = {"s": 1, "m": 60, "h": 3600}
    return int(text[:-1]) * units[text[-1]] if text[-1] in units else int(text)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    ap.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432")
    ap.add_argument("--users", type=int, default=50)
    ap.add_argument("--spawn-rate", type=int, default=25)
    ap.add_argument("--time", "--duration", dest="time", default="60s")
    ap.add_argument(
        "--scenario",
        choices=["save", "rush"],
        default="save",
        help="save: autosaves only (issue 3); rush: the deadline rush (issue 9) — autosaves, "
        "evidence uploads and dashboards (benchmarks/locust_rush.py)",
    )
    ap.add_argument("--leaves", type=int, default=8, help="leaves per assessment (even)")
    ap.add_argument("--threads", type=int, default=4, help="threads per server process")
    ap.add_argument(
        "--workers", type=int, default=None, help="server processes (default: one per CPU)"
    )
    ap.add_argument(
        "--real-hasher",
        action="store_true",
        help="the project's password hasher (PBKDF2) instead of benchmarks/load_settings.py",
    )
    ap.add_argument(
        "--profile",
        metavar="SVG",
        help="record the server with py-spy during the run (pip install py-spy first)",
    )
    ap.add_argument("--keep", action="store_true", help="keep the temp dir / database")
    args = ap.parse_args()

    tmp = tempfile.mkdtemp(prefix="parindex-load-")
    env = {
        "PARINDEX_DATA_DIR": tmp,
        "DJANGO_SETTINGS_MODULE": "parindex.config.settings"
        if args.real_hasher
        else "load_settings",
        "PYTHONPATH": os.pathsep.join([str(ROOT / "benchmarks"), os.environ.get("PYTHONPATH", "")]),
        "PARINDEX_SECRET_KEY": "load-test-only-" + os.urandom(16).hex(),
        "PARINDEX_TASKS_BACKEND": "django.tasks.backends.dummy.DummyBackend",
        "PARINDEX_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }
    if args.db == "postgres":
        pg_admin(args.pg_url, f"DROP DATABASE IF EXISTS {PG_DB}")
        pg_admin(args.pg_url, f"CREATE DATABASE {PG_DB}")
        env["DATABASE_URL"] = f"{args.pg_url}/{PG_DB}"
    server = None
    load_before = os.getloadavg()
    try:
        t0 = time.monotonic()
        django_setup(env)
        build(args.users, args.leaves)
        from django.db import connections

        v0, a0 = counts()
        connections.close_all()
        print(
            f"{args.db}: {args.users} units × {args.leaves} leaves prepared in "
            f"{time.monotonic() - t0:.1f} s"
        )

        port = free_port()
        host = f"http://127.0.0.1:{port}"
        server_env = {**os.environ, **env}
        server_log = open(Path(tmp) / "server.log", "w")  # noqa: SIM115 (the server's lifetime)
        server = subprocess.Popen(
            [str(VENV_BIN / "parindex"), "serve", "--addr", f"127.0.0.1:{port}",
             "--threads", str(args.threads)]
            + (["--workers", str(args.workers)] if args.workers else []),
            env=server_env, stdout=server_log, stderr=subprocess.STDOUT, cwd=ROOT,
        )  # fmt: skip
        wait_up(f"{host}/dang-nhap/", server)

        prefix = str(Path(tmp) / "locust")
        expected_path = Path(tmp) / "expected.json"
        uploads_path = Path(tmp) / "uploads.txt"
        locust_env = {
            **os.environ,
            "LOAD_PASSWORD": PASSWORD,
            "LOAD_EXPECTED": str(expected_path),
            "LOAD_UPLOADS": str(uploads_path),
        }
        locustfile = "locust_rush.py" if args.scenario == "rush" else "locustfile.py"
        if args.scenario == "rush":  # people, not a loop: a save every few seconds each
            locust_env.setdefault("LOAD_WAIT_MIN", "1")
            locust_env.setdefault("LOAD_WAIT_MAX", "4")
        cmd = [
            str(VENV_BIN / "locust"), "-f", str(ROOT / "benchmarks" / locustfile),
            "--headless", "-u", str(args.users), "-r", str(args.spawn_rate), "-t", args.time,
            "--host", host, "--csv", prefix, "--csv-full-history", "--only-summary",
            "--json-file", prefix,
            "--stop-timeout", "10", "--loglevel", "WARNING",
        ]  # fmt: skip
        print("$", " ".join(cmd[1:]).replace(str(ROOT) + "/", ""))
        spy = None
        if args.profile:
            spy = subprocess.Popen(
                [str(VENV_BIN / "py-spy"), "record", "--pid", str(server.pid), "--subprocesses",
                 "--duration",
                 "40", "--rate", "50", "--threads", "--idle", "--format", "speedscope",
                 "--output", args.profile],
                stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
            )  # fmt: skip
        budget = _seconds(args.time) + 240
        subprocess.run(cmd, env=locust_env, cwd=ROOT, check=False, timeout=budget)
        if spy is not None:
            spy.wait(timeout=60)
        server_cpu = tree_cpu(server.pid)
        locust_cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    finally:
        if server is not None and server.poll() is None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
    load_after = os.getloadavg()

    stats = read_stats(Path(f"{prefix}.json"))
    save = stats["save"]
    total = stats["all"]
    ok_saves = int(save["requests"] - save["failures"])
    from django.db import connections

    v1, a1 = counts()
    from parindex.assessments.models import LeafScore

    expected = (
        json.loads(expected_path.read_text(encoding="utf-8")) if expected_path.exists() else {}
    )
    wrong = 0
    for url, value in expected.items():
        score_pk = int(url.rstrip("/").split("/")[-1])
        if LeafScore.objects.get(pk=score_pk).self_value != value:
            wrong += 1
    connections.close_all()

    steady = steady_rate(prefix, "save")
    print(
        f"nproc {os.cpu_count()}; load average before {load_before[0]:.2f} "
        f"{load_before[1]:.2f} {load_before[2]:.2f}, after {load_after[0]:.2f} "
        f"{load_after[1]:.2f} {load_after[2]:.2f}; server processes "
        f"{args.workers or 'one per CPU'}, threads {args.threads}"
    )
    print(
        f"saves: {save['requests']:.0f} requests, {save['failures']:.0f} failed; "
        f"{save['rps']:.1f} saves/s from the first to the last save"
        + (f", {steady:.1f} saves/s once every user was logged in" if steady else "")
    )
    print(
        f"save latency ms: p50 {save['p50']:.0f}, p95 {save['p95']:.0f}, p99 {save['p99']:.0f}, "
        f"max {save['max']:.0f}; all requests: {total['requests']:.0f} "
        f"({total['failures']:.0f} failed)"
    )
    print(
        f"writes: {ok_saves} successful saves; LeafScore.version +{v1 - v0}; "
        f"score.self audit rows +{a1 - a0}; {len(expected)} leaves checked, {wrong} "
        f"not holding their last saved value"
    )
    lost = not (ok_saves == v1 - v0 == a1 - a0) or wrong
    if args.scenario == "rush":
        from parindex.evidence.models import EvidenceDocument

        ok_uploads = int(uploads_path.read_text()) if uploads_path.exists() else 0
        docs = EvidenceDocument.objects.filter(kind="file")
        stored = sum(1 for d in docs if d.file and d.file.storage.exists(d.file.name))
        print(
            f"uploads: {ok_uploads} successful; {docs.count()} evidence rows, {stored} files stored"
        )
        lost = lost or not (ok_uploads == docs.count() == stored)
        connections.close_all()
        for name in ("upload", "home", "assessment page"):
            if name in stats:
                e = stats[name]
                print(
                    f"{name}: {e['requests']:.0f} requests, {e['failures']:.0f} failed, "
                    f"p50 {e['p50']:.0f} ms, p95 {e['p95']:.0f} ms, {e['rps']:.1f}/s"
                )
        span = max(float(_seconds(args.time)), 1.0)
        print(f"throughput, all requests: {total['requests'] / span:.1f}/s over {args.time}")
    failed = int(total["failures"])
    print(
        f"CPU: server {server_cpu:.1f} s ({server_cpu / max(save['requests'], 1) * 1000:.0f} ms "
        f"per save, logins included), locust and py-spy "
        f"{locust_cpu.ru_utime + locust_cpu.ru_stime:.1f} s"
    )
    print("zero failures:", "yes" if failed == 0 else f"NO ({failed})")
    print("zero lost writes:", "yes" if not lost else "NO")
    if args.db == "postgres" and not args.keep:
        pg_admin(args.pg_url, f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
    if not args.keep:
        shutil.rmtree(tmp, ignore_errors=True)
    else:
        print("kept:", tmp)
    return 0 if not failed and not lost else 1


if __name__ == "__main__":
    raise SystemExit(main())
