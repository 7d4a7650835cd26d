"""A whole annual cycle in a real browser, one browser context per person (seed 004):

the Sở Nội vụ admin opens the cycle on its page and sets the appraisal team; a unit staff
member scores three leaves (a PDF uploaded through the file input, an explanation) and
watches the points and totals update live; the unit head submits; the appraiser starts
round 1, lowers one leaf with a reason and returns the assessment; the unit explains and
the head resubmits; the appraiser runs round 2; the council approves. At each step the test
checks what each person sees, including the other unit's staff getting 404.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from parindex.assessments.models import Assessment, LeafScore
from parindex.audit.models import AuditEvent
from parindex.evidence.tests.samples import pdf_bytes
from parindex.frameworks.services import framework_import
from parindex.testing import PASSWORD, make_group, make_unit, make_user, tiny_framework

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TIMEOUT_MS = 15_000


def local(dt: Any) -> str:
    """A datetime as a datetime-local input value."""
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


class Person:
    """One user in their own browser context (own cookies, own session)."""

    def __init__(self, browser: Any, base: str, username: str) -> None:
        self.context = browser.new_context(locale="vi-VN")
        self.context.set_default_timeout(TIMEOUT_MS)
        self.page: Page = self.context.new_page()
        # Submit and approve ask for confirmation with window.confirm: accept like a user.
        self.page.on("dialog", lambda d: d.accept())
        # Every form post (autosave, upload, buttons) must succeed: a 4xx here would be a
        # stale autosave or a refused action the person did not ask for.
        self.failed_posts: list[tuple[int, str]] = []
        self.page.on(
            "response",
            lambda r: (
                self.failed_posts.append((r.status, r.url))
                if r.request.method == "POST" and r.status >= 400
                else None
            ),
        )
        self.base = base
        self.page.goto(f"{base}/dang-nhap/")
        self.page.get_by_label("Tên đăng nhập").fill(username)
        self.page.get_by_label("Mật khẩu").fill(PASSWORD)
        self.page.get_by_role("button", name="Đăng nhập").click()
        expect(
            self.page.get_by_role("link", name="Đăng xuất")
            .or_(self.page.get_by_role("button", name="Đăng xuất"))
            .first
        ).to_be_visible()

    def go(self, path: str) -> Any:
        return self.page.goto(f"{self.base}{path}")

    def close(self) -> None:
        self.context.close()


def fill_cycle_form(p: Page, name: str, deadline: Any, units: tuple[str, ...]) -> None:
    """The admin's "Mở kỳ đánh giá" form: year, name, self-assessment deadline, the test
    framework for the "Sở, ban, ngành" group and its ``units``; then submit."""
    p.get_by_label("Năm đánh giá").fill("2025")
    p.get_by_label("Tên kỳ đánh giá").fill(name)
    p.get_by_label("Tự đánh giá").fill(local(deadline))
    box = p.locator("fieldset").filter(has_text="Sở, ban, ngành")
    option = box.locator("option", has_text="thu-nghiem-2025")
    box.get_by_label("Bộ tiêu chí").select_option(option.get_attribute("value"))
    for unit in units:
        box.get_by_label(unit).check()
    p.get_by_role("button", name="Mở kỳ đánh giá và gửi thông báo").click()


def return_leaves(ap: Page, deadline: Any, requests: dict[str, str]) -> None:
    """The appraiser opens "Trả lại đơn vị để giải trình…", sets the deadline, ticks each
    leaf of ``requests`` (code → message) and fills its message; ``{}`` ticks none. The
    caller clicks "Trả lại"."""
    ap.get_by_text("Trả lại đơn vị để giải trình…").click()
    ap.get_by_label("Hạn giải trình").fill(local(deadline))
    for code, message in requests.items():
        ap.locator(f"#return-leaf-{code.replace('.', '-')}").check()
        ap.get_by_label(f"Nội dung yêu cầu {code}", exact=True).fill(message)


def answer_requests(s: Page, answers: dict[str, str]) -> None:
    """The unit answers each leaf's explanation request (code → answer)."""
    for code, answer in answers.items():
        box = leaf(s, code).locator(".explain-request")
        box.get_by_label(f"Trả lời yêu cầu của tổ thẩm định ({code})").fill(answer)
        box.get_by_role("button", name="Gửi trả lời").click()
        expect(s.get_by_text("Đã lưu nội dung giải trình.")).to_be_visible()


