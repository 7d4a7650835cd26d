"""Issue 10's browser "done when": a respondent answers the public survey form on a
phone-sized screen, and another with JavaScript turned off; the admin reaches the survey
from the navigation and sees both responses waiting for review."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from test_cycle import Person  # tests/e2e is on sys.path (rootdir-less test dirs)

from parindex.surveys.models import FrameKind, Response, ResponseStatus
from parindex.surveys.services import frame_set, tokens_generate
from parindex.surveys.tests.helpers import make_survey

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 640}


def answer(page, url: str) -> None:
    page.goto(url)
    expect(page.get_by_text("Phần 1/3: Tiếp cận dịch vụ")).to_be_visible()
    # every control has a label: choose by the question (legend) and the answer's label
    page.get_by_role("group", name="1. Nơi đón tiếp thuận tiện").get_by_label(
        "Rất hài lòng"
    ).check()
    page.get_by_role("group", name="2. Có chỉ dẫn rõ ràng").get_by_label(
        "Hài lòng", exact=True
    ).check()
    page.get_by_role("button", name="Lưu và tiếp tục").click()
    expect(page.get_by_text("Phần 2/3")).to_be_visible()
    page.get_by_role("group", name="1. Công chức lịch sự").get_by_label("Bình thường").check()
    page.get_by_role("group", name="2. Công chức có gây phiền hà").get_by_label("Không").check()
    page.get_by_role("button", name="Lưu và tiếp tục").click()
    expect(page.get_by_text("Phần 3/3")).to_be_visible()
    page.get_by_label("Thái độ").check()
    page.get_by_role("button", name="Gửi phiếu").click()
    expect(page.get_by_role("heading", name="Cảm ơn ông/bà đã tham gia khảo sát!")).to_be_visible()
    # the page fits the phone: nothing wider than the screen
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]
    page.goto(url)
    expect(page.get_by_role("heading", name="Phiếu này đã được gửi")).to_be_visible()


def test_the_public_form_on_a_phone_with_and_without_javascript(browser, live_server, world):
    survey = make_survey(world)
    frame = frame_set(
        survey=survey,
        unit=world.tuphap,
        kind=FrameKind.COUNTER,
        name="Quầy 1",
        population=None,
        target=400,
        actor=world.admin,
    )
    first, second = tokens_generate(survey=survey, frame=frame, count=2, actor=world.admin)
    for token, js in ((first, True), (second, False)):
        context = browser.new_context(viewport=PHONE, java_script_enabled=js, locale="vi-VN")
        try:
            answer(context.new_page(), f"{live_server.url}/khao-sat/{token.token}/")
        finally:
            context.close()
    rows = Response.objects.filter(survey=survey)
    assert [r.status for r in rows] == [ResponseStatus.PENDING] * 2
    assert {r.answers["CC1"] for r in rows} == {"3"}
    admin = Person(browser, live_server.url, world.admin.username)
    try:
        page = admin.page
        page.get_by_role("link", name="Khảo sát", exact=True).click()
        page.get_by_role("link", name=survey.name).click()
        expect(page.locator("#tien-do")).to_contain_text("Sở Tư pháp")
        page.get_by_role("link", name="Duyệt phiếu").click()
        expect(page.locator("tbody").get_by_text("Chờ duyệt")).to_have_count(2)
        # tick both and approve them at once; the results page draws its charts
        for box in page.get_by_role("checkbox").all():
            box.check()
        page.get_by_role("button", name="Duyệt các phiếu đã chọn").click()
        expect(page.locator("tbody").get_by_text("Đã duyệt")).to_have_count(2)
        page.goto(f"{live_server.url}/khao-sat-ket-qua/{survey.pk}/")
        expect(page.get_by_text("Mẫu nhỏ: 2 người trả lời")).to_be_visible()
        expect(page.locator("[data-chart=chart-overall] canvas")).to_have_count(1)
        expect(page.locator("[data-chart=chart-heat] canvas")).to_have_count(1)
        expect(
            page.locator(f"[data-chart=chart-aspects-{world.tuphap.code}] canvas")
        ).to_have_count(1)
    finally:
        admin.close()


def test_a_clerk_types_paper_questionnaires_with_the_keyboard(browser, live_server, world):
    survey = make_survey(world)
    admin = Person(browser, live_server.url, world.admin.username)
    try:
        page = admin.page
        page.goto(f"{live_server.url}/quan-tri/khao-sat/{survey.pk}/phieu-giay/?dong=1")
        page.get_by_label("Số phiếu của tập").fill("2")
        first = page.get_by_label("Dòng 1: mã phiếu")
        first.fill("G-1")
        # Tab goes through the items in order; digits only
        page.keyboard.press("Tab")
        page.keyboard.type("5")
        page.keyboard.press("Tab")
        page.keyboard.type("4")
        page.keyboard.press("Enter")  # a new row, focused on its first cell
        expect(page.get_by_label("Dòng 2: mã phiếu")).to_be_focused()
        page.keyboard.type("G-2")
        page.keyboard.press("Tab")
        page.keyboard.type("2")
        page.get_by_role("button", name="Lưu các phiếu").click()
        expect(page.get_by_text("Đã lưu 2 phiếu giấy (chờ duyệt).")).to_be_visible()
        assert admin.failed_posts == []
    finally:
        admin.close()
    rows = {r.respondent: r.answers for r in Response.objects.filter(source="paper")}
    assert rows == {"G-1": {"TC1": "5", "TC2": "4"}, "G-2": {"TC1": "2"}}
