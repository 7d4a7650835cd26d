"""Issue 12 parts 1–3 in a real browser: the Sở Nội vụ admin imports the Ministry's PAR
INDEX file (Windows-1258, ``;``, decimal comma) through the menu, reads the comparison with
last year (the merged province against its predecessors), the lost points with the repeated
losses marked, and asks the cheapest path up three ranks."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from parindex.frameworks.models import Framework
from parindex.national.demo import DATA
from parindex.national.models import NationalDataset
from parindex.national.tests.helpers import national_world
from parindex.testing import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_import_lost_points_and_the_cheapest_path(browser, live_server, world, tmp_path):
    national_world()
    NationalDataset.objects.filter(year=2025, kind="par").delete()  # imported in the browser
    page = browser.new_context(locale="vi-VN").new_page()
    page.set_default_timeout(20_000)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if "Content Security" in m.text else None)
    page.goto(f"{live_server.url}/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill(world.admin.username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()

    page.get_by_role("link", name="Chỉ số quốc gia").click()
    page.get_by_label("Năm đánh giá").fill("2025")
    fw = Framework.objects.get(code="mau-par-index-quoc-gia")
    page.get_by_label("Bộ tiêu chí quốc gia").select_option(value=str(fw.pk))
    page.get_by_label("Tệp kết quả (.csv hoặc .xlsx)").set_input_files(
        str(DATA / "mau-par-index-2025.csv")
    )
    page.get_by_role("button", name="Nhập tệp").click()
    expect(page.locator("h1")).to_contain_text("Tỉnh Cà Mau — PAR INDEX 2025")
    expect(page.locator("#lineage-note")).to_contain_text("Tỉnh Bạc Liêu")
    expect(page.locator(".stat .change")).to_contain_text("bậc")

    page.get_by_role("link", name="Điểm bị mất", exact=True).click()
    expect(page.locator("tr.repeated").first).to_contain_text("Mất điểm 2 năm liền")

    page.get_by_role("link", name="Giả định", exact=True).click()
    assert page.locator("#answer").count() == 0
    page.get_by_label("Tìm cách ít công sức nhất để đạt hạng").check()
    page.get_by_label("Hạng mục tiêu").fill("16")
    page.get_by_label("Công sức mỗi điểm 3.3").fill("4")
    page.get_by_role("button", name="Tính").click()
    answer = page.locator("#answer")
    expect(answer).to_contain_text("→ 16")
    assert answer.locator("tbody tr").count() >= 1
    assert errors == []
