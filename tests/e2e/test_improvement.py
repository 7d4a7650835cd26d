"""Issue 12 parts 5–6 in a real browser: the Sở Nội vụ admin assigns a criterion in the
matrix, starts the year's plan, is refused a target above the maximum, adds a task and
approves the plan, exports the Word plan; Sở Tư pháp's staff finds the task under "Tiêu chí
của tôi" and reports progress. axe-core and the CSP listener check every page on the way."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from tests.e2e.a11y import axe, csp_violations, watch_csp

from parindex.improvement.models import PlanTask, WorkStatus
from parindex.testing import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def sign_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("button", name="Đăng xuất")).to_be_visible()


def test_matrix_plan_task_and_progress(browser, live_server, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    context = browser.new_context(locale="vi-VN", accept_downloads=True)
    console = watch_csp(context)
    page = context.new_page()
    page.set_default_timeout(20_000)
    base = live_server.url
    problems: list[str] = []

    def check(where: str) -> None:
        problems.extend(f"{where}: {line}" for line in axe(page) + csp_violations(page))

    sign_in(page, base, world.admin.username)
    page.get_by_role("link", name="Cải thiện chỉ số").click()
    page.get_by_role("link", name="Ma trận phân công").click()
    page.locator("#m-criterion").select_option("1.1")
    page.get_by_label("Đơn vị chủ trì", exact=True).select_option(label="Sở Tư pháp")
    page.get_by_label("Tài liệu kiểm chứng đơn vị chủ trì chuẩn bị").fill("Kế hoạch CCHC năm")
    page.get_by_role("button", name="Lưu phân công").click()
    expect(page.locator("#ma-tran")).to_contain_text("Sở Tư pháp")
    check("ma trận")

    page.get_by_role("link", name="Kế hoạch cải thiện").click()
    page.get_by_role("button", name="Lập dự thảo").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Kế hoạch cải thiện")
    check("kế hoạch")
    page.locator("#t-criterion").select_option("1.1")
    page.locator("#t-points").fill("3")
    page.get_by_role("button", name="Lưu mục tiêu").click()
    expect(page.locator(".messages")).to_contain_text("vượt điểm tối đa 2")
    page.locator("#n-title").fill("Ban hành kế hoạch CCHC đúng hạn")
    page.locator("#n-criterion").select_option("1.1")
    page.locator("#n-lead").select_option(label="Sở Tư pháp")
    page.locator("#n-deadline").fill("2030-10-31")
    page.get_by_role("button", name="Thêm nhiệm vụ").click()
    expect(page.locator("#nhiem-vu")).to_contain_text("Ban hành kế hoạch CCHC đúng hạn")
    page.get_by_role("button", name="Phê duyệt kế hoạch").click()
    expect(page.locator(".badge").first).to_have_text("Đã phê duyệt")
    with page.expect_download() as download:
        page.get_by_role("link", name="Xuất Word “Kế hoạch”").click()
    assert download.value.suggested_filename.endswith(".docx")
    page.get_by_role("link", name="Theo dõi tiến độ").click()
    expect(page.locator("#theo-don-vi")).to_contain_text("Sở Tư pháp")
    check("tiến độ")
    page.get_by_role("button", name="Đăng xuất").click()

    sign_in(page, base, world.staff.username)
    page.get_by_role("link", name="Cải thiện chỉ số").click()
    expect(page.locator("#tieu-chi-cua-toi")).to_contain_text("Chủ trì")
    check("tiêu chí của tôi")
    page.get_by_role("link", name="Ban hành kế hoạch CCHC đúng hạn").click()
    page.locator("#p-status").select_option("doing")
    page.get_by_label("Tiến độ (%)").fill("50")
    page.get_by_label("Kết quả thực hiện").fill("Đã trình dự thảo")
    page.get_by_role("button", name="Lưu tiến độ").click()
    expect(page.locator(".messages")).to_contain_text("Đã cập nhật tiến độ nhiệm vụ.")
    expect(page.get_by_text("Đã trình dự thảo")).to_be_visible()
    check("nhiệm vụ")
    task = PlanTask.objects.get()
    assert (task.status, task.progress) == (WorkStatus.DOING, 50)
    assert not problems, "\n".join(problems)
    assert not console, "\n".join(console)