def leaf(page: Page, code: str) -> Any:
    """The self-assessment article of a leaf, found by its code in the header."""
    return page.locator("section.leaf").filter(
        has=page.locator(".tree-code", has_text=re.compile(rf"^{re.escape(code)}$"))
    )


def status_badge(page: Page) -> Any:
    return page.locator(".summary .badge").first


def named(username: str, role: str, full_name: str, unit: Any = None) -> Any:
    user = make_user(username, role, unit=unit)
    user.full_name = full_name
    user.save(update_fields=["full_name"])
    return user


@pytest.fixture
def people(db: Any, settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path / "media"
    fw = framework_import(framework=tiny_framework(), actor=None)
    group = make_group()
    tuphap = make_unit("so-tu-phap", "Sở Tư pháp", group=group)
    yte = make_unit("so-y-te", "Sở Y tế", group=group)
    return {
        "fw": fw,
        "tuphap": tuphap,
        "yte": yte,
        "admin": named("quantri", "admin", "Quản trị Sở Nội vụ"),
        "staff": named("canbo", "unit_staff", "Cán bộ Tư pháp", tuphap),
        "head": named("thutruong", "unit_head", "Thủ trưởng", tuphap),
        "outsider": named("canbo.yte", "unit_staff", "Cán bộ Y tế", yte),
        "appraiser": named("thamdinh", "appraiser", "Tổ thẩm định A"),
        "council": named("hoidong", "council", "Hội đồng"),
    }


def test_a_whole_cycle_in_the_browser(browser, live_server, people, tmp_path):
    base = live_server.url
    now = timezone.now()

    # ---- the admin opens the cycle through the page -----------------------------------
    admin = Person(browser, base, "quantri")
    p = admin.page
    admin.go("/ky-danh-gia/mo/")
    expect(p.get_by_role("heading", name="Mở kỳ đánh giá mới")).to_be_visible()
    fill_cycle_form(p, "Chỉ số CCHC năm 2025", now + timedelta(days=10), ("Sở Tư pháp", "Sở Y tế"))
    expect(
        p.get_by_text("Đã mở kỳ đánh giá “Chỉ số CCHC năm 2025” và gửi thông báo.")
    ).to_be_visible()
    expect(p.get_by_role("heading", name="Chỉ số CCHC năm 2025")).to_be_visible()
    expect(p.locator("table").get_by_role("link", name="Đang tự chấm")).to_have_count(2)

    a = Assessment.objects.get(unit=people["tuphap"])
    other = Assessment.objects.get(unit=people["yte"])
    url = f"/phieu/{a.pk}/"

    # The appraisal team: the appraiser handles Sở Tư pháp, every criterion.
    p.get_by_role("link", name="Phân công thẩm định").click()
    p.get_by_label("Thành viên").select_option(label="Tổ thẩm định A")
    p.locator("#assign-units").get_by_label("Sở Tư pháp").check()
    p.get_by_role("button", name="Lưu phân công").click()
    expect(p.get_by_text("Đã phân công thẩm định cho Tổ thẩm định A.")).to_be_visible()
    expect(p.locator("table tbody tr").filter(has_text="Tổ thẩm định A")).to_contain_text(
        "Sở Tư pháp"
    )

    # ---- the unit staff scores -----------------------------------------------------------
    staff = Person(browser, base, "canbo")
    s = staff.page
    staff.go("/phieu-cua-don-vi/")
    expect(s.get_by_role("heading", name="Phiếu tự chấm: Sở Tư pháp")).to_be_visible()
    expect(status_badge(s)).to_have_text("Đang tự chấm")
    expect(s.locator("#missing")).to_contain_text("Còn 3 tiêu chí cần hoàn thiện")
    expect(s.locator("#tot-all")).to_contain_text("/ 10")

    # 1.1: a tier, with a PDF uploaded through the file input.
    l11 = leaf(s, "1.1")
    l11.get_by_label("Mức đạt được").select_option(label="Kịp thời (2 điểm)")
    expect(leaf(s, "1.1").locator("output.leaf-points")).to_have_text("→ 2 điểm")
    expect(s.locator("#tot-1")).to_contain_text("2 / 6")
    expect(s.locator("#tot-all")).to_contain_text("2 / 10")
    pdf = tmp_path / "ke-hoach-cchc-2025.pdf"
    pdf.write_bytes(pdf_bytes("Ke hoach CCHC 2025"))
    leaf(s, "1.1").get_by_text("+ Thêm tài liệu kiểm chứng").click()
    upload = leaf(s, "1.1").locator("form").filter(has_text="Tải tệp lên")
    upload.locator("input[type=file]").set_input_files(str(pdf))
    upload.get_by_label("Tên tài liệu").fill("Kế hoạch CCHC năm 2025")
    upload.get_by_role("button", name="Tải lên").click()
    expect(leaf(s, "1.1").locator(".doc-list")).to_contain_text("Kế hoạch CCHC năm 2025")
    expect(leaf(s, "1.1")).to_contain_text("Tài liệu kiểm chứng (1)")
    pdf_href = (
        leaf(s, "1.1").get_by_role("link", name="Kế hoạch CCHC năm 2025").get_attribute("href")
    )
    got = staff.context.request.get(f"{base}{pdf_href}")
    assert got.status == 200 and got.body() == pdf.read_bytes()
    # Saving 1.1 again gets the light answer: the page keeps the leaf's evidence
    # (hx-preserve) while the points, totals and status follow the save.
    leaf(s, "1.1").get_by_label("Mức đạt được").select_option(label="1 (0,5 điểm)")
    expect(s.locator("#tot-1")).to_contain_text("0,5 / 6")
    expect(s.locator("#status")).to_have_text("Đã lưu 1.1")
    expect(leaf(s, "1.1").locator(".doc-list")).to_contain_text("Kế hoạch CCHC năm 2025")
    leaf(s, "1.1").get_by_label("Mức đạt được").select_option(label="Kịp thời (2 điểm)")
    expect(s.locator("#tot-1")).to_contain_text("2 / 6")
    expect(leaf(s, "1.1").locator("output.leaf-points")).to_have_text("→ 2 điểm")
    expect(leaf(s, "1.1")).to_contain_text("Tài liệu kiểm chứng (1)")

    # 1.2.1: a percentage and an explanation instead of evidence.
    l121 = leaf(s, "1.2.1")
    l121.get_by_label("Tỷ lệ đạt được").fill("75")
    l121.get_by_label("Giải trình").fill("Đã nộp 9/12 báo cáo; bản lưu tại văn thư.")
    l121.get_by_role("button", name="Lưu").click()
    expect(leaf(s, "1.2.1").locator("output.leaf-points")).to_have_text("→ 2,5 điểm")
    expect(leaf(s, "1.2.1").get_by_label("Giải trình")).to_have_value(
        "Đã nộp 9/12 báo cáo; bản lưu tại văn thư."
    )
    expect(s.locator("#tot-1-2")).to_contain_text("2,5 / 4")
    expect(s.locator("#tot-all")).to_contain_text("4,5 / 10")

    # 1.2.2: points entered by hand, with an explanation.
    l122 = leaf(s, "1.2.2")
    l122.get_by_label("Điểm tự chấm").fill("1")
    l122.get_by_label("Giải trình").fill("Báo cáo đúng hạn cả 4 quý.")
    l122.get_by_role("button", name="Lưu").click()
    expect(leaf(s, "1.2.2").locator("output.leaf-points")).to_have_text("→ 1 điểm")
    expect(s.locator("#tot-1")).to_contain_text("5,5 / 6")
    expect(s.locator("#tot-all")).to_contain_text("5,5 / 10")
    expect(s.get_by_text("Tất cả tiêu chí đã có điểm")).to_be_visible()
    # The survey leaf is read-only for the unit, with its source.
    expect(leaf(s, "2.1")).to_contain_text("Điểm do Sở Nội vụ nhập từ nguồn bên ngoài")
    expect(leaf(s, "2.1").locator("form.leaf-form")).to_have_count(0)
    # Staff cannot submit: only the head can.
    expect(s.get_by_role("button", name="Gửi phiếu tự chấm")).to_have_count(0)

    # ---- the outsider: 404 on another unit's assessment, their own is theirs ----------
    outsider = Person(browser, base, "canbo.yte")
    assert outsider.go(url).status == 404
    assert (
        outsider.go(
            f"/phieu/{a.pk}/tieu-chi/{LeafScore.objects.filter(assessment=a).first().pk}/"
        ).status
        == 404
    )
    assert outsider.go(f"/phieu/{other.pk}/").status == 200
    assert outsider.context.request.get(f"{base}{pdf_href}").status == 404  # not their file

    # ---- the head submits ---------------------------------------------------------------
    head = Person(browser, base, "thutruong")
    h = head.page
    head.go(url)
    expect(h.locator("#tot-all")).to_contain_text("5,5 / 10")
    h.get_by_role("button", name="Gửi phiếu tự chấm").click()
    expect(h.get_by_text("Đã gửi phiếu tự chấm tới Sở Nội vụ.")).to_be_visible()
    expect(status_badge(h)).to_have_text("Đã gửi")
    expect(h.get_by_role("button", name="Rút phiếu về")).to_be_visible()

    # The staff now sees a locked, read-only assessment.
    staff.go(url)
    expect(status_badge(s)).to_have_text("Đã gửi")
    expect(s.locator(".lock-card")).to_contain_text("Phiếu đã gửi Sở Nội vụ nên đã khoá")
    expect(s.locator("section.leaf form.leaf-form")).to_have_count(0)
    expect(leaf(s, "1.2.1")).to_contain_text("Giá trị: 75 → 2,5 điểm")

    # ---- the appraiser: round 1, lower one leaf, return for explanation -----------------
    appraiser = Person(browser, base, "thamdinh")
    ap = appraiser.page
    appraiser.go(f"/tham-dinh/{a.cycle_id}/")
    expect(ap.locator("table tbody tr")).to_have_count(1)  # Sở Y tế is not assigned
    ap.get_by_role("link", name="Sở Tư pháp").click()
    expect(ap.get_by_role("heading", name="Thẩm định: Sở Tư pháp")).to_be_visible()
    ap.get_by_role("button", name="Bắt đầu thẩm định vòng 1").click()
    expect(ap.get_by_text("Đã bắt đầu thẩm định vòng 1.")).to_be_visible()
    expect(status_badge(ap)).to_have_text("Thẩm định vòng 1")
    assert appraiser.go(f"/tham-dinh/phieu/{other.pk}/").status == 404
    appraiser.go(f"/tham-dinh/phieu/{a.pk}/")
    art = ap.locator("section.appraise").filter(has_text="Đủ số lượng")
    expect(art).to_contain_text("Giải trình của đơn vị: Đã nộp 9/12 báo cáo")
    art.get_by_label("Điểm vòng 1").fill("1,5")
    art.get_by_label("Lý do").fill("Thiếu báo cáo quý IV")
    art.get_by_role("button", name="Lưu điểm").click()
    art = ap.locator("section.appraise").filter(has_text="Đủ số lượng")
    expect(art).to_contain_text("Lý do vòng 1: Thiếu báo cáo quý IV")
    expect(art.locator(".cols > div").nth(1)).to_contain_text("1,5")
    # The PDF is among the evidence the appraiser sees, and they may open it.
    assert appraiser.context.request.get(f"{base}{pdf_href}").status == 200
    expect(ap.locator("section.appraise").filter(has_text="Kế hoạch CCHC")).to_contain_text(
        "Kế hoạch CCHC năm 2025"
    )
    # Issue 8: the leaves to explain are ticked, each with its message.
    return_leaves(ap, now + timedelta(days=5), {"1.2.1": "Bổ sung báo cáo quý IV."})
    ap.get_by_label("Ghi chú chung").fill("Bổ sung báo cáo quý IV (tiêu chí 1.2.1).")
    ap.get_by_role("button", name="Trả lại", exact=True).click()
    expect(ap.get_by_text("Đã trả phiếu cho đơn vị để giải trình.")).to_be_visible()
    expect(status_badge(ap)).to_have_text("Trả lại để giải trình")

    # ---- the unit sees the reason and explains; the head resubmits ----------------------
    staff.go(url)
    expect(status_badge(s)).to_have_text("Trả lại để giải trình")
    expect(s.locator(".return-msg")).to_contain_text("Bổ sung báo cáo quý IV (tiêu chí 1.2.1).")
    expect(leaf(s, "1.2.1").locator(".appraised")).to_contain_text(
        "Vòng 1: 1,5 — Thiếu báo cáo quý IV"
    )
    expect(leaf(s, "1.2.1").locator(".explain-request")).to_contain_text("Bổ sung báo cáo quý IV.")
    expect(s.locator(".explain-request")).to_have_count(1)
    # Points are locked; the explanation is open.
    expect(leaf(s, "1.2.1").get_by_label("Tỷ lệ đạt được")).to_have_count(0)
    ex = leaf(s, "1.2.1").get_by_label("Giải trình")
    ex.fill("Báo cáo quý IV đã nộp ngày 28/12 (công văn số 45/STP-VP).")
    leaf(s, "1.2.1").get_by_role("button", name="Lưu").click()
    expect(leaf(s, "1.2.1").locator(".saved")).to_contain_text("Cán bộ Tư pháp")
    expect(leaf(s, "1.2.1").get_by_label("Giải trình")).to_have_value(
        "Báo cáo quý IV đã nộp ngày 28/12 (công văn số 45/STP-VP)."
    )
    expect(s.get_by_role("button", name="Gửi giải trình")).to_have_count(0)  # head only
    head.go(url)
    h.get_by_role("button", name="Gửi giải trình").click()
    expect(h.get_by_text("Đã gửi giải trình tới tổ thẩm định.")).to_be_visible()
    expect(status_badge(h)).to_have_text("Đã giải trình")

    # ---- round 2 ------------------------------------------------------------------------
    appraiser.go(f"/tham-dinh/phieu/{a.pk}/")
    art = ap.locator("section.appraise").filter(has_text="Đủ số lượng")
    expect(art).to_contain_text("công văn số 45/STP-VP")
    ap.get_by_role("button", name="Bắt đầu thẩm định vòng 2").click()
    expect(ap.get_by_text("Đã bắt đầu thẩm định vòng 2.")).to_be_visible()
    expect(status_badge(ap)).to_have_text("Thẩm định vòng 2")
    art = ap.locator("section.appraise").filter(has_text="Đủ số lượng")
    art.get_by_label("Điểm vòng 2").fill("2,5")
    art.get_by_label("Lý do").fill("")
    art.get_by_role("button", name="Lưu điểm").click()
    art = ap.locator("section.appraise").filter(has_text="Đủ số lượng")
    expect(art.locator(".cols > div").nth(2)).to_contain_text("2,5")

    # ---- the survey points, then the council approves by its decision ------------------
    admin.go(f"/ky-danh-gia/{a.cycle_id}/diem-ngoai/")
    p.get_by_label("Đơn vị").select_option(label="Sở Tư pháp")
    p.get_by_label("Tiêu chí").select_option("2.1")
    p.get_by_label("Điểm", exact=True).fill("3")
    p.get_by_role("button", name="Lưu điểm").click()
    expect(p.get_by_text("Đã nhập điểm tiêu chí 2.1: 3 điểm.")).to_be_visible()
    council = Person(browser, base, "hoidong")
    c = council.page
    council.go(f"/hoi-dong/{a.cycle_id}/")
    card = c.locator(f"#unit-{a.pk}")
    expect(card).to_contain_text("Thẩm định vòng 2")
    c.locator("#approve-so-tu-phap").check()
    c.get_by_label("Ngày biên bản/quyết định").fill(timezone.localdate().isoformat())
    c.get_by_label("Số biên bản/quyết định").fill("12/BB-HĐTĐ")
    c.get_by_label("Thành viên dự họp").fill("Ông A, Bà B, Ông C")
    c.get_by_role("button", name="Phê duyệt các đơn vị đã chọn").click()
    expect(c.get_by_text("Đã ghi nhận Quyết định số 12/BB-HĐTĐ")).to_be_visible()
    expect(c.locator(f"#unit-{a.pk}")).to_contain_text("Đã phê duyệt")

    # Everyone now sees an approved, locked assessment with all rounds side by side.
    staff.go(url)
    expect(status_badge(s)).to_have_text("Đã phê duyệt")
    expect(s.locator(".lock-card")).to_contain_text("phê duyệt và khoá")
    expect(s.locator("section.leaf form.leaf-form")).to_have_count(0)
    expect(leaf(s, "1.2.1").locator(".appraised")).to_contain_text(
        "Vòng 1: 1,5 — Thiếu báo cáo quý IV. Vòng 2: 2,5"
    )
    expect(leaf(s, "1.2.1").locator(".appraised")).to_contain_text("Cuối cùng: 2,5")
    appraiser.go(f"/tham-dinh/phieu/{a.pk}/")
    expect(status_badge(ap)).to_have_text("Đã phê duyệt")
    expect(ap.locator("form.ap-form")).to_have_count(0)
    assert outsider.go(url).status == 404

    # The audit trail shows the walk.
    staff.go(f"/phieu/{a.pk}/nhat-ky/")
    expect(s.locator("main")).to_contain_text("Thiếu báo cáo quý IV")
    a.refresh_from_db()
    assert a.status == "approved"
    assert AuditEvent.objects.count() >= 10

    for person in (admin, staff, outsider, head, appraiser, council):
        assert person.failed_posts == [], person.failed_posts
        person.close()
