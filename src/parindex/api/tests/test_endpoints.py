"""Every endpoint with its personas: anonymous 401, an outsider 404 (the object does not
exist for them), the rightful user 2xx. Each case sets up the state the step needs through
the same services the API calls."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from parindex.assessments import services as svc
from parindex.assessments.models import LeafScore
from parindex.evidence.services import document_reference_create, evidence_attach
from parindex.evidence.tests.samples import pdf_bytes
from parindex.notifications.models import Notification
from parindex.testing import REFERENCE

pytestmark = pytest.mark.django_db


def later(days: int = 5) -> str:
    return (timezone.now() + timedelta(days=days)).isoformat()


def submitted(w: Any) -> None:
    w.fill()
    w.a = svc.assessment_submit(assessment=w.a, actor=w.users["head"])


def round1(w: Any) -> None:
    submitted(w)
    w.a = svc.appraisal_start(assessment=w.a, actor=w.users["appraiser"])


def returned(w: Any) -> None:
    round1(w)
    w.a = svc.assessment_return(
        assessment=w.a,
        deadline=timezone.now() + timedelta(days=3),
        leaves={"1.1": "Bổ sung kế hoạch"},
        actor=w.users["appraiser"],
    )


def round2(w: Any) -> None:
    round1(w)
    w.a = svc.appraisal_round2_start(assessment=w.a, actor=w.users["appraiser"])
    svc.external_points_set(  # the survey leaf: approval needs every applicable leaf's points
        score=LeafScore.objects.get(assessment=w.a, criterion__code="2.1"),
        points="3",
        note="Khảo sát",
        actor=w.users["admin"],
    )


def approved(w: Any) -> None:
    round2(w)
    w.a = svc.council_approve(assessment=w.a, actor=w.users["council"])


def with_reference(w: Any) -> None:
    w.doc = document_reference_create(
        unit=w.tu_phap,
        title="Kế hoạch CCHC 2025",
        number="12/KH-STP",
        issued_on=date(2025, 1, 10),
        issuer="Sở Tư pháp",
        summary="Kế hoạch",
        page_ref="",
        actor=w.users["staff"],
    )


def with_file(w: Any) -> None:
    response = w.client("staff").post(
        "/api/units/so-tu-phap/documents",
        {"file": SimpleUploadedFile("ke-hoach.pdf", pdf_bytes()), "title": "Kế hoạch"},
    )
    assert response.status_code == 201, response.content
    w.doc_id = response.json()["id"]


def with_link(w: Any) -> None:
    with_reference(w)
    w.link = evidence_attach(score=w.score("1.1"), document=w.doc, actor=w.users["staff"])


def with_notification(w: Any) -> None:
    w.note = Notification.objects.create(
        user=w.users["staff"], kind="returned", title="Phiếu được trả lại để giải trình"
    )


@dataclass
class Case:
    name: str
    method: str
    path: Callable[[Any], str]
    who: str
    outsider: str | None
    expect: int = 200
    body: Callable[[Any], Any] | None = None
    setup: Callable[[Any], None] | None = None
    multipart: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


A = "/api/assessments/{a}"


def p(template: str) -> Callable[[Any], str]:
    def build(w: Any) -> str:
        return template.format(
            a=w.a.pk,
            c=w.cycle.pk,
            doc=getattr(w, "doc_id", None) or getattr(getattr(w, "doc", None), "pk", 0),
            link=getattr(getattr(w, "link", None), "pk", 0),
            note=getattr(getattr(w, "note", None), "pk", 0),
        )

    return build


CASES = [
    Case("cycle list", "get", p("/api/cycles"), "staff", None),
    Case("cycle detail", "get", p("/api/cycles/{c}"), "staff", "outsider_unit_staff"),
    Case("cycle units", "get", p("/api/cycles/{c}/units"), "leader", "outsider_unit_staff"),
    Case("cycle progress", "get", p("/api/cycles/{c}/progress"), "admin", "outsider_unit_staff"),
    Case(
        "cycle open",
        "post",
        p("/api/cycles"),
        "admin",
        None,
        201,
        body=lambda w: {
            "year": 2026,
            "name": "Chỉ số CCHC năm 2026",
            "frameworks": {"so-ban-nganh": "thu-nghiem-2025"},
            "units": ["so-tu-phap"],
            "deadlines": {"self_assessment": later(30)},
        },
    ),
    Case("extensions", "get", p("/api/cycles/{c}/extensions"), "admin", "outsider_unit_staff"),
    Case(
        "extension create",
        "post",
        p("/api/cycles/{c}/extensions"),
        "admin",
        "outsider_unit_staff",
        201,
        body=lambda w: {
            "unit": "so-tu-phap",
            "stage": "self_assessment",
            "until": later(15),
            "reason": "Thay đổi nhân sự",
        },
    ),
    Case("assignments", "get", p("/api/cycles/{c}/assignments"), "admin", "outsider_unit_staff"),
    Case(
        "assignment set",
        "put",
        p("/api/cycles/{c}/assignments"),
        "admin",
        "outsider_unit_staff",
        body=lambda w: {"appraiser": "thamdinh", "units": ["so-tu-phap"], "criteria_codes": ["1"]},
    ),
    Case(
        "external import",
        "post",
        p("/api/cycles/{c}/external-points"),
        "admin",
        "outsider_unit_staff",
        body=lambda w: {
            "file": SimpleUploadedFile("diem.csv", b"unit,code,points\nso-tu-phap,2.1,3.5\n")
        },
        multipart=True,
    ),
    Case("assessment list", "get", p("/api/assessments"), "staff", None),
    Case("assessment detail", "get", p(A), "staff", "other_staff"),
    Case("assessment detail (appraiser)", "get", p(A), "appraiser", "unassigned_appraiser"),
    Case("leaf detail", "get", p(A + "/leaves/1.1"), "staff", "other_staff"),
    Case(
        "score set",
        "put",
        p(A + "/leaves/1.1"),
        "staff",
        "other_staff",
        body=lambda w: {"version": 1, "value": "Kịp thời", "explanation": "Có kế hoạch"},
    ),
    Case("submit", "post", p(A + "/submit"), "head", "other_head", setup=lambda w: w.fill()),
    Case("withdraw", "post", p(A + "/withdraw"), "head", "other_head", setup=submitted),
    Case(
        "appraisal start",
        "post",
        p(A + "/appraisal/start"),
        "appraiser",
        "unassigned_appraiser",
        setup=submitted,
    ),
    Case(
        "appraisal set",
        "put",
        p(A + "/leaves/1.1/appraisal"),
        "appraiser",
        "unassigned_appraiser",
        body=lambda w: {
            "version": w.score("1.1").version,
            "round": 1,
            "points": "1",
            "reason": "Ban hành muộn",
        },
        setup=round1,
    ),
    Case("comment list", "get", p(A + "/leaves/1.1/comments"), "appraiser", "unassigned_appraiser"),
    Case(
        "comment add",
        "post",
        p(A + "/leaves/1.1/comments"),
        "appraiser",
        "unassigned_appraiser",
        201,
        body=lambda w: {"text": "Đề nghị bổ sung văn bản"},
        setup=round1,
    ),
    Case(
        "return",
        "post",
        p(A + "/return"),
        "appraiser",
        "unassigned_appraiser",
        body=lambda w: {
            "deadline": later(3),
            "leaves": [{"code": "1.1", "message": "Bổ sung kế hoạch"}],
        },
        setup=round1,
    ),
    Case("resubmit", "post", p(A + "/resubmit"), "head", "other_head", setup=returned),
    Case(
        "round 2 start",
        "post",
        p(A + "/round2/start"),
        "appraiser",
        "unassigned_appraiser",
        setup=round1,
    ),
    Case("approve", "post", p(A + "/approve"), "council", None, setup=round2),
    Case(
        "reopen",
        "post",
        p(A + "/reopen"),
        "admin",
        None,
        body=lambda w: {"reason": "Sai sót số liệu"},
        setup=approved,
    ),
    Case(
        "external set",
        "put",
        p(A + "/leaves/2.1/external"),
        "admin",
        "other_staff",
        body=lambda w: {"points": "3.2", "note": "Khảo sát SIPAS 2025"},
    ),
    Case(
        "adjustment",
        "put",
        p(A + "/leaves/3/adjustment"),
        "appraiser",
        "unassigned_appraiser",
        body=lambda w: {"points": "0.5", "reason": "Sáng kiến được công nhận"},
        setup=round1,
    ),
    Case("assessment audit", "get", p(A + "/audit"), "staff", "other_staff"),
    Case("leaf audit", "get", p(A + "/leaves/1.1/audit"), "staff", "other_staff"),
    Case("library", "get", p("/api/units/so-tu-phap/documents"), "staff", "other_staff"),
    Case(
        "upload",
        "post",
        p("/api/units/so-tu-phap/documents"),
        "staff",
        "other_staff",
        201,
        body=lambda w: {"file": SimpleUploadedFile("kh.pdf", pdf_bytes()), "title": "Kế hoạch"},
        multipart=True,
    ),
    Case(
        "reference create",
        "post",
        p("/api/units/so-tu-phap/references"),
        "staff",
        "other_staff",
        201,
        body=lambda w: REFERENCE,
    ),
    Case(
        "download",
        "get",
        p("/api/documents/{doc}/download"),
        "appraiser",
        "other_staff",
        setup=with_file,
    ),
    Case(
        "evidence list",
        "get",
        p(A + "/leaves/1.1/evidence"),
        "staff",
        "other_staff",
        setup=with_link,
    ),
    Case(
        "attach",
        "post",
        p(A + "/leaves/1.1/evidence"),
        "staff",
        "other_staff",
        201,
        body=lambda w: {"document": w.doc.pk, "page_ref": "mục II"},
        setup=with_reference,
    ),
    Case(
        "detach",
        "delete",
        p(A + "/leaves/1.1/evidence/{link}"),
        "staff",
        "other_staff",
        setup=with_link,
    ),
    Case("carry forward", "post", p(A + "/carry-forward"), "staff", "other_staff"),
    Case("notifications", "get", p("/api/notifications"), "staff", None),
    Case(
        "notification read",
        "post",
        p("/api/notifications/{note}/read"),
        "staff",
        "other_staff",
        setup=with_notification,
    ),
    Case("notifications read all", "post", p("/api/notifications/read"), "staff", None),
    Case("tokens", "get", p("/api/tokens"), "leader", None),
]


def call(w: Any, case: Case, persona: str | None) -> Any:
    client = w.client(persona)
    path = case.path(w)
    method = getattr(client, case.method)
    if case.body is None:
        return method(path)
    body = case.body(w)
    if case.multipart:
        return method(path, body)
    return method(path, body, content_type="application/json")


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_anonymous_callers_get_401(w, case):
    if case.setup:
        case.setup(w)
    response = call(w, case, None)
    assert response.status_code == 401, response.content


@pytest.mark.parametrize("case", [c for c in CASES if c.outsider], ids=lambda c: c.name)
def test_outsiders_get_404(w, case):
    if case.setup:
        case.setup(w)
    response = call(w, case, case.outsider)
    assert response.status_code == 404, response.content
    assert response.json()["detail"]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_the_rightful_user_succeeds(w, case):
    if case.setup:
        case.setup(w)
    response = call(w, case, case.who)
    assert response.status_code == case.expect, response.content


def test_a_revoked_token_gets_401_everywhere(w, settings):
    from parindex.api.models import ApiToken
    from parindex.api.services import token_revoke

    # Every operation once with the same bad key: past 5 the address would be throttled
    # (429, accounts/tests/test_lockout.py); here only the 401 of each operation counts.
    settings.AXES_FAILURE_LIMIT = len(CASES) + 1
    for token in ApiToken.objects.filter(user=w.users["staff"]):
        token_revoke(token=token, actor=w.users["staff"])
    with_link(w)  # the bodies refer to a document
    for case in CASES:  # authentication comes first: no state needed
        assert call(w, case, "staff").status_code == 401, case.name
    assert call(w, CASES[0], "head").status_code == 200


def test_lists_are_paged(w):
    body = w.client("leader").get("/api/assessments", {"page_size": 1}).json()
    assert body["count"] == 2 and len(body["items"]) == 1
    second = w.client("leader").get("/api/assessments", {"page_size": 1, "page": 2}).json()
    assert second["items"][0]["id"] != body["items"][0]["id"]


def test_lists_show_only_what_the_caller_may_see(w):
    units = {a["unit"] for a in w.client("staff").get("/api/assessments").json()["items"]}
    assert units == {"so-tu-phap"}
    units = {a["unit"] for a in w.client("appraiser").get("/api/assessments").json()["items"]}
    assert units == {"so-tu-phap"}
    assert w.client("outsider_unit_staff").get("/api/cycles").json()["count"] == 0
    # The appraisal team is the admin's only (issue 7; it was an empty list for the units).
    assert w.client("staff").get(f"/api/cycles/{w.cycle.pk}/assignments").status_code == 403


def test_a_role_that_may_not_act_gets_403_with_the_reason(w):
    w.fill()
    response = w.client("staff").post(f"/api/assessments/{w.a.pk}/submit")
    assert response.status_code == 403 and response.json()["detail"]
    response = w.client("leader").post(
        "/api/cycles",
        {"year": 2026, "name": "x", "frameworks": {}, "units": []},
        content_type="application/json",
    )
    assert response.status_code == 403 and "Sở Nội vụ" in response.json()["detail"]


def test_a_refused_transition_is_409_with_the_reason(w):
    response = w.client("head").post(f"/api/assessments/{w.a.pk}/withdraw")
    assert response.status_code == 409
    assert response.json()["detail"]


def test_carry_forward_answers_with_counts(w):
    body = w.client("staff").post(f"/api/assessments/{w.a.pk}/carry-forward").json()
    assert isinstance(body, dict)
    assert Decimal(0) <= Decimal(sum(v for v in body.values() if isinstance(v, int)))
