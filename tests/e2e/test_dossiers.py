"""Issue 11 in a real browser: the Sở Nội vụ admin uploads a one-stop export (Windows-1258,
``;``), watches the import finish, reads the metrics and drills down to the late dossier,
opens its detail page with the reason of its class, takes the late rates into the cycle's
rating metrics, and sees the unit's rating capped with the reason."""

from __future__ import annotations

import pytest
from django.test import override_settings
from playwright.sync_api import expect

from parindex.dossiers.models import Dossier
from parindex.testing import PASSWORD, cp1258_bytes
from parindex.web.tests.results_case import build

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
HEADER = (
    "Mã hồ sơ;Mã thủ tục;Lĩnh vực;Đơn vị xử lý;Cán bộ xử lý;Kênh thực hiện;Trạng thái;"
    "Ngày tiếp nhận;Ngày hẹn trả;Ngày kết thúc xử lý"
)


@override_settings(TASKS=IMMEDIATE)
def test_import_metrics_and_the_capped_rating(browser, live_server, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    c = build(3, publish_previous=False)
    unit, year = c.units[0], c.cycle.year
    rows = [
        f"HS-{i:02d};1.1;Hộ tịch;{unit.name};Nguyễn Văn A;2;Đã trả kết quả;03/03/{year} 08:00;"
        f"10/03/{year} 17:00;{'12' if i == 0 else '05'}/03/{year} 09:00"
        for i in range(10)
    ]
    export = tmp_path / "mot-cua.csv"
    export.write_bytes(cp1258_bytes("\n".join([HEADER, *rows]) + "\n"))

    page = browser.new_context(locale="vi-VN").new_page()
    page.set_default_timeout(20_000)
    base = live_server.url
    page.goto(f"{base}/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill(c.admin.username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()

    page.get_by_role("link", name="Hồ sơ TTHC").click()
    page.get_by_role("link", name="Nhập hồ sơ").click()
    page.get_by_label("Tệp xuất (.csv, .xlsx, .json, .jsonl)").set_input_files(str(export))
    page.get_by_role("button", name="Nhập tệp").click()
    job = page.locator("tr[data-import]").first
    expect(job).to_have_attribute("data-status", "done")
    expect(job).to_contain_text("10 hồ sơ mới")
    assert Dossier.objects.filter(unit=unit).count() == 10

    page.get_by_role("link", name="Số liệu").click()
    page.get_by_label("Kỳ").fill(str(year))
    page.get_by_role("button", name="Xem").click()
    row = page.locator(f'tr[data-key="{unit.pk}"]')
    expect(row).to_contain_text("10,00")
    row.locator("td.late-rate a").click()
    expect(page.locator("table.dossier-list")).to_contain_text("HS-00")
    expect(page.locator("table.dossier-list tbody tr")).to_have_count(1)
    page.get_by_role("link", name="HS-00").click()  # the detail page says why it is late
    expect(page.get_by_role("heading", name="Hồ sơ HS-00")).to_be_visible()
    expect(page.locator("table.dossier-why")).to_contain_text("quá hạn")
    expect(page.locator("table.dossier-why")).to_contain_text("ngày kết thúc xử lý")

    page.goto(f"{base}/ket-qua/{c.cycle.pk}/chi-so/")
    page.get_by_role("button", name=f"Tính tỷ lệ hồ sơ trễ hạn năm {year} từ hồ sơ").click()
    expect(page.locator("table.metrics")).to_contain_text("tính từ hồ sơ")
    page.goto(f"{base}/ket-qua/{c.cycle.pk}/don-vi/{unit.code}/")
    expect(page.get_by_text("Hạ xếp loại: tỷ lệ hồ sơ trễ hạn 10% ≥ 5%").first).to_be_visible()
