"""Locust scenario for ``benchmarks/load_save.py``: unit staff saving points (issue 3).

Each simulated user takes its own account (``canbo01``, ``canbo02``, … — one unit and one
assessment each, so users never collide), logs in once through the login form, opens its
self-assessment page and then saves points over and over through the endpoint the page's
autosave uses: an htmx POST of the leaf form (CSRF token, the leaf's version, the chosen
tier) to ``/phieu/<pk>/tieu-chi/<score>/``. Each save alternates the tier of the next leaf
and takes the new version from the returned partial, as the page does. Any answer other
than 200 with a new version is a failure. At the end the last value each user saved per
leaf is written to ``LOAD_EXPECTED`` (JSON) so the driver can check nothing was lost.

Environment: LOAD_PASSWORD, LOAD_EXPECTED, LOAD_WAIT_MIN / LOAD_WAIT_MAX (think time between
saves, seconds; default 0.05–0.35).
"""

from __future__ import annotations

import itertools
import json
import os
import re
import threading

from locust import between, events
from locust.contrib.fasthttp import FastHttpUser
from locust.exception import StopUser

PASSWORD = os.environ.get("LOAD_PASSWORD", "mat-khau-thu-nghiem")
TIERS = ("Đạt", "Chưa đạt")
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
LEAF_FORM = re.compile(
    r'<form class="leaf-form" method="post" action="(/phieu/\d+/tieu-chi/\d+/)".*?'
    r'name="version" value="(\d+)"',
    re.S,
)
VERSION = re.compile(r'name="version" value="(\d+)"')

_numbers = itertools.count(1)
_lock = threading.Lock()
#: leaf URL → the value its (only) user saved last.
EXPECTED: dict[str, str] = {}


class UnitStaff(FastHttpUser):
    wait_time = between(
        float(os.environ.get("LOAD_WAIT_MIN", "0.05")),
        float(os.environ.get("LOAD_WAIT_MAX", "0.35")),
    )

    def on_start(self) -> None:
        with _lock:
            self.number = next(_numbers)
        username = f"canbo{self.number:02d}"
        r = self.client.get("/dang-nhap/", name="login form")
        token = CSRF.search(r.text or "")
        with self.client.post(
            "/dang-nhap/",
            data={
                "username": username,
                "password": PASSWORD,
                "csrfmiddlewaretoken": token.group(1) if token else "",
                "next": "/phieu-cua-don-vi/",
            },
            name="login",
            catch_response=True,
        ) as r:
            page = r.text or ""
            self.leaves = [[url, int(v)] for url, v in LEAF_FORM.findall(page)]
            token = CSRF.search(page)
            if r.status_code != 200 or not self.leaves or not token:
                r.failure(f"{username}: login or assessment page failed ({r.status_code})")
                raise StopUser()
            self.csrf = token.group(1)
        self.turn = 0
        self.values = {url: "" for url, _ in self.leaves}

    def on_stop(self) -> None:
        with _lock:
            EXPECTED.update({url: v for url, v in self.values.items() if v})

    def save(self) -> None:
        leaf = self.leaves[self.turn % len(self.leaves)]
        self.turn += 1
        url, version = leaf
        value = TIERS[1] if self.values[url] == TIERS[0] else TIERS[0]
        with self.client.post(
            url,
            data={
                "csrfmiddlewaretoken": self.csrf,
                "version": str(version),
                "na_shown": "1",
                "value": value,
                "explanation": "",
            },
            headers={"HX-Request": "true", "HX-Target": url},
            name="save",
            catch_response=True,
        ) as r:
            found = VERSION.search(r.text or "") if r.status_code == 200 else None
            if found is None:
                r.failure(f"save {url}: {r.status_code} {(r.text or '')[:200]!r}")
                return
            leaf[1] = int(found.group(1))
            self.values[url] = value

    tasks = [save]


@events.test_stop.add_listener
def _write_expected(environment, **kwargs) -> None:  # type: ignore[no-untyped-def]
    path = os.environ.get("LOAD_EXPECTED")
    if path:
        with _lock, open(path, "w", encoding="utf-8") as f:
            json.dump(EXPECTED, f, ensure_ascii=False)
