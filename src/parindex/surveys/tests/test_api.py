"""The surveys API: a bad import is refused whole with row-level errors, a good one and a
review go through the same services, results are scoped to the caller's units."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from parindex.surveys.models import Response
from parindex.surveys.tests.helpers import YAML, make_survey

pytestmark = pytest.mark.django_db


def test_import_review_and_scoped_results_through_the_api(client, world):
    survey = make_survey(world)
    base = f"/api/surveys/{survey.pk}"
    client.force_login(world.admin)
    bad = b"respondent,unit,TC1,TC9\nA,so-tu-phap,4,1\nB,so-tu-phap,6,\n"
    r = client.post(f"{base}/responses/import", {"file": SimpleUploadedFile("r.csv", bad)})
    assert r.status_code == 400 and "TC9" in r.content.decode()
    bad = b"respondent,unit,TC1\nA,so-tu-phap,4\nB,so-tu-phap,6\nA,so-khac,4\n"
    r = client.post(f"{base}/responses/import", {"file": SimpleUploadedFile("r.csv", bad)})
    text = r.content.decode()
    assert r.status_code == 400 and "ngoài thang 1–5" in text and "bị trùng" in text
    assert Response.objects.count() == 0
    good = b"respondent,unit,TC1,TC2\nA,so-tu-phap,4,5\nB,so-y-te,2,2\n"
    r = client.post(f"{base}/responses/import", {"file": SimpleUploadedFile("r.csv", good)})
    assert r.json() == {"created": 2, "skipped": 0}
    rows = client.get(f"{base}/responses?status=pending").json()["items"]
    assert {x["respondent"] for x in rows} == {"A", "B"}
    for x in rows:
        r = client.post(
            f"{base}/responses/{x['id']}/review",
            {"decision": "approved"},
            content_type="application/json",
        )
        assert r.json()["status"] == "approved"
    r = client.post(
        f"{base}/responses/{rows[0]['id']}/review",
        {"decision": "rejected"},
        content_type="application/json",
    )
    assert r.status_code == 400 and "lý do" in r.content.decode()
    client.force_login(world.staff)
    results = client.get(f"{base}/results").json()
    assert {x["unit"] for x in results} == {"so-tu-phap"}
    overall = next(x for x in results if x["level"] == "overall")
    assert overall["index"] == "100.00"
    assert client.get(f"{base}/responses").status_code == 404


def test_a_questionnaire_with_problems_is_refused_with_its_lines(client, world):
    client.force_login(world.admin)
    broken = YAML.replace("aspect: TC}", "aspect: KHONG_CO}", 1)
    r = client.post(
        "/api/questionnaires", {"source": broken, "name": "q.yaml"}, content_type="application/json"
    )
    assert r.status_code == 400 and "KHONG_CO" in r.content.decode()
    r = client.post(
        "/api/questionnaires", {"source": YAML, "name": "q.yaml"}, content_type="application/json"
    )
    assert r.status_code == 201 and r.json()["version"] == 1 and r.json()["items"] == 5
