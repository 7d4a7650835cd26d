"""Keyboard only and JavaScript off (issue 13 parts 2, 5 and 8).

With the keyboard alone (Tab, Enter, Space, arrows, typing) the unit's staff scores leaves
and adds evidence, the appraiser saves round-1 points, the admin exports and downloads;
the status region announces every save and focus stays on the control that was used.
With JavaScript turned off the staff saves a leaf, marks one not applicable, writes an
explanation, adds evidence on its own page and removes it again."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect
from tests.e2e.a11y import focused_id, htmx_idle, tab_to, watch_csp

from parindex.assessments.services import appraisal_start, assessment_submit
from parindex.evidence.tests.samples import pdf_bytes
from parindex.reports.models import ExportJob
from parindex.reports.tasks import run_export
from parindex.results.services import results_recompute
from parindex.testing import PASSWORD, fill, leaf_score, workflow_world

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
TIMEOUT_MS = 15_000


@pytest.fixture
def w(db: Any, settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path / "media"
    return workflow_world()


def keyboard_sign_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/dang-nhap/")
    tab_to(page, "input[name=username]")
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Đăng xuất")).to_be_visible()


def status(page: Page) -> Any:
    return page.locator("#status[role=status]")


def context_for(browser: Any, **kw: Any) -> Any:
    context = browser.new_context(locale="vi-VN", **kw)
    context.set_default_timeout(TIMEOUT_MS)
    return context


def test_keyboard_only_self_assessment_evidence_appraisal_and_export(
    browser, live_server, w, tmp_path
) -> None:
    base = live_server.url
    context = context_for(browser)
    csp = watch_csp(context)
    s = context.new_page()
    keyboard_sign_in(s, base, "canbo")
    s.goto(f"{base}/phieu/{w.a.pk}/")
    # The skip link first, then the first input within a few presses.
    s.keyboard.press("Tab")
    assert s.evaluate("document.activeElement.textContent") == "Bỏ qua đến nội dung chính"
    s.keyboard.press("Enter")
    presses = tab_to(s, ".leaf-form select, .leaf-form input:not([type=hidden])", limit=40)
    assert presses <= 15, presses

    # 1.1 (a list of tiers): an arrow key picks a tier, the autosave keeps focus there.
    l11 = leaf_score(w.a, "1.1").pk
    tab_to(s, f"#v-{l11}")
    s.keyboard.press("ArrowDown")
    expect(status(s)).to_have_text("Đã lưu 1.1")
    assert focused_id(s) == f"v-{l11}"

    # 1.2.1: type the rate, Tab to the explanation, type, Tab to "Lưu 1.2.1", Enter.
    l121 = leaf_score(w.a, "1.2.1").pk
    tab_to(s, f"#v-{l121}")
    s.keyboard.type("75")
    tab_to(s, f"#ex-{l121}")
    s.keyboard.type("Đã nộp 9/12 báo cáo.")
    s.keyboard.press("Tab")
    assert focused_id(s) == f"save-{l121}"
    htmx_idle(s)
    s.keyboard.press("Enter")
    expect(status(s)).to_have_text("Đã lưu 1.2.1")
    expect(s.locator(f"#leaf-{l121} output.leaf-points")).to_have_text("→ 2,5 điểm")
    expect(s.locator(f"#ex-{l121}")).to_have_value("Đã nộp 9/12 báo cáo.")
    assert focused_id(s) == f"save-{l121}", "focus stays on the button after the swap"

    # Evidence for 1.1: the link opens the forms, the file input opens the chooser.
    tab_to(s, f"#leaf-{l11} .add-evidence a")
    s.keyboard.press("Enter")
    expect(s.locator(f"#ev-file-{l11}")).to_be_visible()
    htmx_idle(s)  # the forms' swap has settled (and app.js placed focus) before we Tab on
    tab_to(s, f"#ev-file-{l11}")
    htmx_idle(s)
    assert focused_id(s) == f"ev-file-{l11}", "focus stays on the file input"
    pdf = tmp_path / "ke-hoach.pdf"
    pdf.write_bytes(pdf_bytes())
    with s.expect_file_chooser() as chooser:
        s.keyboard.press("Space")
    chooser.value.set_files(str(pdf))
    s.keyboard.press("Tab")
    s.keyboard.type("Kế hoạch CCHC năm 2025")
    tab_to(s, f"#leaf-{l11} form[aria-labelledby='ev-up-{l11}'] button[type=submit]")
    htmx_idle(s)
    s.keyboard.press("Enter")
    expect(status(s)).to_have_text("Đã thêm tài liệu kiểm chứng 1.1")
    expect(s.locator(f"#leaf-{l11} .doc-list")).to_contain_text("Kế hoạch CCHC năm 2025")
    # app.js puts focus back once htmx has settled the swap, a moment after the list shows
    # the document on a loaded machine: wait for it (fails after 5 s if focus is lost).
    expect(s.locator(f"#leaf-{l11} :focus")).to_have_count(1, timeout=5000)
    context.close()

    # The rest of the form, the head's submission and the start of round 1 (not the
    # subject here), then the appraiser, by keyboard.
    fill(w)
    appraisal_start(assessment=assessment_submit(assessment=w.a, actor=w.head), actor=w.appraiser)
    context = context_for(browser)
    csp += watch_csp(context)
    ap = context.new_page()
    keyboard_sign_in(ap, base, "thamdinh")
    ap.goto(f"{base}/tham-dinh/phieu/{w.a.pk}/")
    tab_to(ap, f"#ap-p-{l11}")
    ap.keyboard.press("Control+A")
    ap.keyboard.type("1")
    ap.keyboard.press("Tab")
    ap.keyboard.type("Kế hoạch ban hành muộn")
    ap.keyboard.press("Tab")
    assert focused_id(ap) == f"ap-save-{l11}"
    htmx_idle(ap)
    ap.keyboard.press("Enter")
    expect(status(ap)).to_have_text("Đã lưu điểm 1.1")
    expect(ap.locator(f"#ap-{l11}")).to_contain_text("Lý do vòng 1: Kế hoạch ban hành muộn")
    assert focused_id(ap) == f"ap-save-{l11}"
    context.close()

    # The admin exports the CSV and downloads it, by keyboard.
    results_recompute(cycle=w.cycle, actor=None)
    context = context_for(browser, accept_downloads=True)
    csp += watch_csp(context)
    p = context.new_page()
    keyboard_sign_in(p, base, "quantri")
    p.goto(f"{base}/ky-danh-gia/{w.cycle.pk}/xuat-bao-cao/")
    tab_to(p, "button[name=kind][value=csv]")
    p.keyboard.press("Enter")
    expect(status(p)).to_have_text("Đã đưa yêu cầu xuất CSV vào hàng đợi.")
    job = ExportJob.objects.get(cycle=w.cycle, kind="csv")
    run_export.call(job.pk)  # the worker's part
    expect(status(p)).to_have_text("Tệp CSV đã sẵn sàng")
    tab_to(p, "#export-jobs a[href*='tai-ve']")
    with p.expect_download() as download:
        p.keyboard.press("Enter")
    assert "Sở Tư pháp" in download.value.path().read_text(encoding="utf-8-sig")
    context.close()
    assert csp == []


def test_the_self_assessment_works_with_javascript_turned_off(browser, live_server, w) -> None:
    base = live_server.url
    context = context_for(browser, java_script_enabled=False)
    s = context.new_page()
    s.goto(f"{base}/dang-nhap/")
    s.get_by_label("Tên đăng nhập").fill("canbo")
    s.get_by_label("Mật khẩu").fill(PASSWORD)
    s.get_by_role("button", name="Đăng nhập").click()
    s.goto(f"{base}/phieu/{w.a.pk}/")
    l121 = leaf_score(w.a, "1.2.1").pk
    leaf = s.locator(f"#leaf-{l121}")

    # A refused value: the page comes back with the error at the leaf and the value kept.
    leaf.get_by_label("Tỷ lệ đạt được").fill("75,5,5")
    leaf.get_by_role("button", name="Lưu 1.2.1").click()
    expect(leaf.locator(".leaf-error")).to_be_visible()
    expect(leaf.get_by_label("Tỷ lệ đạt được")).to_have_value("75,5,5")

    # A value and an explanation saved: back at the leaf, with the message.
    leaf.get_by_label("Tỷ lệ đạt được").fill("75")
    leaf.get_by_label("Giải trình 1.2.1").fill("Đã nộp 9/12 báo cáo.")
    leaf.get_by_role("button", name="Lưu 1.2.1").click()
    expect(s.get_by_text("Đã lưu 1.2.1")).to_be_visible()
    assert s.url.endswith(f"#leaf-{l121}")
    expect(leaf.locator("output.leaf-points")).to_have_text("→ 2,5 điểm")
    expect(leaf.get_by_label("Giải trình 1.2.1")).to_have_value("Đã nộp 9/12 báo cáo.")

    # Not applicable.
    l122 = leaf_score(w.a, "1.2.2").pk
    other = s.locator(f"#leaf-{l122}")
    other.get_by_label("Không áp dụng 1.2.2").check()
    other.get_by_role("button", name="Lưu 1.2.2").click()
    expect(s.get_by_text("Đã lưu 1.2.2")).to_be_visible()
    expect(s.locator(f"#leaf-{l122}.is-na")).to_have_count(1)

    # Evidence: "+ Thêm tài liệu kiểm chứng" is a page of its own that comes back.
    l11 = leaf_score(w.a, "1.1").pk
    s.locator(f"#leaf-{l11}").get_by_role("link", name="+ Thêm tài liệu kiểm chứng").click()
    expect(
        s.get_by_role("heading", name="Thêm tài liệu kiểm chứng: 1.1 Kế hoạch CCHC")
    ).to_be_visible()
    s.get_by_label("Số/ký hiệu").fill("12/KH-UBND")
    s.get_by_label("Ngày ban hành").fill("2025-01-10")
    s.get_by_label("Cơ quan ban hành").fill("UBND tỉnh")
    s.get_by_role("button", name="Thêm văn bản").click()
    expect(s.get_by_text("Đã thêm tài liệu kiểm chứng 1.1")).to_be_visible()
    assert s.url.endswith(f"#leaf-{l11}")
    docs = s.locator(f"#leaf-{l11} .doc-list")
    expect(docs).to_contain_text("12/KH-UBND")

    # …and removed again.
    s.locator(f"#leaf-{l11}").get_by_role("button", name="Bỏ 12/KH-UBND khỏi tiêu chí 1.1").click()
    expect(s.get_by_text("Đã bỏ tài liệu kiểm chứng 1.1")).to_be_visible()
    expect(s.locator(f"#leaf-{l11} .doc-list")).to_have_count(0)
    context.close()
