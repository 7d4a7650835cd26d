"""Issue 10's "done when", through the services: questionnaire → XLSForm (pyxform) →
a simulated Kobo export → import → review → indices → points in the cycle → rating."""

from __future__ import annotations

import shutil
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from parindex.assessments.models import LeafScore
from parindex.audit.models import AuditEvent
from parindex.formats.errors import FormatError
from parindex.formats.responses import read_response_records
from parindex.formats.xlsform import write_xlsform
from parindex.results.models import UnitMetric, UnitResult
from parindex.results.selectors import rating_config_for
from parindex.results.services import rating_config_set, results_recompute
from parindex.surveys.feed import survey_feed
from parindex.surveys.indices import survey_indices
from parindex.surveys.models import Response
from parindex.surveys.services import response_review, responses_approve, responses_import
from parindex.surveys.tests.helpers import kobo_export, make_survey

pyxform = pytest.importorskip("pyxform.xls2xform")
pytestmark = pytest.mark.django_db


def kobo_rows(unit: str, answers: list[tuple[str, str, str]], start: int = 0) -> list[dict]:
    return [
        {
            "unit": unit,
            "TC1": a,
            "TC2": b,
            "CC1": c,
            "PHIEN_HA": "khong",
            "MONG_DOI": "thu_tuc thai_do",
            "_uuid": f"uuid-{unit}-{start + k}",
            "_submission_time": "2025-10-01T08:00:00",
            "_validation_status": "",
        }
        for k, (a, b, c) in enumerate(answers)
    ]


def import_bytes(survey, data, name="kobo.csv"):
    records, _, problems = read_response_records(
        data,
        name=name,
        questionnaire=survey.questionnaire.parsed,
        units=list(survey.units.values_list("code", flat=True)),
    )
    return responses_import(
        survey=survey, records=records, problems=problems, source_name=name, actor=survey.created_by
    )


def test_a_kobo_export_of_the_generated_xlsform_ends_as_points_and_a_downgrade(world, tmp_path):
    survey = make_survey(world)
    form = tmp_path / "q.xlsx"
    write_xlsform(survey.questionnaire.parsed, form)
    assert pyxform.convert(xlsform=str(form), validate=shutil.which("java") is not None).xform
    # Tư pháp: 3 of 4 satisfied everywhere (75 %); Y tế: all satisfied (100 %)
    rows = kobo_rows(
        "so-tu-phap", [("5", "4", "4"), ("4", "5", "5"), ("4", "4", "4"), ("2", "2", "2")]
    )
    rows += kobo_rows("so-y-te", [("5", "5", "5"), ("4", "4", "4")])
    data = kobo_export(tmp_path, rows, survey)
    assert b"DV/TC/TC1" in data and b"_validation_status" in data
    assert import_bytes(survey, data) == {"created": 6, "skipped": 0}
    assert import_bytes(survey, data) == {"created": 0, "skipped": 6}  # same _uuid: no duplicate
    assert Response.objects.filter(survey=survey).count() == 6
    assert survey_indices(survey).result is None  # nothing approved yet
    first = Response.objects.get(uuid="uuid-so-tu-phap-0")
    with pytest.raises(ValidationError):
        response_review(response=first, decision="rejected", reason="", actor=world.admin)
    responses_approve(responses=list(Response.objects.filter(survey=survey)), actor=world.admin)
    low = Response.objects.get(uuid="uuid-so-y-te-1")
    response_review(
        response=low, decision="rejected", reason="Phiếu trùng người", actor=world.admin
    )
    assert AuditEvent.objects.filter(
        action="survey.response_rejected", reason="Phiếu trùng người"
    ).exists()
    indices = survey_indices(survey)
    assert indices.responses == {"so-tu-phap": 4, "so-y-te": 1}
    assert float(indices.overall("so-tu-phap")) == 75.0
    out = survey_feed(survey=survey, actor=world.admin)
    assert out == {"points": 2, "metrics": 2}
    leaf = LeafScore.objects.get(assessment=world.a, criterion__code="2.1")
    assert str(leaf.final_points.normalize()) == "3"  # 4 × 75 / 100
    assert (
        f"Khảo sát #{survey.pk}" in leaf.external_note and "4 phiếu đã duyệt" in leaf.external_note
    )
    metric = UnitMetric.objects.get(
        cycle=world.cycle, unit=world.tuphap, metric="satisfaction_index"
    )
    assert metric.value == 75 and metric.source == "surveys"
    # Seed 002's condition (satisfaction ≤ 80 % → at most Khá) on a scale both units pass
    conditions = [dict(c) for c in rating_config_for(world.cycle).conditions]
    rating_config_set(
        cycle=world.cycle,
        classes=[{"name": "Tốt", "min": "25"}, {"name": "Khá", "min": "0"}],
        conditions=conditions,
        actor=world.admin,
    )
    results_recompute(cycle=world.cycle, actor=None)
    rows = {r.unit.code: r for r in UnitResult.objects.select_related("unit")}
    tp, yt = rows["so-tu-phap"], rows["so-y-te"]
    assert (tp.base_rating, tp.rating) == ("Tốt", "Khá")
    assert [c["metric"] for c in tp.applied_conditions] == ["satisfaction_index"]
    assert (yt.rating, yt.applied_conditions) == ("Tốt", [])


