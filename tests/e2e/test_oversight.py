"""Inspections in a real browser (issue 12 part 7): the Sở Nội vụ admin plans the year's
inspections from the menu, sees the coverage warning go once 30 % is reached, records an
inspection with a finding; the unit's officer reports it unresolved — refused without a
reason, kept with one — and the report shows the reason. axe and the CSP on each page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from tests.e2e.a11y import axe, csp_violations
from tests.e2e.test_cycle import Person

from parindex.oversight.models import Finding

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _checked(page, problems: list[str]) -> None:
    problems += [f"{page.url}: {line}" for line in axe(page)]
    problems += [f"{page.url}: CSP {line}" for line in csp_violations(page)]


def test_the_admin_plans_and_records_and_the_unit_answers(browser, live_server, world):
    problems: list[str] = []
    admin = Person(browser, live_server.url, world.admin.username)
    page = admin.page
    page.get_by_role("link", name="Kiểm tra, sáng kiến").click()
    _checked(page, problems)
    page.get_by_role("link", name="Kế hoạch kiểm tra 2025").click()
    page.get_by_role("button", name="Lưu kế hoạch").click()
    expect(page.locator("#canh-bao-do-phu")).to_contain_text("còn thiếu 1 đơn vị")
    page.get_by_label("Đơn vị (của kỳ đánh giá)").select_option(label="Sở Tư pháp")
    page.get_by_label("Ngày kiểm tra dự kiến").fill("2025-10-15")
    page.get_by_label("Đoàn kiểm tra").fill("Đoàn kiểm tra số 1")
    page.get_by_role("button", name="Thêm vào kế hoạch").click()
    expect(page.locator("#du-do-phu")).to_contain_text("đã bao phủ đủ 30%")
    _checked(page, problems)

    page.get_by_role("link", name="Sở Tư pháp").click()
    page.get_by_label("Nội dung kiểm tra").fill("Kiểm tra việc thực hiện cơ chế một cửa")
    page.get_by_role("button", name="Ghi biên bản").click()
    page.get_by_label("Vấn đề phát hiện").fill("Chưa niêm yết đầy đủ TTHC")
    page.get_by_label("Kiến nghị xử lý").fill("Niêm yết đầy đủ, đúng quy định")
    page.get_by_role("button", name="Ghi kiến nghị").click()
    expect(page.locator("p", has_text="Chưa niêm yết đầy đủ TTHC")).to_be_visible()
    _checked(page, problems)
    # the admin corrects the finding from its edit form (closed on a fresh page; the axe
    # check above opens every <details>, so reload to see it as a user does)
    page.reload()
    page.locator("summary", has_text="Sửa kiến nghị").click()
    page.get_by_label("Vấn đề phát hiện kiến nghị 1").fill("Chưa niêm yết đầy đủ 3 TTHC")
    page.get_by_role("button", name="Lưu kiến nghị 1").click()
    expect(page.locator("p", has_text="Chưa niêm yết đầy đủ 3 TTHC")).to_be_visible()
    assert Finding.objects.get().issue == "Chưa niêm yết đầy đủ 3 TTHC"
    _checked(page, problems)
    entry_url = page.url

    staff = Person(browser, live_server.url, world.staff.username)
    spage = staff.page
    spage.goto(entry_url)
    spage.get_by_label("Kết quả xử lý kiến nghị 1").select_option(label="Chưa xử lý")
    spage.get_by_role("button", name="Cập nhật kiến nghị 1").click()
    expect(spage.locator(".messages")).to_contain_text("cần nêu lý do chưa xử lý")
    assert Finding.objects.get().status == "in_progress"
    spage.get_by_label("Kết quả xử lý kiến nghị 1").select_option(label="Chưa xử lý")
    spage.get_by_label("Lý do chưa xử lý (bắt buộc khi chưa xử lý) kiến nghị 1").fill(
        "Chờ in bảng niêm yết mới"
    )
    spage.get_by_role("button", name="Cập nhật kiến nghị 1").click()
    expect(spage.locator(".badge.warn")).to_have_text("Chưa xử lý")
    _checked(spage, problems)
    spage.get_by_role("link", name="Báo cáo xử lý kiến nghị").click()
    expect(spage.locator("#theo-don-vi")).to_contain_text("Chờ in bảng niêm yết mới")
    _checked(spage, problems)
    for path in ("giam-sat/sang-kien/", f"giam-sat/{world.cycle.pk}/chi-tieu/"):
        page.goto(f"{live_server.url}/{path}")
        _checked(page, problems)
    assert not problems, "\n".join(problems)
    assert not admin.failed_posts and not staff.failed_posts
