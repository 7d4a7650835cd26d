"""The Sở Nội vụ admin imports CSV files as Excel saves them, from the navigation, in a
real browser (issue 8, parts 6 and 7): the template download next to the upload form, a
Windows-1258 file separated by semicolons (the result names what was detected), a
tab-separated file refused with nothing imported, a metric chosen from the Vietnamese
list, and a Vietnamese 404 page in the app's layout."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import expect
from test_cycle import Person  # tests/e2e is on sys.path (rootdir-less test dirs)

from parindex.results.models import UnitMetric
from parindex.testing import cp1258_bytes, leaf_score

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_admin_imports_excel_csv_files_in_the_browser(browser, live_server, world):
    admin = Person(browser, live_server.url, world.admin.username)
    page = admin.page
    try:
        # From the navigation to the cycle's external points page.
        page.get_by_role("link", name="Kỳ đánh giá", exact=True).first.click()
        page.get_by_role("link", name=world.cycle.name).first.click()
        page.get_by_role("link", name="Điểm khảo sát/SIPAS/thống kê").click()
        # The template next to the upload form: the cycle's units and external leaves.
        with page.expect_download() as info:
            page.locator("#external-template").click()
        template = info.value.path().read_bytes().decode("utf-8-sig")
        assert "unit,code,points" in template and "so-tu-phap,2.1," in template

        def send(name: str, data: bytes) -> None:
            form = page.locator("form", has=page.locator("input[name=what][value=csv]"))
            form.locator("input[type=file]").set_input_files(
                {"name": name, "mimeType": "text/csv", "buffer": data}
            )
            form.get_by_role("button", name="Nhập tệp").click()

        # A tab-separated file: one clear message, nothing imported.
        send("tab.csv", b"unit\tcode\tpoints\nso-tu-phap\t2.1\t3\n")
        expect(page.get_by_role("alert")).to_contain_text("các cột cách nhau bằng dấu tab")
        assert leaf_score(world.a, "2.1").final_points is None
        # As Excel saves it in Vietnamese Windows: Windows-1258, semicolons, decimal comma.
        send(
            "khảo sát.csv",
            cp1258_bytes("unit;code;points\nso-tu-phap;2.1;3,5\nso-y-te;2.1;không áp dụng\n"),
        )
        expect(page.locator(".messages")).to_contain_text(
            "Đã đọc tệp khảo sát.csv (Windows-1258, dấu phân cách “;”)"
        )
        expect(page.get_by_role("cell", name="Nhập từ khảo sát.csv").first).to_be_visible()
        assert leaf_score(world.a, "2.1").final_points == Decimal("3.5")

        # A metric chosen from the Vietnamese list.
        admin.go(f"/ket-qua/{world.cycle.pk}/chi-so/")
        form = page.locator("#metric-one")
        form.get_by_label("Đơn vị").select_option(label="Sở Tư pháp")
        form.get_by_label("Chỉ số").select_option(label="Tỷ lệ hồ sơ trễ hạn (%)")
        form.get_by_label("Giá trị (%)").fill("6,5")
        form.get_by_role("button", name="Lưu giá trị").click()
        expect(page.locator(".messages")).to_contain_text("Đã lưu Tỷ lệ hồ sơ trễ hạn (%)")
        assert UnitMetric.objects.get(unit=world.tuphap).value == Decimal("6.5")

        # A page that does not exist: Vietnamese, in the layout, with the navigation.
        response = admin.go("/khong-co-trang-nay/")
        assert response is not None and response.status == 404
        expect(page.get_by_role("heading", name="Không tìm thấy trang")).to_be_visible()
        expect(page.get_by_role("link", name="Kỳ đánh giá", exact=True).first).to_be_visible()
        assert admin.failed_posts == []
    finally:
        admin.close()