def test_a_file_with_any_error_imports_nothing_and_names_each_row(world, tmp_path):
    survey = make_survey(world)
    rows = kobo_rows("so-tu-phap", [("5", "4", "4"), ("7", "4", "4")])
    rows += kobo_rows("so-khong-co", [("5", "5", "5")], start=5)
    rows += kobo_rows("so-tu-phap", [("5", "5", "5")])  # the same respondent (_uuid) twice
    data = kobo_export(tmp_path, rows, survey)
    with pytest.raises(FormatError) as exc:
        import_bytes(survey, data)
    text = "\n".join(str(p) for p in exc.value.problems)
    assert "dòng 3, cột DV/TC/TC1: giá trị '7' ngoài thang 1–5" in text
    assert "dòng 4, cột unit: đơn vị 'so-khong-co' không có trong danh sách" in text
    assert "dòng 5" in text and "bị trùng (dòng 2)" in text
    renamed = kobo_export(tmp_path, rows[:1], survey).replace(b"DV/CC/CC1", b"DV/CC/CC1_doi_ten")
    with pytest.raises(FormatError) as exc:
        import_bytes(survey, renamed)
    assert "cột 'DV/CC/CC1_doi_ten' không khớp câu hỏi nào" in str(exc.value.problems[0])
    assert Response.objects.count() == 0


def test_the_same_path_through_the_admins_pages(client, world, tmp_path):
    """Upload the questionnaire, open the survey, import the Kobo export, approve, feed:
    the leaf's source note and the downgrade show on the pages."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from parindex.surveys.models import Questionnaire, Survey
    from parindex.surveys.tests.helpers import YAML

    client.force_login(world.admin)
    client.post(
        reverse("surveys:questionnaire_add"),
        {"file": SimpleUploadedFile("q.yaml", YAML.encode("utf-8"))},
    )
    q = Questionnaire.objects.get(code="hai-long-thu")
    r = client.post(
        reverse("surveys:add"),
        {"name": "Khảo sát 2025", "questionnaire": q.pk, "cycle": world.cycle.pk},
    )
    survey = Survey.objects.get(questionnaire=q)
    assert r["Location"] == reverse("surveys:detail", args=[survey.pk])
    rows = kobo_rows("so-tu-phap", [("5", "4", "4"), ("2", "2", "2")])
    rows += kobo_rows("so-y-te", [("5", "5", "5")])
    data = kobo_export(tmp_path, rows, survey)
    r = client.post(
        reverse("surveys:import", args=[survey.pk]),
        {"file": SimpleUploadedFile("kobo.csv", data)},
        follow=True,
    )
    assert "Đã nhập 3 phiếu (chờ duyệt)" in r.content.decode()
    ids = list(Response.objects.values_list("pk", flat=True))
    client.post(reverse("surveys:approve_all", args=[survey.pk]), {"ids": ids})
    r = client.post(reverse("surveys:feed", args=[survey.pk]), follow=True)
    assert "Đã đưa kết quả khảo sát vào kỳ đánh giá" in r.content.decode()
    leaf = LeafScore.objects.get(assessment=world.a, criterion__code="2.1")
    assert str(leaf.final_points.normalize()) == "2"  # 4 × 50 / 100
    html = client.get(reverse("cycle_external", args=[world.cycle.pk])).content.decode()
    assert f"Khảo sát #{survey.pk} “Khảo sát 2025” (hai-long-thu v1): chỉ số chung = 50,00%" in html
    assert "2 phiếu đã duyệt" in html
    metric = UnitMetric.objects.get(
        cycle=world.cycle, unit=world.tuphap, metric="satisfaction_index"
    )
    assert metric.value == 50
    html = client.get(reverse("surveys:results", args=[survey.pk])).content.decode()
    assert "50.00%" in html and "Mẫu nhỏ: 2 người trả lời" in html


def test_a_kobo_xlsx_export_imports_like_the_csv(world, tmp_path):
    import csv
    import io

    from openpyxl import Workbook

    survey = make_survey(world)
    rows = kobo_rows("so-tu-phap", [("5", "4", "4"), ("1", "", "3")])
    rows[1]["_validation_status"] = "validation_status_not_approved"
    text = kobo_export(tmp_path, rows, survey).decode("utf-8")
    wb = Workbook()
    ws = wb.active
    for k, line in enumerate(csv.reader(io.StringIO(text))):
        ws.append([int(v) if k and v.isdigit() and len(v) == 1 else v for v in line])
    out = io.BytesIO()
    wb.save(out)
    assert import_bytes(survey, out.getvalue(), "kobo.xlsx") == {"created": 1, "skipped": 0}
    row = Response.objects.get()
    assert row.uuid == "uuid-so-tu-phap-0" and row.source == "kobo"
    assert row.answers == {
        "TC1": "5",
        "TC2": "4",
        "CC1": "4",
        "PHIEN_HA": "khong",
        "MONG_DOI": "thu_tuc thai_do",
    }
    assert row.submitted_at.year == 2025


def test_an_index_with_endless_decimals_is_fed_rounded_half_up_to_the_stored_places(
    world, tmp_path
):
    # 2 of 3 satisfied: 66.66…% of 4 points = 2.666… — stored as 2.667, not refused
    survey = make_survey(world)
    rows = kobo_rows("so-tu-phap", [("5", "4", "4"), ("4", "5", "5"), ("2", "2", "2")])
    import_bytes(survey, kobo_export(tmp_path, rows, survey))
    responses_approve(responses=list(Response.objects.filter(survey=survey)), actor=world.admin)
    assert survey_feed(survey=survey, actor=world.admin)["points"] == 1
    leaf = LeafScore.objects.get(assessment=world.a, criterion__code="2.1")
    assert leaf.final_points == Decimal("2.667")
