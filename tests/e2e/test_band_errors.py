"""Issue 12 part 4 in a real browser: the cycle's rank bands with a fed survey — the
sampling-error box is ticked by default, its areas are listed, and unticking it (a plain GET
form, no script needed) gives the bands without it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from parindex.national.tests.helpers import fed_survey
from parindex.testing import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_sampling_error_box_widens_and_narrows_the_bands(browser, live_server, world):
    fed_survey(world)
    page = browser.new_context(locale="vi-VN").new_page()
    page.set_default_timeout(20_000)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if "Content Security" in m.text else None)
    page.goto(f"{live_server.url}/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill(world.leader.username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.goto(f"{live_server.url}/ky-danh-gia/{world.cycle.pk}/dai-xep-hang/")
    box = page.get_by_label("Tính cả sai số chọn mẫu khảo sát")
    expect(box).to_be_checked()
    page.get_by_label("Dao động trọng số s (%)").fill("0")
    page.get_by_role("button", name="Tính lại").click()
    expect(page.locator("#intervals-title")).to_be_visible()
    expect(page.locator("section[aria-labelledby=intervals-title] tbody tr")).to_have_count(2)
    widened = page.locator("section[aria-labelledby=bands-title] tbody").inner_text()
    box.uncheck()
    page.get_by_role("button", name="Tính lại").click()
    expect(page.get_by_label("Tính cả sai số chọn mẫu khảo sát")).not_to_be_checked()
    expect(page.locator("section[aria-labelledby=intervals-title]")).to_contain_text(
        "chưa tính sai số chọn mẫu"
    )
    assert page.locator("section[aria-labelledby=bands-title] tbody").inner_text() != widened
    assert errors == []
