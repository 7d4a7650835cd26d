"""A whole cycle through the API, with tokens only: the admin opens it, the unit scores
with a PDF and an explanation, the head submits, the appraiser lowers one leaf with a
reason and returns it, the unit explains, the head resubmits, round 2, the council
approves. At each step, what each persona sees."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from parindex.evidence.tests.samples import pdf_bytes

pytestmark = pytest.mark.django_db


def test_a_whole_cycle_through_the_api(w, django_capture_on_commit_callbacks):
    admin, staff, head = w.client("admin"), w.client("staff"), w.client("head")
    appraiser, council, leader = w.client("appraiser"), w.client("council"), w.client("leader")
    other, unassigned = w.client("other_staff"), w.client("unassigned_appraiser")

    def json(client, method, url, body=None, status=200):  # type: ignore[no-untyped-def]
        kwargs = {} if body is None else {"data": body, "content_type": "application/json"}
        response = getattr(client, method)(url, **kwargs)
        assert response.status_code == status, (url, response.content.decode())
        return response.json()

    # The admin opens the 2026 cycle and names the appraisal team.
    with django_capture_on_commit_callbacks(execute=True):
        cycle = json(
            admin,
            "post",
            "/api/cycles",
            {
                "year": 2026,
                "name": "Chỉ số CCHC năm 2026",
                "frameworks": {"so-ban-nganh": "thu-nghiem-2025"},
                "units": ["so-tu-phap", "so-y-te"],
                "deadlines": {"self_assessment": (timezone.now() + timedelta(days=9)).isoformat()},
            },
            status=201,
        )
    assert cycle["status"] == "self_assessment"
    c = cycle["id"]
    json(
        admin,
        "put",
        f"/api/cycles/{c}/assignments",
        {"appraiser": "thamdinh", "units": ["so-tu-phap"]},
    )
    json(
        admin,
        "put",
        f"/api/cycles/{c}/assignments",
        {"appraiser": "thamdinh-yte", "units": ["so-y-te"]},
    )
    notes = json(staff, "get", "/api/notifications")["items"]
    assert any(n["kind"] == "cycle_opened" for n in notes)

    mine = json(staff, "get", f"/api/assessments?cycle={c}")["items"]
    assert [a["unit"] for a in mine] == ["so-tu-phap"]
    a = mine[0]["id"]
    url = f"/api/assessments/{a}"
    json(other, "get", url, status=404)
    json(unassigned, "get", url, status=404)
    tree = json(staff, "get", url)
    assert {m["code"] for m in tree["missing"]} == {"1.1", "1.2.1", "1.2.2"}

    # The unit scores: a PDF for 1.1, explanations for the others.
    upload = staff.post(
        "/api/units/so-tu-phap/documents",
        {"file": SimpleUploadedFile("ke-hoach-2026.pdf", pdf_bytes()), "title": "Kế hoạch CCHC"},
    )
    assert upload.status_code == 201
    doc = upload.json()
    json(staff, "post", f"{url}/leaves/1.1/evidence", {"document": doc["id"]}, status=201)
    leaf = json(staff, "put", f"{url}/leaves/1.1", {"version": 1, "value": "Kịp thời"})
    assert leaf["self_points"] == "2.000"
    json(
        staff,
        "put",
        f"{url}/leaves/1.2.1",
        {"version": 1, "value": "80", "explanation": "Đủ 10/12 báo cáo"},
    )
    json(
        staff,
        "put",
        f"{url}/leaves/1.2.2",
        {"version": 1, "points": "1", "explanation": "Gửi đúng hạn 8/12"},
    )
    tree = json(staff, "get", url)
    assert tree["missing"] == [] and tree["totals"]["self"]["points"] == "5.5"

    # Only the head submits.
    json(staff, "post", f"{url}/submit", status=403)
    assert json(head, "post", f"{url}/submit")["status"] == "submitted"
    json(staff, "put", f"{url}/leaves/1.2.2", {"version": 2, "points": "1.5"}, status=409)
    assert json(leader, "get", url)["assessment"]["status"] == "submitted"

    # Round 1: the appraiser lowers 1.1 with a reason and returns the assessment.
    json(appraiser, "post", f"{url}/appraisal/start")
    version = json(appraiser, "get", f"{url}/leaves/1.1")["version"]
    lowered = json(
        appraiser,
        "put",
        f"{url}/leaves/1.1/appraisal",
        {"version": version, "round": 1, "points": "1", "reason": "Kế hoạch ban hành muộn"},
    )
    assert lowered["round1_points"] == "1.000"
    json(appraiser, "post", f"{url}/leaves/1.1/comments", {"text": "Bổ sung văn bản?"}, status=201)
    json(unassigned, "put", f"{url}/leaves/1.1/appraisal", {"version": 9, "round": 1}, status=404)
    with django_capture_on_commit_callbacks(execute=True):
        returned = json(
            appraiser,
            "post",
            f"{url}/return",
            {
                "deadline": (timezone.now() + timedelta(days=3)).isoformat(),
                "leaves": [{"code": "1.1", "message": "Giải trình tiêu chí 1.1"}],
            },
        )
    assert returned["status"] == "returned" and returned["return_message"]
    assert any(n["kind"] == "returned" for n in json(staff, "get", "/api/notifications")["items"])

    # The unit sees the appraised points and explains; the head resubmits.
    seen = json(staff, "get", f"{url}/leaves/1.1")
    assert (seen["self_points"], seen["round1_points"]) == ("2.000", "1.000")
    assert seen["round1_reason"] == "Kế hoạch ban hành muộn"
    json(
        staff,
        "put",
        f"{url}/leaves/1.1",
        {"version": seen["version"], "explanation": "Ban hành ngày 30/12, xem tr. 2"},
    )
    assert json(head, "post", f"{url}/resubmit")["status"] == "explained"

    # Round 2 starts from round 1; the council approves once the survey points are in.
    json(council, "post", f"{url}/approve", status=409)
    json(appraiser, "post", f"{url}/round2/start")
    json(admin, "put", f"{url}/leaves/2.1/external", {"points": "0", "note": "Khảo sát 2026"})
    assert json(appraiser, "get", f"{url}/leaves/1.1")["round2_points"] == "1.000"
    with django_capture_on_commit_callbacks(execute=True):
        assert json(council, "post", f"{url}/approve")["status"] == "approved"

    # Everyone who may see it sees the four columns side by side; the work is locked.
    for client in (staff, head, appraiser, council, leader, admin):
        final = json(client, "get", url)
        assert final["assessment"]["status"] == "approved"
        leaf = final["areas"][0]["children"][0]["leaf"]
        assert leaf["code"] == "1.1"
        assert (
            leaf["self_points"],
            leaf["round1_points"],
            leaf["round2_points"],
            leaf["final_points"],
        ) == (
            "2.000",
            "1.000",
            "1.000",
            "1.000",
        )
        assert final["totals"]["final"]["points"] == "4.5"
    json(other, "get", url, status=404)
    json(unassigned, "get", url, status=404)
    latest = json(staff, "get", f"{url}/leaves/1.2.2")["version"]
    refused = staff.put(
        f"{url}/leaves/1.2.2", {"version": latest, "points": "1.5"}, content_type="application/json"
    )
    assert refused.status_code in (403, 409) and refused.json()["detail"]

    # The audit trail of the leaf tells the story.
    trail = json(staff, "get", f"{url}/leaves/1.1/audit")["items"]
    actions = {e["action"] for e in trail}
    assert {"score.self", "score.round1"} <= actions
    assert any(e["reason"] == "Kế hoạch ban hành muộn" for e in trail)
    whole = json(leader, "get", f"{url}/audit?page_size=500")["items"]
    assert {"assessment.submit", "assessment.return", "assessment.resubmit"} <= {
        e["action"] for e in whole
    }
    progress = json(admin, "get", f"/api/cycles/{c}/progress")
    assert {r["unit"]: r["status"] for r in progress}["so-tu-phap"] == "approved"
