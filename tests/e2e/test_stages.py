"""The Sở Nội vụ's stage page in a real browser: a blocked move shows what blocks it and
changes nothing; the admin approves the cycle, publishes, reopens with a reason (audited)
and republishes; the public page then says "cập nhật ngày …" and links the earlier version.
"""

from __future__ import annotations

import pytest
from django.db.models.functions import Coalesce
from playwright.sync_api import expect

from parindex.assessments.models import Assessment, LeafScore
from parindex.audit.models import AuditEvent
from parindex.cycles.models import Cycle
from parindex.testing import PASSWORD, workflow_world

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TIMEOUT_MS = 15_000


def test_the_admin_moves_publishes_and_reopens_a_cycle(browser, live_server):
    world = workflow_world()
    cycle = world.cycle
    base = live_server.url
    context = browser.new_context(locale="vi-VN")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto(f"{base}/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill("quantri")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()

    # From the cycle page to the stage page; the move to round 1 is blocked.
    page.goto(f"{base}/ky-danh-gia/{cycle.pk}/")
    page.get_by_role("link", name="Giai đoạn và chuyển giai đoạn").click()
    expect(page.locator("#stage-current")).to_have_text("Tự đánh giá, chấm điểm")
    expect(page.locator("#stage-blockers")).to_contain_text("Đơn vị chưa gửi phiếu tự chấm: 2")
    page.get_by_role("button", name="Chuyển sang “Thẩm định vòng 1”").click()
    expect(page.locator("#stage-errors")).to_contain_text("Chưa chuyển được sang")
    assert Cycle.objects.get(pk=cycle.pk).status == "self_assessment"

    # The council has approved every unit (set up directly): approve and publish.
    LeafScore.objects.filter(assessment__cycle=cycle).update(
        final_points=Coalesce("round2_points", "round1_points", "self_points", 0)
    )
    Assessment.objects.filter(cycle=cycle).update(status="approved")
    Cycle.objects.filter(pk=cycle.pk).update(status="council")
    page.goto(f"{base}/ky-danh-gia/{cycle.pk}/giai-doan/")
    expect(page.locator("#stage-ready")).to_be_visible()
    page.get_by_role("button", name="Chuyển sang “Đã phê duyệt”").click()
    expect(page.locator("#stage-current")).to_have_text("Đã phê duyệt")
    page.get_by_role("button", name="Công bố kết quả").click()
    expect(page.locator("#stage-current")).to_have_text("Đã công bố")

    # Reopen with a reason, then approve and publish again.
    page.get_by_label("Lý do (bắt buộc)").fill("Sửa điểm SIPAS")
    page.get_by_role("button", name="Mở lại kỳ (về “Hội đồng thẩm định”)").click()
    expect(page.locator("#stage-current")).to_have_text("Hội đồng thẩm định")
    assert AuditEvent.objects.filter(action="cycle.reopen", reason="Sửa điểm SIPAS").exists()
    page.get_by_role("button", name="Chuyển sang “Đã phê duyệt”").click()
    page.get_by_label("Ghi chú (không bắt buộc)").fill("Cập nhật SIPAS")
    page.get_by_role("button", name="Công bố kết quả").click()
    expect(page.locator("#stage-current")).to_have_text("Đã công bố")

    page.goto(f"{base}/cong-khai/{cycle.pk}/")
    expect(page.locator("#publication-updated")).to_contain_text("Kết quả cập nhật ngày")
    expect(page.locator("#publication-versions")).to_contain_text("Lần 1")
    context.close()
