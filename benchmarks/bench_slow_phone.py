"""Pages on a slow phone (issue 13 part 6): bytes transferred and load times, cold cache.

Serves the demo province (``parindex demo --no-serve`` into a temporary data folder, then
``parindex serve`` on loopback — which collects the static files when the code does so) from
the source tree ``--src`` (default: this checkout; pass an extracted older commit for the
"before" figures), and opens each page in Debian's Chromium with Playwright under the
slow-phone profile: Chrome DevTools ``Network.emulateNetworkConditions`` 1.6 Mbps down,
750 kbps up, 150 ms latency, and ``Emulation.setCPUThrottlingRate`` 4. Each load is in a new
browser context with the cache cleared (cold), signed in first where the page needs it.

Reported per page: bytes on the wire (the sum of CDP ``encodedDataLength``), the time to
DOMContentLoaded (deferred scripts have run: the form is interactive) and to ``load``, the
median of ``--repeat`` loads.

    .venv/bin/python benchmarks/bench_slow_phone.py [--src DIR] [--repeat 3]
    git archive <commit> src | tar -x -C /tmp/before && \\
        .venv/bin/python benchmarks/bench_slow_phone.py --src /tmp/before/src
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "parindex-demo"
KBPS = 1000 / 8  # bytes per second in one kbit/s


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(src: Path, data: Path) -> tuple[subprocess.Popen[bytes], str]:
    env = dict(os.environ)
    env.update(
        PYTHONPATH=str(src),
        PARINDEX_DATA_DIR=str(data),
        PARINDEX_SECRET_KEY="bench-only-secret",
        # the demo accounts sign in with the shared password, as under `parindex demo`
        PARINDEX_REQUIRE_2FA="false",
    )
    env.pop("DATABASE_URL", None)
    py = sys.executable
    subprocess.run(
        [py, "-m", "parindex.cli", "demo", "--no-serve"],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    port = free_port()
    server = subprocess.Popen(
        [py, "-m", "parindex.cli", "serve", "--addr", f"127.0.0.1:{port}", "--workers", "1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(3000):  # up to 10 min on a loaded machine
        try:
            urllib.request.urlopen(base + "/dang-nhap/", timeout=1)
            return server, base
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("máy chủ không khởi động")


def ids(src: Path, data: Path) -> dict[str, int]:
    """The demo's published cycle, current cycle and Tư pháp's assessment."""
    code = (
        "import django, json; django.setup();"
        "from parindex.cycles.models import Cycle;"
        "from parindex.assessments.models import Assessment;"
        "pub = Cycle.objects.filter(status='published').order_by('-year').first();"
        "cur = Cycle.objects.order_by('-year').first();"
        "a = Assessment.objects.get(cycle=cur, unit__code='so-tu-phap');"
        "print(json.dumps({'published': pub.pk, 'current': cur.pk, 'assessment': a.pk,"
        " 'leaves': a.scores.count()}))"
    )
    env = dict(
        os.environ,
        PYTHONPATH=str(src),
        PARINDEX_DATA_DIR=str(data),
        DJANGO_SETTINGS_MODULE="parindex.config.settings",
    )
    env.pop("DATABASE_URL", None)
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, check=True, capture_output=True, text=True
    ).stdout
    import json

    return dict(json.loads(out.strip().splitlines()[-1]))


def load(browser, base: str, path: str, user: str | None) -> tuple[int, float, float]:
    context = browser.new_context(locale="vi-VN")
    page = context.new_page()
    if user:
        page.goto(base + "/dang-nhap/")
        page.fill("input[name=username]", user)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_load_state("load")
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.clearBrowserCache")
    cdp.send(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": 150,
            "downloadThroughput": 1600 * KBPS,
            "uploadThroughput": 750 * KBPS,
        },
    )
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": 4})
    sizes: list[float] = []
    cdp.on("Network.loadingFinished", lambda e: sizes.append(e["encodedDataLength"]))
    page.goto(base + path, wait_until="load")
    page.wait_for_timeout(300)  # late finishes
    nav = page.evaluate(
        "(() => { const n = performance.getEntriesByType('navigation')[0];"
        " return [n.domContentLoadedEventEnd, n.loadEventEnd]; })()"
    )
    context.close()
    return int(sum(sizes)), float(nav[0]), float(nav[1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--src", type=Path, default=ROOT / "src")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="parindex-slow-phone-") as tmp:
        data = Path(tmp)
        server, base = start(args.src.resolve(), data)
        try:
            o = ids(args.src.resolve(), data)
            pages = [
                ("/cong-khai/", None, "công khai: danh sách"),
                (f"/cong-khai/{o['published']}/", None, "công khai: kết quả một kỳ"),
                (f"/ket-qua/{o['published']}/", "snv.admin", "kết quả: tổng quan"),
                (
                    f"/phieu/{o['assessment']}/",
                    "canbo.tuphap",
                    f"phiếu tự chấm ({o['leaves']} tiêu chí)",
                ),
            ]
            with sync_playwright() as p:
                browser = p.chromium.launch(
                    executable_path="/usr/bin/chromium",
                    headless=True,
                    args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
                )
                print(f"src: {args.src}  ({args.repeat} lần mỗi trang, cache trống)")
                print(f"{'trang':<34} {'KB truyền':>10} {'DOMContentLoaded':>17} {'load':>8}")
                for path, user, label in pages:
                    runs = [load(browser, base, path, user) for _ in range(args.repeat)]
                    kb = statistics.median(r[0] for r in runs) / 1024
                    dcl = statistics.median(r[1] for r in runs) / 1000
                    done = statistics.median(r[2] for r in runs) / 1000
                    print(f"{label:<34} {kb:>10.0f} {dcl:>15.2f} s {done:>6.2f} s")
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=30)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
