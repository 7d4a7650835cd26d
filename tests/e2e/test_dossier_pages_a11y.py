"""The dossier pages added for the gaps of issue 11, in Chromium with axe-core (WCAG 2.1
A/AA) and the Content-Security-Policy watched: the status-mapping page (with a refused
form), its edit page, the metrics page with a date range and with a bad one, the list
filtered by apology, and a dossier's detail page. The status-mapping form is a plain POST and
redirect (no htmx)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from tests.e2e.a11y import axe, watch_csp

from parindex.dossiers.models import Dossier, StatusMapping
from parindex.dossiers.services import dossier_import_file
from parindex.dossiers.tests.samples import write_export
from parindex.testing import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_new_dossier_pages_pass_axe(browser, live_server, world, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    dossier_import_file(path=write_export(tmp_path), actor=None)
    late = Dossier.objects.get(code="TP-001")
    context = browser.new_context(locale="vi-VN")
    context.set_default_timeout(20_000)
    console = watch_csp(context)
    page = context.new_page()
    base = live_server.url
    page.goto(f"{base}/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill(world.admin.username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()

    problems: list[str] = []
    page.goto(f"{base}/ho-so/nhap/")
    page.get_by_role("link", name="Xem, sửa bảng chuyển trạng thái").click()
    page.get_by_label("Hệ thống nguồn").select_option("igate")
    page.get_by_label("Giá trị trạng thái trong tệp xuất").fill("Chờ ký số")
    page.get_by_label("Mã trạng thái quốc gia").select_option("4")
    page.get_by_role("button", name="Thêm").click()
    expect(page.locator("table.status-mappings")).to_contain_text("Chờ ký số")
    expect(page.get_by_label("Hệ thống nguồn")).to_have_value("igate")  # kept for the next
    page.get_by_label("Giá trị trạng thái trong tệp xuất").fill("cho ky so")
    page.get_by_label("Mã trạng thái quốc gia").select_option("9")
    page.get_by_role("button", name="Thêm").click()
    expect(page.get_by_role("alert")).to_contain_text("đã có giá trị “Chờ ký số”")
    problems += [f"mappings: {p}" for p in axe(page)]
    mapping = StatusMapping.objects.get()
    for name, path in (
        ("mapping edit", f"/ho-so/bang-trang-thai/{mapping.pk}/sua/"),
        ("metrics range", "/ho-so/?from=01/03/2025&to=31/03/2025&by=month"),
        ("metrics bad range", "/ho-so/?from=31/03/2025&to=01/03/2025"),
        ("list by apology", "/ho-so/danh-sach/?period=2025&c=late_all&apology=valid"),
        ("detail", f"/ho-so/{late.pk}/"),
    ):
        page.goto(base + path)
        problems += [f"{name}: {p}" for p in axe(page)]
    expect(page.locator("table.dossier-why")).to_contain_text("quá hạn")
    assert not problems, "\n".join(problems)
    assert not console, console
