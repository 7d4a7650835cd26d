"""The light answer of a successful autosave (issue 9 part 9): the page keeps the leaf's
evidence and comments (htmx ``hx-preserve``), the totals come only when the leaf's points
change and the missing leaves only when the leaf's reason for being missing changes; a
refused save still answers with the whole leaf."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from parindex.assessments.models import Comment
from parindex.evidence.models import EvidenceDocument, EvidenceLink

from .conftest import put, sc

HX = {"HTTP_HX_REQUEST": "true"}


def _post(client, w, code, **data):
    s = sc(w.a, code)
    url = reverse("leaf", args=[w.a.pk, s.pk])
    return client.post(url, {"version": s.version, "na_shown": "1", **data}, **HX)


def _with_evidence_and_comment(w, code):
    s = sc(w.a, code)
    doc = EvidenceDocument.objects.create(
        unit=w.tuphap, kind="reference", number="15/KH-STP", title="Kế hoạch", year=2025
    )
    EvidenceLink.objects.create(score=s, document=doc)
    Comment.objects.create(score=s, author=w.staff, text="Đã bổ sung kế hoạch")
    return s


def test_a_save_leaves_the_pages_evidence_and_comments_in_place(client, w):
    _with_evidence_and_comment(w, "1.1")
    s = put(w, "1.1", actor=w.staff, value="Kịp thời", explanation="Có kế hoạch")
    client.force_login(w.staff)
    with CaptureQueriesContext(connection) as ctx:
        r = _post(client, w, "1.1", value="Kịp thời", explanation="Có kế hoạch năm 2025")
    assert r.status_code == 200
    body = r.content.decode()
    # The leaf with its new points and the version for the next save, the status message.
    assert f'id="leaf-{s.pk}"' in body and "<b>2</b> điểm" in body
    assert f'name="version" value="{s.version + 1}"' in body
    assert "Đã lưu 1.1" in body
    # Its evidence and comments stay as the page has them: placeholders htmx keeps.
    assert f'id="evl-{s.pk}" hx-preserve></div>' in body
    assert f'id="cms-{s.pk}" hx-preserve></details>' in body
    assert "15/KH-STP" not in body and "Đã bổ sung kế hoạch" not in body
    tables = " ".join(q["sql"] for q in ctx.captured_queries)
    assert "evidence_evidencelink" not in tables and "assessments_comment" not in tables
    # The leaf's own refresh (and the page) still list them.
    refreshed = client.get(reverse("leaf", args=[w.a.pk, s.pk]), **HX).content.decode()
    assert "15/KH-STP" in refreshed and "Đã bổ sung kế hoạch" in refreshed
    assert "hx-preserve" not in refreshed


def test_the_totals_come_only_when_the_points_change(client, w):
    client.force_login(w.staff)
    body = _post(client, w, "1.1", value="Kịp thời", explanation="").content.decode()
    assert 'id="tot-1" hx-swap-oob="true"><b>2</b> / 6' in body
    assert 'id="tot-all" hx-swap-oob="true"><b>2</b> / 10' in body
    # The explanation alone: same points, no totals sent (the page's stay right).
    body = _post(client, w, "1.1", value="Kịp thời", explanation="Có kế hoạch").content.decode()
    assert "Đã lưu 1.1" in body and 'id="tot-all"' not in body
    assert sc(w.a, "1.1").explanation == "Có kế hoạch"


def test_the_missing_leaves_come_when_the_leafs_reason_changes(client, w):
    client.force_login(w.staff)
    page = client.get(reverse("assessment_detail", args=[w.a.pk])).content.decode()
    before = page.count('class="leaf is-missing')
    s = sc(w.a, "1.2.2")
    # Scored without evidence or explanation: still missing, for another reason.
    body = _post(client, w, "1.2.2", points="1").content.decode()
    assert 'id="missing" class="missing" hx-swap-oob="true"' in body
    assert "có điểm nhưng chưa có tài liệu kiểm chứng hoặc giải trình" in body
    assert f'class="leaf is-missing" id="leaf-{s.pk}"' in body
    # Explained: no longer missing — the list (one fewer) and the leaf say so.
    body = _post(client, w, "1.2.2", points="1", explanation="Có báo cáo").content.decode()
    assert f"Còn {before - 1} tiêu chí cần hoàn thiện" in body
    assert f'class="leaf" id="leaf-{s.pk}"' in body
    # Other points, still explained: the list does not change, so it is not sent.
    body = _post(client, w, "1.2.2", points="1,5", explanation="Có báo cáo").content.decode()
    assert 'id="missing"' not in body and 'id="tot-all" hx-swap-oob="true"' in body


def test_a_refused_save_answers_with_the_whole_leaf(client, w):
    s = _with_evidence_and_comment(w, "1.1")
    client.force_login(w.staff)
    r = _post(client, w, "1.1", value="Xuất sắc")
    assert r.status_code == 422
    body = r.content.decode()
    assert 'class="leaf-error"' in body and "hx-preserve" not in body
    assert "15/KH-STP" in body and "Đã bổ sung kế hoạch" in body
    assert sc(w.a, "1.1").version == s.version
