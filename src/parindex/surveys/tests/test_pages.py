"""The surveys pages: the public form (no sign-in, paged, save-and-resume, one response per
token, friendly pages, rate limit, light), paper entry, review, QR sheets, results."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse

from parindex.audit.models import AuditEvent
from parindex.surveys.models import FrameKind, Response, ResponseStatus
from parindex.surveys.services import frame_set, tokens_generate
from parindex.surveys.tests.helpers import make_survey

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()


@pytest.fixture
def s(world):
    survey = make_survey(world)
    frame = frame_set(
        survey=survey,
        unit=world.tuphap,
        kind=FrameKind.COUNTER,
        name="Quầy 1",
        population=1000,
        target=286,
        actor=world.admin,
    )
    survey.frame = frame
    survey.tokens_made = tokens_generate(survey=survey, frame=frame, count=3, actor=world.admin)
    return survey


def form_url(token) -> str:
    return reverse("surveys:form", args=[token.token])


def test_a_respondent_answers_page_by_page_resumes_and_sends_once(client, s):
    token = s.tokens_made[0]
    url = form_url(token)
    r = client.get(url)
    html = r.content.decode()
    assert r.status_code == 200 and "Phần 1/3: Tiếp cận dịch vụ" in html
    assert len(r.content) < 60_000 and "<script" not in html
    assert html.count("<fieldset") == 2 and "<legend>1. Nơi đón tiếp thuận tiện</legend>" in html
    r = client.post(url, {"trang": "1", "TC1": "5", "TC2": "4", "hanh_dong": "tiep"})
    assert r.status_code == 302 and r["Location"].endswith("?trang=2")
    # the phone closes; the link opens again on the next page with the answers kept
    r = client.get(url)
    assert "Phần 2/3" in r.content.decode()
    r = client.post(url, {"trang": "2", "CC1": "9", "hanh_dong": "tiep"})
    assert r.status_code == 422 and "ngoài thang 1–5" in r.content.decode()
    client.post(url, {"trang": "2", "CC1": "4", "PHIEN_HA": "khong", "hanh_dong": "tiep"})
    r = client.post(url, {"trang": "3", "MONG_DOI": ["thu_tuc", "thai_do"], "hanh_dong": "gui"})
    assert r.status_code == 302
    assert "Cảm ơn ông/bà" in client.get(r["Location"]).content.decode()
    response = Response.objects.get(token=token)
    assert response.status == ResponseStatus.PENDING and response.source == "web"
    assert response.answers == {
        "TC1": "5",
        "TC2": "4",
        "CC1": "4",
        "PHIEN_HA": "khong",
        "MONG_DOI": "thu_tuc thai_do",
    }
    r = client.get(url)
    assert r.status_code == 200 and "Phiếu này đã được gửi" in r.content.decode()
    r = client.post(url, {"trang": "1", "TC1": "1", "hanh_dong": "tiep"})
    assert "Phiếu này đã được gửi" in r.content.decode()
    assert Response.objects.get(token=token).answers["TC1"] == "5"
    assert AuditEvent.objects.filter(action="survey.response_submit").count() == 1


def test_an_unknown_link_gets_a_friendly_page(client, s):
    r = client.get("/khao-sat/khong-co-ma-nay/")
    assert r.status_code == 404 and "Không tìm thấy phiếu khảo sát" in r.content.decode()


@override_settings(PARINDEX_SURVEY_RATE_LIMIT=3)
def test_too_many_requests_from_one_address_get_a_friendly_page(client, s):
    url = form_url(s.tokens_made[1])
    for _ in range(3):
        assert client.get(url).status_code == 200
    r = client.get(url)
    assert r.status_code == 429 and "Xin thử lại sau ít phút" in r.content.decode()


def test_the_qr_sheet_is_a_pdf_of_the_counters_links(client, world, s):
    client.force_login(world.admin)
    r = client.get(reverse("surveys:qr_sheet", args=[s.pk, s.frame.pk]))
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert r.content.startswith(b"%PDF")


def test_the_sampling_page_shows_the_quota_helper_and_progress(client, world, s):
    client.force_login(world.admin)
    html = client.get(reverse("surveys:detail", args=[s.pk])).content.decode()
    assert "n = N/(1+N·e²)" in html
    row = html[html.index("Quầy 1") :].split("</tr>")[0]
    assert ">1000<" in row and ">286<" in row and ">3<" in row  # N, suggested n = target, tokens


def test_a_clerk_types_a_batch_and_a_wrong_count_is_refused(client, world, s):
    client.force_login(world.admin)
    url = reverse("surveys:paper", args=[s.pk])
    page = client.get(url).content.decode()
    assert 'inputmode="numeric"' in page and 'pattern="[0-9]*"' in page
    data = {
        "unit": str(world.tuphap.pk),
        "rows": "3",
        "batch_count": "3",
        "r0-respondent": "G-001",
        "r0-TC1": "5",
        "r0-TC2": "4",
        "r0-CC1": "4",
        "r0-PHIEN_HA": "2",
        "r1-respondent": "G-002",
        "r1-TC1": "3",
    }
    r = client.post(url, data)
    assert (
        r.status_code == 422 and "Số phiếu của tập là 3 nhưng đã nhập 2 dòng" in r.content.decode()
    )
    assert not Response.objects.filter(source="paper").exists()
    r = client.post(url, {**data, "batch_count": "2"})
    assert r.status_code == 302
    rows = {x.respondent: x for x in Response.objects.filter(source="paper")}
    assert rows["G-001"].answers == {"TC1": "5", "TC2": "4", "CC1": "4", "PHIEN_HA": "khong"}
    assert rows["G-002"].status == ResponseStatus.PENDING


def test_review_needs_a_reason_to_reject_and_only_approved_count(client, world, s):
    client.force_login(world.admin)
    paper = reverse("surveys:paper", args=[s.pk])
    client.post(
        paper,
        {
            "unit": str(world.tuphap.pk),
            "rows": "2",
            "batch_count": "2",
            "r0-respondent": "A",
            "r0-TC1": "5",
            "r1-respondent": "B",
            "r1-TC1": "1",
        },
    )
    a, b = Response.objects.get(respondent="A"), Response.objects.get(respondent="B")
    decide = reverse("surveys:decide", args=[s.pk, b.pk])
    client.post(decide, {"decision": "rejected", "reason": ""})
    assert Response.objects.get(pk=b.pk).status == ResponseStatus.PENDING
    client.post(decide, {"decision": "rejected", "reason": "Không đúng đối tượng"})
    client.post(reverse("surveys:approve_all", args=[s.pk]), {"ids": [a.pk, b.pk]})
    assert Response.objects.get(pk=a.pk).status == ResponseStatus.APPROVED
    assert Response.objects.get(pk=b.pk).status == ResponseStatus.REJECTED
    html = client.get(reverse("surveys:results", args=[s.pk])).content.decode()
    assert "100.00%" in html and "1 phiếu đã duyệt" in html and "Mẫu nhỏ" in html
    html = client.get(reverse("surveys:review", args=[s.pk]) + "?status=rejected").content.decode()
    assert "Không đúng đối tượng" in html and ">A<" not in html


def test_unit_staff_see_only_their_own_units_results(client, world, s):
    from parindex.surveys.services import paper_entry, responses_approve

    made = paper_entry(
        survey=s, unit=world.yte, rows=[("Y1", {"TC1": "4"})], batch_count=1, actor=world.admin
    )
    made += paper_entry(
        survey=s, unit=world.tuphap, rows=[("T1", {"TC1": "2"})], batch_count=1, actor=world.admin
    )
    responses_approve(responses=made, actor=world.admin)
    client.force_login(world.staff)
    html = client.get(reverse("surveys:results", args=[s.pk])).content.decode()
    assert "Sở Tư pháp" in html and "Sở Y tế" not in html
    assert client.get(reverse("surveys:detail", args=[s.pk])).status_code == 404


@pytest.mark.parametrize("n", [3, 30])
def test_review_and_results_queries_do_not_grow_with_responses(client, world, s, n, query_counts):
    from parindex.surveys.services import paper_entry, responses_approve

    rows = [(f"R{k}", {"TC1": str(1 + k % 5), "PHIEN_HA": "khong"}) for k in range(n)]
    made = paper_entry(survey=s, unit=world.tuphap, rows=rows, batch_count=n, actor=world.admin)
    responses_approve(responses=made[: n // 2], actor=world.admin)
    client.force_login(world.admin)
    for name, url in [
        ("review", reverse("surveys:review", args=[s.pk])),
        ("results", reverse("surveys:results", args=[s.pk])),
        ("detail", reverse("surveys:detail", args=[s.pk])),
    ]:
        cache.clear()
        with query_counts(f"surveys.{name}"):
            assert client.get(url).status_code == 200


def test_excel_and_word_exports_hold_the_users_units(client, world, s):
    import io
    import zipfile

    from openpyxl import load_workbook

    from parindex.surveys.services import paper_entry, responses_approve

    made = paper_entry(
        survey=s,
        unit=world.tuphap,
        rows=[("T1", {"TC1": "5", "TC2": "4", "PHIEN_HA": "co"}), ("T2", {"TC1": "2"})],
        batch_count=2,
        actor=world.admin,
    )
    made += paper_entry(
        survey=s, unit=world.yte, rows=[("Y1", {"TC1": "4"})], batch_count=1, actor=world.admin
    )
    responses_approve(responses=made, actor=world.admin)
    client.force_login(world.staff)
    r = client.get(reverse("surveys:results_xlsx", args=[s.pk]))
    wb = load_workbook(io.BytesIO(r.content))
    overall = [row for row in wb["Chỉ số chung"].iter_rows(min_row=4, values_only=True)]
    # TC1 1/2, TC2 1/1 → aspect TC 75; CC has no answer → overall 75; own unit only
    assert [(row[0], row[1], row[2], row[6]) for row in overall] == [
        ("Sở Tư pháp", "so-tu-phap", 75.0, 2)
    ]
    choices = list(wb["Lựa chọn"].iter_rows(min_row=4, values_only=True))
    assert (choices[0][:4]) == (
        "Sở Tư pháp",
        "Công chức có gây phiền hà, sách nhiễu không?",
        "PHIEN_HA/co",
        "Có",
    )
    assert choices[0][4] == 100.0
    r = client.get(reverse("surveys:results_docx", args=[s.pk]))
    xml = zipfile.ZipFile(io.BytesIO(r.content)).read("word/document.xml").decode()
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in xml and "Độc lập - Tự do - Hạnh phúc" in xml
    assert "Sở Tư pháp" in xml and "Sở Y tế" not in xml


def test_a_closed_surveys_links_say_so(client, world, s):
    client.force_login(world.admin)
    client.post(reverse("surveys:status", args=[s.pk]), {"status": "closed"})
    assert AuditEvent.objects.filter(action="survey.status", after="closed").exists()
    client.logout()
    r = client.get(form_url(s.tokens_made[2]))
    assert r.status_code == 200 and "Đợt khảo sát đã kết thúc" in r.content.decode()


def test_a_responses_file_in_no_encoding_we_read_is_a_message_not_an_error_page(client, world, s):
    """The upload page reads the file the API's way (parindex.surveys.files): a UTF-16 CSV
    (Excel's "Unicode text") is one clear message and nothing is stored."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(world.admin)
    data = "respondent,unit,TC1\nR1,so-tu-phap,5\n".encode("utf-16")
    r = client.post(
        reverse("surveys:import", args=[s.pk]),
        {"file": SimpleUploadedFile("phieu.csv", data)},
        follow=True,
    )
    html = r.content.decode()
    assert r.status_code == 200 and "Không nhập tệp phieu.csv: 1 lỗi" in html
    assert "UTF-16" in html and not Response.objects.filter(survey=s).exists()
