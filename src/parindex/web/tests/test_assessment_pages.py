"""The self-assessment page and its htmx endpoints, seen by each persona: the unit scores
its own assessment; another unit, an unassigned appraiser and an anonymous visitor never
see it; bad input shows a Vietnamese message and saves nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from parindex.assessments.models import AssessmentStatus, Comment, LeafScore
from parindex.assessments.services import assessment_submit, cycle_open
from parindex.engine.framework import Framework as EngineFramework
from parindex.engine.framework import Node, Rule
from parindex.evidence.models import EvidenceDocument, EvidenceLink
from parindex.evidence.tests.samples import pdf_bytes
from parindex.frameworks.services import framework_import
from parindex.testing import make_group, make_unit, make_user

from .conftest import fill, put, sc, status_of

pytestmark = pytest.mark.django_db
S = AssessmentStatus
HX = {"HTTP_HX_REQUEST": "true"}
PDF = pdf_bytes()  # a real PDF: uploads are opened with a PDF parser


def leaf_url(w, code):
    return reverse("leaf", args=[w.a.pk, sc(w.a, code).pk])


# ---------------------------------------------------------------- permissions


def test_every_page_sends_anonymous_visitors_to_login(client, w):
    s = sc(w.a, "1.1")
    for url in (
        reverse("assessment_detail", args=[w.a.pk]),
        reverse("my_assessment"),
        reverse("leaf", args=[w.a.pk, s.pk]),
        reverse("assessment_audit", args=[w.a.pk]),
        reverse("leaf_audit", args=[w.a.pk, s.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login")), url
    for url in (
        reverse("leaf", args=[w.a.pk, s.pk]),
        reverse("comment_add", args=[w.a.pk, s.pk]),
        reverse("evidence_upload", args=[w.a.pk, s.pk]),
        reverse("evidence_reference", args=[w.a.pk, s.pk]),
        reverse("evidence_attach", args=[w.a.pk, s.pk]),
        reverse("assessment_submit", args=[w.a.pk]),
        reverse("assessment_withdraw", args=[w.a.pk]),
        reverse("assessment_resubmit", args=[w.a.pk]),
        reverse("evidence_carry_forward", args=[w.a.pk]),
    ):
        response = client.post(url)
        assert response.status_code == 302 and "dang-nhap" in response["Location"], url


def test_the_page_is_the_units_own_and_a_404_for_outsiders(client, w):
    url = reverse("assessment_detail", args=[w.a.pk])
    for user in (w.staff, w.head, w.admin, w.council, w.leader, w.appraiser):
        assert status_of(client, user, "get", url) == 200, user
    for outsider in (w.colleague, w.other_appraiser):
        assert status_of(client, outsider, "get", url) == 404, outsider
    assert status_of(client, w.colleague, "get", leaf_url(w, "1.1")) == 404
    assert (
        status_of(client, w.other_appraiser, "get", reverse("assessment_audit", args=[w.a.pk]))
        == 404
    )
    s = sc(w.a, "1.1")
    assert status_of(client, w.colleague, "get", reverse("leaf_audit", args=[w.a.pk, s.pk])) == 404


def test_outsiders_cannot_write_and_nothing_changes(client, w):
    s = sc(w.a, "1.1")
    data = {"version": s.version, "value": "Kịp thời", "na_shown": "1"}
    for outsider in (w.colleague, w.other_appraiser):
        assert status_of(client, outsider, "post", leaf_url(w, "1.1"), data) == 404
        assert (
            status_of(client, outsider, "post", reverse("assessment_submit", args=[w.a.pk])) == 404
        )
        assert (
            status_of(
                client, outsider, "post", reverse("comment_add", args=[w.a.pk, s.pk]), {"text": "x"}
            )
            == 404
        )
    assert sc(w.a, "1.1").self_points is None
    assert not Comment.objects.exists()


def test_a_wrong_role_on_a_write_gets_404(client, w):
    s = sc(w.a, "1.1")
    data = {"version": s.version, "value": "Kịp thời", "na_shown": "1"}
    # The council, a leader and the assigned appraiser see the page but do not self-score.
    for user in (w.council, w.leader, w.appraiser, w.admin):
        assert status_of(client, user, "post", leaf_url(w, "1.1"), data, **HX) == 404, user
    assert sc(w.a, "1.1").self_points is None
    # Unit staff cannot submit: that is the head's.
    fill(w)
    assert status_of(client, w.staff, "post", reverse("assessment_submit", args=[w.a.pk])) == 404
    w.a.refresh_from_db()
    assert w.a.status == S.DRAFT


def test_my_assessment_link_goes_to_the_units_current_assessment(client, w):
    client.force_login(w.staff)
    response = client.get(reverse("my_assessment"))
    assert response.status_code == 302
    assert response["Location"] == reverse("assessment_detail", args=[w.a.pk])
    client.force_login(w.leader)
    assert client.get(reverse("my_assessment")).status_code == 404
    client.force_login(w.staff)
    body = client.get(reverse("home")).content.decode()
    assert "Phiếu của đơn vị" in body


# ---------------------------------------------------------------- the page


def test_the_page_shows_the_tree_inputs_guidance_deadline_and_missing_leaves(client, w):
    client.force_login(w.staff)
    body = client.get(reverse("assessment_detail", args=[w.a.pk])).content.decode()
    assert "Công tác chỉ đạo, điều hành" in body and "Kế hoạch CCHC" in body
    assert "Ban hành trước 31/12" in body  # guidance
    assert "tối đa 2" in body
    assert '<option value="Kịp thời"' in body  # tiers → select
    assert "%</span>" in body  # bands → percentage
    assert 'name="points"' in body  # manual leaf → points
    assert "Không áp dụng" in body
    assert 'hx-trigger="change delay:500ms, submit"' in body
    assert "Hạn tự đánh giá" in body and "data-deadline" in body and "còn 9 ngày" in body
    assert "Còn 3 tiêu chí cần hoàn thiện" in body
    assert "Điều tra xã hội học" in body  # survey leaf read-only with its source
    assert "Thêm tài liệu kiểm chứng" in body


def test_a_htmx_save_returns_the_leaf_with_live_points_and_new_totals(client, w):
    client.force_login(w.staff)
    s = sc(w.a, "1.2.1")
    response = client.post(
        leaf_url(w, "1.2.1"),
        {"version": s.version, "value": "75", "na_shown": "1", "explanation": ""},
        **HX,
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body
    assert f'id="leaf-{s.pk}"' in body
    assert "<b>2,5</b> điểm" in body
    # Totals of the ancestors and the overall total, out of band.
    assert 'id="tot-1-2" hx-swap-oob="true"><b>2,5</b> / 4' in body
    assert 'id="tot-1" hx-swap-oob="true"><b>2,5</b> / 6' in body
    assert 'id="tot-all" hx-swap-oob="true"><b>2,5</b>' in body
    assert 'id="missing" class="missing" hx-swap-oob="true"' in body
    s.refresh_from_db()
    assert s.self_points == Decimal("2.5") and s.self_value == "75"


def test_a_plain_post_saves_and_redirects_back_to_the_leaf(client, w):
    client.force_login(w.staff)
    s = sc(w.a, "1.1")
    response = client.post(leaf_url(w, "1.1"), {"version": s.version, "value": "Kịp thời"})
    assert response.status_code == 302
    assert response["Location"].endswith(f"#leaf-{s.pk}")
    assert sc(w.a, "1.1").self_points == Decimal("2")


def test_not_applicable_and_manual_points_and_explanation(client, w):
    client.force_login(w.staff)
    s = sc(w.a, "1.2.2")
    r = client.post(
        leaf_url(w, "1.2.2"),
        {"version": s.version, "points": "1,5", "na_shown": "1", "explanation": "Có báo cáo"},
        **HX,
    )
    assert r.status_code == 200
    s.refresh_from_db()
    assert s.self_points == Decimal("1.5") and s.explanation == "Có báo cáo"
    r = client.post(
        leaf_url(w, "1.2.2"), {"version": s.version, "na_shown": "1", "not_applicable": "1"}, **HX
    )
    s.refresh_from_db()
    assert s.not_applicable and s.self_points is None


@pytest.mark.parametrize(
    ("code", "data", "message"),
    [
        ("1.2.2", {"points": "9"}, "1.2.2"),  # above the maximum 1.5
        ("1.2.2", {"points": "-1"}, "1.2.2"),  # below zero
        ("1.2.2", {"points": "abc"}, "Điểm phải là một số"),
        ("1.2.1", {"value": "120"}, "1.2.1"),  # a percentage above 100
        ("1.1", {"value": "Xuất sắc"}, "1.1"),  # not a tier
    ],
)
def test_bad_input_shows_a_vietnamese_message_and_saves_nothing(client, w, code, data, message):
    client.force_login(w.staff)
    s = sc(w.a, code)
    response = client.post(leaf_url(w, code), {"version": s.version, "na_shown": "1", **data}, **HX)
    assert response.status_code == 422
    body = response.content.decode()
    assert 'class="leaf-error"' in body and message in body
    fresh = sc(w.a, code)
    assert fresh.self_points is None and fresh.self_value == "" and fresh.version == s.version


def test_a_stale_save_gets_409_with_the_other_persons_value(client, w):
    s = sc(w.a, "1.1")
    put(w, "1.1", actor=w.head, value="1")  # the head saved first (0.5 points)
    client.force_login(w.staff)
    response = client.post(
        leaf_url(w, "1.1"), {"version": s.version, "value": "Kịp thời", "na_shown": "1"}, **HX
    )
    assert response.status_code == 409
    body = response.content.decode()
    assert "Người khác vừa lưu tiêu chí này trước bạn" in body
    assert "thutruong" in body and "0,5" in body
    # The refreshed form carries the new version.
    fresh = sc(w.a, "1.1")
    assert f'name="version" value="{fresh.version}"' in body
    assert fresh.self_points == Decimal("0.5")


def test_an_explanation_alone_does_not_score_a_binary_leaf(client, w):
    from parindex.engine.framework import Framework as EF

    group = make_group("g-bin", "Nhóm")
    unit = make_unit("u-bin", "Đơn vị", group=group)
    leaf = Node(code="1", name="Có quy chế", max_points=Decimal("1"), rule=Rule("binary", {}))
    fw = framework_import(
        framework=EF(
            code="bin", name="Bin", decision="", year=2025, total=Decimal(1), nodes=(leaf,)
        ),
        actor=None,
    )
    cycle = cycle_open(
        year=2025, name="K", frameworks={group: fw}, units=[unit], deadlines=None, actor=w.admin
    )
    staff = make_user("staff-bin", "unit_staff", unit=unit)
    a = cycle.assessments.get()
    s = a.scores.get()
    client.force_login(staff)
    body = client.get(reverse("assessment_detail", args=[a.pk])).content.decode()
    assert 'type="radio" name="value" value="có"' in body and "Chưa thực hiện" in body
    url = reverse("leaf", args=[a.pk, s.pk])
    client.post(url, {"version": s.version, "na_shown": "1", "explanation": "Đang xây dựng"}, **HX)
    s.refresh_from_db()
    assert s.self_points is None and s.explanation == "Đang xây dựng"
    client.post(url, {"version": s.version, "na_shown": "1", "value": "có"}, **HX)
    s.refresh_from_db()
    assert s.self_points == Decimal("1")


def test_comments_are_added_to_the_leaf(client, w):
    client.force_login(w.staff)
    s = sc(w.a, "1.1")
    r = client.post(reverse("comment_add", args=[w.a.pk, s.pk]), {"text": "Đã bổ sung"}, **HX)
    assert r.status_code == 200 and "Đã bổ sung" in r.content.decode()
    r = client.post(reverse("comment_add", args=[w.a.pk, s.pk]), {"text": "  "}, **HX)
    assert r.status_code == 422 and "Nhập nội dung ý kiến" in r.content.decode()
    assert Comment.objects.count() == 1


# ---------------------------------------------------------------- evidence


def test_a_pdf_upload_is_attached_and_listed(client, w):
    client.force_login(w.staff)
    s = sc(w.a, "1.1")
    upload = SimpleUploadedFile("ke-hoach.pdf", PDF, content_type="application/pdf")
    r = client.post(
        reverse("evidence_upload", args=[w.a.pk, s.pk]),
        {"file": upload, "title": "Kế hoạch CCHC 2025", "page_ref": "tr. 2"},
        **HX,
    )
    assert r.status_code == 200, r.content.decode()[:500]
    assert "Kế hoạch CCHC 2025" in r.content.decode()
    assert EvidenceLink.objects.filter(score=s).count() == 1


def test_a_file_that_is_not_what_its_name_says_is_refused(client, w):
    client.force_login(w.staff)
    s = sc(w.a, "1.1")
    fake = SimpleUploadedFile(
        "bao-cao.pdf", b"MZ\x90\x00 not a pdf at all", content_type="application/pdf"
    )
    r = client.post(reverse("evidence_upload", args=[w.a.pk, s.pk]), {"file": fake}, **HX)
    assert r.status_code == 422
    assert 'class="leaf-error"' in r.content.decode()
    assert not EvidenceDocument.objects.exists() and not EvidenceLink.objects.exists()
    empty = SimpleUploadedFile("trong.pdf", b"", content_type="application/pdf")
    r = client.post(reverse("evidence_upload", args=[w.a.pk, s.pk]), {"file": empty}, **HX)
    assert r.status_code == 422 and not EvidenceDocument.objects.exists()


def test_a_reference_document_and_the_library_pick(client, w):
    client.force_login(w.staff)
    s1, s2 = sc(w.a, "1.1"), sc(w.a, "1.2.1")
    r = client.post(
        reverse("evidence_reference", args=[w.a.pk, s1.pk]),
        {
            "number": "12/KH-STP",
            "issued_on": "2025-01-10",
            "issuer": "Sở Tư pháp",
            "summary": "Kế hoạch CCHC năm 2025",
        },
        **HX,
    )
    assert r.status_code == 200 and "12/KH-STP" in r.content.decode()
    doc = EvidenceDocument.objects.get()
    # The same document serves a second leaf, picked from the unit's library.
    r = client.post(reverse("evidence_attach", args=[w.a.pk, s2.pk]), {"document": doc.pk}, **HX)
    assert r.status_code == 200
    assert EvidenceLink.objects.filter(document=doc).count() == 2
    # Missing fields: a message, nothing saved.
    r = client.post(reverse("evidence_reference", args=[w.a.pk, s1.pk]), {"number": ""}, **HX)
    assert r.status_code == 422 and "Nhập số/ký hiệu văn bản" in r.content.decode()
    assert EvidenceDocument.objects.count() == 1
    link = EvidenceLink.objects.get(score=s2)
    r = client.post(reverse("evidence_detach", args=[w.a.pk, s2.pk, link.pk]), **HX)
    assert r.status_code == 200 and not EvidenceLink.objects.filter(score=s2).exists()


def test_the_add_evidence_forms_load_for_the_unit_only(client, w):
    s = sc(w.a, "1.1")
    url = reverse("evidence_forms", args=[w.a.pk, s.pk])
    r = client.get(url)
    assert r.status_code == 302 and r["Location"].startswith(reverse("login"))
    doc = EvidenceDocument.objects.create(unit=w.tuphap, kind="reference", title="KH", year=2025)
    client.force_login(w.staff)
    body = client.get(url, **HX).content.decode()
    assert "Tải tệp lên" in body and "Văn bản tham chiếu" in body
    assert f'<option value="{doc.pk}">' in body  # the unit's library
    for user in (w.colleague, w.other_appraiser):
        assert status_of(client, user, "get", url) == 404
    for user in (w.council, w.appraiser, w.leader):  # they see the page, not these forms
        assert status_of(client, user, "get", url) == 404


def test_another_units_document_cannot_be_picked(client, w):
    other = EvidenceDocument.objects.create(unit=w.yte, kind="reference", title="Y tế", year=2025)
    client.force_login(w.staff)
    s = sc(w.a, "1.1")
    r = client.post(reverse("evidence_attach", args=[w.a.pk, s.pk]), {"document": other.pk}, **HX)
    assert r.status_code == 404
    assert not EvidenceLink.objects.exists()


def test_carry_forward_is_the_units_action(client, w):
    url = reverse("evidence_carry_forward", args=[w.a.pk])
    for user in (w.colleague, w.other_appraiser, w.council, w.leader):
        assert status_of(client, user, "post", url) == 404, user
    client.force_login(w.staff)
    r = client.post(url, follow=True)
    assert r.status_code == 200 and "Đã chuyển tài liệu kiểm chứng" in r.content.decode()


# ---------------------------------------------------------------- head actions


def test_a_submission_with_missing_leaves_lists_them_and_changes_nothing(client, w):
    client.force_login(w.head)
    response = client.post(reverse("assessment_submit", args=[w.a.pk]), follow=True)
    body = response.content.decode()
    assert "1.1" in body and "1.2.1" in body
    assert 'class="error"' in body
    w.a.refresh_from_db()
    assert w.a.status == S.DRAFT


def test_the_head_submits_then_withdraws(client, w):
    fill(w)
    client.force_login(w.head)
    body = client.get(reverse("assessment_detail", args=[w.a.pk])).content.decode()
    assert "Gửi phiếu tự chấm" in body
    response = client.post(reverse("assessment_submit", args=[w.a.pk]), follow=True)
    assert "Đã gửi phiếu tự chấm" in response.content.decode()
    w.a.refresh_from_db()
    assert w.a.status == S.SUBMITTED
    body = client.get(reverse("assessment_detail", args=[w.a.pk])).content.decode()
    assert "Rút phiếu về" in body and "đã khoá" in body
    assert 'name="value"' not in body  # locked: no inputs
    client.post(reverse("assessment_withdraw", args=[w.a.pk]))
    w.a.refresh_from_db()
    assert w.a.status == S.DRAFT


def test_staff_see_the_page_read_only_once_submitted(client, w):
    fill(w)
    assessment_submit(assessment=w.a, actor=w.head)
    client.force_login(w.staff)
    body = client.get(reverse("assessment_detail", args=[w.a.pk])).content.decode()
    assert "Rút phiếu về" not in body and "Gửi phiếu tự chấm" not in body
    s = sc(w.a, "1.1")
    r = client.post(leaf_url(w, "1.1"), {"version": s.version, "value": "1", "na_shown": "1"}, **HX)
    assert r.status_code == 422
    assert sc(w.a, "1.1").self_points == Decimal("2")


def test_the_audit_pages_show_who_when_and_before_after(client, w):
    put(w, "1.1", value="Kịp thời")
    client.force_login(w.head)
    body = client.get(reverse("assessment_audit", args=[w.a.pk])).content.decode()
    assert "canbo" in body and "Kịp thời" in body
    s = sc(w.a, "1.1")
    body = client.get(reverse("leaf_audit", args=[w.a.pk, s.pk])).content.decode()
    assert "Kịp thời" in body and "không sửa được" in body


# ---------------------------------------------------------------- query count


def _framework(n: int) -> EngineFramework:
    per_area = n // 4
    areas = []
    for a in range(1, 5):
        leaves = tuple(
            Node(
                code=f"{a}.{i}",
                name=f"Tiêu chí {a}.{i}",
                max_points=Decimal("1"),
                guidance="Hướng dẫn",
                rule=Rule(
                    type="tiers",
                    params={
                        "tiers": [
                            {"label": "Đạt", "points": Decimal("1")},
                            {"label": "Chưa đạt", "points": Decimal("0")},
                        ]
                    },
                )
                if i % 2
                else Rule(type="binary", params={}),
            )
            for i in range(1, per_area + 1)
        )
        areas.append(
            Node(code=str(a), name=f"Lĩnh vực {a}", max_points=Decimal(per_area), children=leaves)
        )
    return EngineFramework(
        code=f"fw-{n}", name=f"Bộ {n}", decision="", year=2025, total=Decimal(n), nodes=tuple(areas)
    )


def _page_queries(client, n: int, admin) -> tuple[int, int]:
    group = make_group(f"g{n}", f"Nhóm {n}")
    unit = make_unit(f"u{n}", f"Đơn vị {n}", group=group)
    fw = framework_import(framework=_framework(n), actor=None)
    cycle = cycle_open(
        year=2025, name=f"Kỳ {n}", frameworks={group: fw}, units=[unit], deadlines=None, actor=admin
    )
    staff = make_user(f"staff{n}", "unit_staff", unit=unit)
    assessment = cycle.assessments.get()
    scores = list(
        LeafScore.objects.filter(assessment=assessment).select_related("criterion__rule")[:10]
    )
    doc = EvidenceDocument.objects.create(unit=unit, kind="reference", title="VB", year=2025)
    for s in scores:
        EvidenceLink.objects.create(score=s, document=doc)
        Comment.objects.create(score=s, author=staff, text="ý kiến")
    client.force_login(staff)
    url = reverse("assessment_detail", args=[assessment.pk])
    client.get(url)  # warm caches (content types, sessions)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count('<section class="leaf') == n
    s = scores[-1]
    with CaptureQueriesContext(connection) as saved:
        r = client.post(
            reverse("leaf", args=[assessment.pk, s.pk]),
            {"version": s.version, "value": "Đạt" if s.criterion.rule.type == "tiers" else "có"},
            HTTP_HX_REQUEST="true",
        )
    assert r.status_code == 200, r.content.decode()[:300]
    return len(ctx.captured_queries), len(saved.captured_queries)


def test_the_page_query_count_does_not_grow_with_the_leaves(client, query_counts):
    admin = make_user("admin-q", "admin")
    q20, save20 = _page_queries(client, 20, admin)
    q100, save100 = _page_queries(client, 100, admin)
    assert q20 == q100
    assert save20 == save100  # the autosave response too
    # session, user, the score with its assessment; in the transaction (a savepoint here):
    # the lock on the assessment row read with the leaf (no save after a concurrent
    # submission), the deadline, the versioned UPDATE, the audit row; the light answer:
    # the leaf's evidence count (its missing reason depends on it) and the scores for the
    # totals and the missing leaves (the leaf was missing, it no longer is). The page
    # keeps the leaf's evidence and comments. (Was 19, then 14.)
    assert save100 <= 14
    assert save100 <= 11
    # The whole page (session, user, nav, bell, tree, evidence, comments, library) pinned
    # in tests/query_counts.json (was 20; each deadline is now read once).
    a = LeafScore.objects.filter(assessment__unit__code="u100").first().assessment
    with query_counts("web.assessment_detail.100_leaves"):
        client.get(reverse("assessment_detail", args=[a.pk]))
