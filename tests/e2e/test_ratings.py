"""Issue 8, parts 4 and 9 in a real browser: the public page explains a downgrade and
names the province; the Sở Nội vụ admin's navigation follows the cycle being worked in;
the unit page explains the rating; the favicon is served; no internal timings."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from django.test import override_settings
from playwright.sync_api import Page, expect

from parindex.results.models import UnitMetric
from parindex.results.services import cycle_publish, results_recompute
from parindex.testing import PASSWORD
from parindex.web.tests.results_case import build

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LINE = "Hạ xếp loại: tỷ lệ hồ sơ trễ hạn 6,5% ≥ 5%"


def _login(browser: Any, base: str, username: str) -> Page:
    page = browser.new_context(locale="vi-VN").new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{base}/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("link", name="Tổng quan").first).to_be_visible()
    return page


@override_settings(PARINDEX_PROVINCE_NAME="Khánh Hòa")
def test_explained_ratings_and_the_working_cycle(browser, live_server):
    c = build(5, publish_previous=False)
    downgraded = c.units[3]  # 100 % by its index, 6.5 % late dossiers → at most Khá
    UnitMetric.objects.create(
        cycle=c.old, unit=downgraded, metric="late_dossier_rate", value=Decimal("6.5")
    )
    results_recompute(cycle=c.old)
    cycle_publish(cycle=c.old, actor=c.admin)
    base = live_server.url

    # Anyone: the public page names the province and explains the downgrade on its row.
    visitor = browser.new_context(locale="vi-VN").new_page()
    visitor.goto(f"{base}/cong-khai/")
    visitor.get_by_role("link", name=re.compile(c.old.name)).first.click()
    expect(visitor.locator("#province")).to_have_text("Tỉnh Khánh Hòa")
    row = visitor.locator("tr", has_text=downgraded.name)
    expect(row).to_contain_text("Khá")
    expect(row).to_contain_text(LINE)
    expect(visitor.locator("#condition-notes")).to_contain_text("Căn cứ hạ xếp loại")
    icon = visitor.locator('link[rel="icon"]').first.get_attribute("href")
    assert icon and visitor.request.get(f"{base}{icon}").ok

    # The admin works in 2024 (not the newest cycle): the shortcuts follow it.
    admin = _login(browser, base, c.admin.username)
    admin.goto(f"{base}/ky-danh-gia/{c.old.pk}/")
    admin.get_by_role("link", name="Tổng quan").first.click()
    nav = admin.get_by_role("navigation", name="Điều hướng chính")
    expect(nav.get_by_role("link", name="Thẩm định")).to_have_attribute(
        "href", re.compile(rf"/{c.old.pk}/")
    )
    # The unit page explains the rating; no internal timing is shown.
    admin.goto(f"{base}/ket-qua/{c.old.pk}/don-vi/{downgraded.code}/")
    expect(admin.locator("#downgrades")).to_contain_text(LINE)
    expect(admin.locator(".result-status")).to_contain_text("Tính lúc")
    assert not re.search(r"\d+\s*ms\b", admin.locator(".result-status").inner_text())
