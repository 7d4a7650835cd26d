"""Issue 8, parts 2 and 8 in a real browser: the appraiser returns two leaves for
explanation (each with its message), the unit answers each, round 2 starts and the
appraiser marks the unit done; the council's decision is refused while the survey leaf has
no points (nothing changes), the admin marks it not applicable with a reason, and the
council records its decision and approves."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from test_cycle import (  # tests/e2e is on sys.path
    Person,
    answer_requests,
    return_leaves,
    status_badge,
)

from parindex.assessments.models import CouncilDecision, ExplanationRequest
from parindex.assessments.services import appraisal_start, assessment_submit
from parindex.testing import fill, workflow_world

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def w(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path / "media"
    world = workflow_world(appraiser_criteria=())  # the appraiser appraises every leaf
    fill(world)
    a = assessment_submit(assessment=world.a, actor=world.head)
    appraisal_start(assessment=a, actor=world.appraiser)
    return world


def test_return_by_leaf_and_the_council_decision(browser, live_server, w):
    base = live_server.url
    a = w.a

    # ---- the appraiser returns two leaves, each with its message ------------------------
    appraiser = Person(browser, base, "thamdinh")
    ap = appraiser.page
    appraiser.go(f"/tham-dinh/phieu/{a.pk}/")
    return_leaves(ap, timezone.now() + timedelta(days=5), {})
    ap.get_by_role("button", name="Trả lại", exact=True).click()  # no leaf ticked
    expect(ap.get_by_text("Chọn ít nhất một tiêu chí cần giải trình.")).to_be_visible()
    expect(status_badge(ap)).to_have_text("Thẩm định vòng 1")
    return_leaves(
        ap,
        timezone.now() + timedelta(days=5),
        {"1.1": "Ngày ban hành kế hoạch?", "1.2.1": "Bổ sung báo cáo quý IV."},
    )
    ap.get_by_role("button", name="Trả lại", exact=True).click()
    expect(ap.get_by_text("Đã trả phiếu cho đơn vị để giải trình.")).to_be_visible()
    assert ExplanationRequest.objects.count() == 2

    # ---- the unit sees exactly those leaves and answers each ---------------------------
    staff = Person(browser, base, "canbo")
    s = staff.page
    staff.go(f"/phieu/{a.pk}/")
    expect(s.locator(".explain-request")).to_have_count(2)
    answer_requests(s, {"1.1": "Ban hành ngày 20/12", "1.2.1": "Đã nộp 12/12 báo cáo"})
    head = Person(browser, base, "thutruong")
    head.go(f"/phieu/{a.pk}/")
    head.page.get_by_role("button", name="Gửi giải trình").click()
    expect(status_badge(head.page)).to_have_text("Đã giải trình")

    # ---- round 2: the answers beside the requests; the unit is marked done --------------
    appraiser.go(f"/tham-dinh/phieu/{a.pk}/")
    expect(ap.locator(f"#ap-{leaf_pk(a, '1.1')} .explain-request")).to_contain_text(
        "Ban hành ngày 20/12"
    )
    ap.get_by_role("button", name="Bắt đầu thẩm định vòng 2").click()
    expect(status_badge(ap)).to_have_text("Thẩm định vòng 2")
    ap.get_by_role("button", name="Đánh dấu đã thẩm định xong").click()
    expect(ap.get_by_text("Đã đánh dấu đã thẩm định xong.")).to_be_visible()

    # ---- the council: refused while 2.1 has no points -----------------------------------
    council = Person(browser, base, "hoidong")
    c = council.page
    council.go(f"/hoi-dong/{a.cycle_id}/")
    card = c.locator(f"#unit-{a.pk}")
    expect(card).to_contain_text("Đã thẩm định xong")
    expect(card).to_contain_text("Công tác chỉ đạo, điều hành")

    def decide() -> None:
        c.get_by_label("Ngày biên bản/quyết định").fill(timezone.localdate().isoformat())
        c.get_by_label("Số biên bản/quyết định").fill("12/BB-HĐTĐ")
        c.get_by_label("Thành viên dự họp").fill("Ông A, Bà B")
        c.get_by_role("button", name="Phê duyệt tất cả").click()

    decide()
    expect(c.get_by_text("2.1: chưa có điểm khảo sát", exact=False)).to_be_visible()
    assert not CouncilDecision.objects.exists()
    a.refresh_from_db()
    assert a.status == "round2"

    # ---- the admin marks 2.1 not applicable, with a reason -------------------------------
    admin = Person(browser, base, "quantri")
    p = admin.page
    admin.go(f"/ky-danh-gia/{a.cycle_id}/diem-ngoai/")
    row = p.locator("tr").filter(has_text="Sở Tư pháp").filter(has_text="2.1")
    row.get_by_label("Lý do không áp dụng").fill("Năm nay không tổ chức khảo sát")
    row.get_by_role("button", name="Không áp dụng").click()
    expect(p.get_by_text("Đã đánh dấu tiêu chí 2.1 của Sở Tư pháp không áp dụng.")).to_be_visible()

    # ---- the council approves by its decision --------------------------------------------
    council.go(f"/hoi-dong/{a.cycle_id}/")
    decide()
    expect(c.get_by_text("Đã ghi nhận Quyết định số 12/BB-HĐTĐ")).to_be_visible()
    expect(c.locator(f"#unit-{a.pk}")).to_contain_text("Đã phê duyệt")
    a.refresh_from_db()
    assert a.status == "approved"

    for person in (appraiser, staff, head, council, admin):
        person.close()


def leaf_pk(a: Any, code: str) -> int:
    return a.scores.get(criterion__code=code).pk
