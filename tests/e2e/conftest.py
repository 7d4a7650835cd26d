"""Browser tests: Debian's Chromium driven by Playwright (sync API) against pytest-django's
``live_server``. Nothing is downloaded: the browser is /usr/bin/chromium (scripts/test.sh
installs it). Outside CI the tests skip when it is absent; in CI (CI=true) they must run."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Chromium for the tests of one module. Playwright's sync API keeps an asyncio loop
    running in this thread, and Django's ORM refuses to run under a running loop unless
    DJANGO_ALLOW_ASYNC_UNSAFE is set (the tests' ORM calls are synchronous): it is set here
    while the browser lives, and restored afterwards, so the rest of the suite keeps
    Django's check."""
    if not CHROMIUM.exists() and os.environ.get("CI") != "true":
        pytest.skip(f"{CHROMIUM} không có (apt-get install chromium); bỏ qua kiểm thử trình duyệt")
    from playwright.sync_api import sync_playwright

    before = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as p:
            b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
            try:
                yield b
            finally:
                b.close()
    finally:
        if before is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = before
