"""axe-core over every page type as every role (issue 13 part 7/8), on the demo province.

Each role signs in and walks the app from its home page, following the links it is shown
(the menu, the lists, the cycle, the forms' pages), and axe checks the first page of each
kind (URL name) with every <details> open, against WCAG 2.1 A and AA. The public pages and
the login page are walked signed out; the error page is asked for by each role. The test
fails on any violation, and on any Content-Security-Policy violation seen on the way."""

from __future__ import annotations

from typing import Any
from urllib.parse import urldefrag, urlsplit

import pytest
from django.urls import Resolver404, resolve
from playwright.sync_api import Page, expect
from tests.e2e.a11y import axe, csp_violations, watch_csp

from parindex.web.demo import DEMO_PASSWORD, seed_demo

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

#: Files, partials and redirects: not pages to check.
NOT_PAGES = {
    "favicon",
    "logout",
    "public:csv",
    "public:download",
    "public:version",
    "evidence:download",
    "reports:download",
    "reports:jobs",
    "reports:template_download",
    "framework_download",
    "unit_template",
    "results_metrics_template",
    "cycle_external_template",
    "leaf",
    "my_assessment",
    "surveys:qr_sheet",
    "surveys:results_xlsx",
    "surveys:results_docx",
    "dossiers:metrics_xlsx",
    "dossiers:import_report",
    "improvement:plan_docx",
    "improvement:plan_xlsx",
    "oversight:report_xlsx",
    "oversight:initiative_file",
}
#: Pages per role at most (a guard against a walk that never ends).
LIMIT = 60


def page_name(path: str) -> str | None:
    if path.startswith(("/admin/", "/api/", "/static/", "/media/")):
        return None
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.view_name


def links(page: Page, base: str) -> list[str]:
    hrefs = page.eval_on_selector_all("a[href]:not([download])", "els => els.map(e => e.href)")
    out = []
    for href in hrefs:
        url, _ = urldefrag(href)
        if url.startswith(base):
            out.append(url)
    return out


def walk(page: Page, base: str, start: str, who: str) -> tuple[list[str], set[str]]:
    """Visit ``start`` and the pages it links to, one per URL name; axe on each."""
    seen: set[str] = set()
    queue = [base + start]
    problems: list[str] = []
    while queue and len(seen) < LIMIT:
        url = queue.pop(0)
        name = page_name(urlsplit(url).path)
        if name is None or name in seen or name in NOT_PAGES:
            continue
        seen.add(name)
        response = page.goto(url)
        assert response is not None
        if response.status >= 400 or "text/html" not in response.headers.get("content-type", ""):
            continue
        for line in axe(page):
            problems.append(f"[{who}] {name} {urlsplit(url).path}: {line}")
        for line in csp_violations(page):
            problems.append(f"[{who}] {name}: CSP {line}")
        queue.extend(links(page, base))
    return problems, seen


def sign_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("button", name="Đăng xuất")).to_be_visible()


@pytest.fixture
def demo(db: Any, settings: Any, tmp_path: Any) -> dict[str, Any]:
    settings.MEDIA_ROOT = tmp_path / "media"
    return seed_demo()


def test_axe_finds_no_wcag_21_aa_violation_on_any_page_as_any_role(
    browser, live_server, demo
) -> None:
    base = live_server.url
    problems: list[str] = []
    visited: dict[str, set[str]] = {}
    roles = [("khách", None)] + [(x["username"], x["username"]) for x in demo["logins"]]
    for who, username in roles:
        context = browser.new_context(locale="vi-VN")
        context.set_default_timeout(20_000)
        console = watch_csp(context)
        page = context.new_page()
        if username:
            sign_in(page, base, username)
            found, seen = walk(page, base, "/", who)
        else:
            found, seen = walk(page, base, "/cong-khai/", who)
            more, seen_login = walk(page, base, "/dang-nhap/", who)
            found += more
            seen |= seen_login
        problems += found
        # The error page, as this role sees it.
        page.goto(f"{base}/khong-co-trang-nay/")
        problems += [f"[{who}] 404: {line}" for line in axe(page)]
        problems += [f"[{who}] console: {line}" for line in console]
        visited[who] = seen
        context.close()
    assert not problems, "\n".join(problems)
    # The walk reached the pages that matter for each role.
    assert {"public:index", "public:cycle", "login"} <= visited["khách"]
    assert {"assessment_detail", "evidence_forms", "results_unit"} <= visited["canbo.tuphap"]
    assert {"appraisal_home", "appraisal_unit"} <= visited["thamdinh"]
    admin = visited["snv.admin"]
    assert {"cycle_stage", "cycle_progress", "reports:exports", "results_overview"} <= admin
    assert {"notification_list", "cycle_list", "cycle_detail", "home"} <= admin


def test_the_axe_check_reports_what_it_finds(browser) -> None:
    """The harness itself: a violation inside a closed <details> is reported, readably."""
    page = browser.new_page()
    page.set_content(
        '<html lang="vi"><title>t</title><main><details><summary>Mở</summary>'
        '<input type="text" id="x"></details></main></html>'
    )
    found = axe(page)
    page.close()
    assert any(line.startswith("label ") and "#x" in line for line in found), found
