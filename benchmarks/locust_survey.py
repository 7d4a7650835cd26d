"""Locust scenario for ``benchmarks/load_survey.py``: respondents answering the public
survey form (issue 10). Each simulated respondent takes the next unused one-time link of
``LOAD_TOKENS`` (a file of tokens, one a line), opens it, saves every page with a plain form
POST as a phone without JavaScript does (following the redirect to the next page), sends
the last page, and takes another link. Any answer other than the expected page is a
failure. Environment: LOAD_TOKENS, LOAD_PAGES (pages of the questionnaire), LOAD_ANSWERS
(JSON: page number → form fields), LOAD_WAIT_MIN / LOAD_WAIT_MAX (think time, seconds)."""

from __future__ import annotations

import json
import os
import threading
from urllib.parse import urlencode

from locust import between
from locust.contrib.fasthttp import FastHttpUser
from locust.exception import StopUser

TOKENS = open(os.environ["LOAD_TOKENS"], encoding="utf-8").read().split()  # noqa: SIM115
PAGES = int(os.environ["LOAD_PAGES"])
ANSWERS: dict[str, dict[str, object]] = json.loads(os.environ["LOAD_ANSWERS"])
#: A new connection per request, as a phone after its think time: gunicorn closes an idle
#: keep-alive connection after 2 s, and a POST on a connection the server is closing fails
#: with status 0 in locust (a browser retries it on a fresh connection).
FRESH = {"Connection": "close"}
_lock = threading.Lock()
_next = iter(TOKENS)


class Respondent(FastHttpUser):
    wait_time = between(
        float(os.environ.get("LOAD_WAIT_MIN", "1.0")),
        float(os.environ.get("LOAD_WAIT_MAX", "3.0")),
    )

    def on_start(self) -> None:
        self.token = ""
        self.page = 0

    def _take(self) -> None:
        with _lock:
            token = next(_next, None)
        if token is None:
            raise StopUser()
        self.token, self.page = token, 1
        with self.client.get(
            f"/khao-sat/{token}/", name="open", headers=FRESH, catch_response=True
        ) as r:
            if r.status_code != 200 or "Phần 1/" not in (r.text or ""):
                r.failure(f"open: {r.status_code}")

    def task_page(self) -> None:
        if not self.token:
            self._take()
            return
        last = self.page == PAGES
        data = {"trang": str(self.page), **ANSWERS[str(self.page)]}
        data["hanh_dong"] = "gui" if last else "tiep"
        name = "send" if last else "save page"
        with self.client.post(
            f"/khao-sat/{self.token}/",
            data=urlencode(data, doseq=True),  # a multi question sends one field per tick
            headers={"Content-Type": "application/x-www-form-urlencoded", **FRESH},
            name=name,
            catch_response=True,
        ) as r:
            text = r.text or ""
            want = "Cảm ơn ông/bà" if last else f"Phần {self.page + 1}/{PAGES}"
            if r.status_code != 200 or want not in text:
                r.failure(f"{name}: {r.status_code}")
        if last:
            self.token = ""
        else:
            self.page += 1

    tasks = [task_page]
