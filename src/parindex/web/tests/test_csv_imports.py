"""CSV imports as Excel writes them, through the pages (issue 8, part 7): ``;`` files and
Windows-1258 files import and say what was detected; a tab-separated, UTF-16 or
undecodable file is one clear Vietnamese message and nothing changes; the file's name is
the source; every upload form links a template."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from parindex.assessments.models import LeafScore
from parindex.audit.models import AuditEvent
from parindex.results.models import UnitMetric
from parindex.testing import cp1258_bytes
from parindex.units.models import Unit

from .conftest import sc

pytestmark = pytest.mark.django_db


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, "text/csv")


def external(client, w, name, data):
    client.force_login(w.admin)
    return client.post(
        reverse("cycle_external", args=[w.cycle.pk]), {"what": "csv", "file": upload(name, data)}
    )


def external_state(w):
    return sorted(
        LeafScore.objects.filter(assessment__cycle=w.cycle).values_list(
            "pk", "final_points", "not_applicable", "external_note"
        )
    )


def test_a_semicolon_file_imports_and_says_what_was_read(client, w):
    r = external(client, w, "diem-khao-sat.csv", b"unit;code;points\nso-tu-phap;2.1;3,5\n")
    body = r.content.decode()
    assert r.status_code == 200, body
    assert "Đã đọc tệp diem-khao-sat.csv (UTF-8, dấu phân cách “;”)" in body
    score = sc(w.a, "2.1")
    assert score.final_points == Decimal("3.5")
    # The file's name is the source: in the note the unit sees and in the audit row.
    assert score.external_note == "Nhập từ diem-khao-sat.csv"
    event = AuditEvent.objects.filter(action="score.external").latest("pk")
    assert "diem-khao-sat.csv" in str(event.after) + str(event.context)


def test_a_windows_1258_file_with_semicolons_imports(client, w):
    data = cp1258_bytes("unit;code;points\nso-tu-phap;2.1;2\nso-y-te;2.1;Không áp dụng\n")
    r = external(client, w, "khảo sát.csv", data)
    body = r.content.decode()
    assert "(Windows-1258, dấu phân cách “;”)" in body, body
    assert sc(w.a, "2.1").final_points == Decimal("2")
    assert LeafScore.objects.get(assessment=w.b, criterion__code="2.1").not_applicable


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"unit\tcode\tpoints\nso-tu-phap\t2.1\t3\n", "các cột cách nhau bằng dấu tab"),
        ("unit,code,points\nso-tu-phap,2.1,3\n".encode("utf-16"), "tệp mã hoá UTF-16"),
        (
            "unit,code,points\nso-tu-phap,2.1,3 Žé\n".encode("cp1252"),
            "tệp không phải UTF-8 hay Windows-1258",
        ),
    ],
    ids=["tabs", "utf-16", "latin-1"],
)
def test_a_file_of_the_wrong_separator_or_encoding_is_refused_and_nothing_changes(
    client, w, data, reason
):
    before = external_state(w)
    events = AuditEvent.objects.count()
    r = external(client, w, "sai.csv", data)
    body = r.content.decode()
    assert "Tệp có lỗi, chưa nhập điểm nào" in body and reason in body
    assert "Đã đọc tệp" not in body
    assert external_state(w) == before and AuditEvent.objects.count() == events
    # The metrics import says the same and saves nothing either.
    r = client.post(
        reverse("results_metrics", args=[w.cycle.pk]),
        {"action": "csv", "file": upload("sai.csv", data)},
    )
    assert r.status_code == 422 and reason in r.content.decode()
    assert not UnitMetric.objects.exists()


def test_the_api_reads_excel_files_too_and_refuses_the_others(client, w):
    client.force_login(w.admin)
    url = f"/api/cycles/{w.cycle.pk}/external-points"
    data = cp1258_bytes("unit;code;points\nso-tu-phap;2.1;1,5\nso-y-te;2.1;không áp dụng\n")
    r = client.post(url, {"file": upload("diem.csv", data)})
    assert r.status_code == 200, r.content
    assert r.json()["detected"] == "Windows-1258, dấu phân cách “;”"
    assert sc(w.a, "2.1").final_points == Decimal("1.5")
    r = client.post(url, {"file": upload("tab.csv", b"unit\tcode\tpoints\nso-tu-phap\t2.1\t3\n")})
    assert r.status_code == 400 and "dấu tab" in r.json()["errors"][0]["message"]
    assert sc(w.a, "2.1").final_points == Decimal("1.5")


def rows_of(response) -> list[list[str]]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")  # Excel shows the Vietnamese letters
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


def test_every_upload_form_links_a_template_that_imports_back(client, w):
    client.force_login(w.admin)
    page = client.get(reverse("cycle_external", args=[w.cycle.pk])).content.decode()
    url = reverse("cycle_external_template", args=[w.cycle.pk])
    assert url in page
    rows = rows_of(client.get(url))
    assert rows == [["unit", "code", "points"], ["so-tu-phap", "2.1", ""], ["so-y-te", "2.1", ""]]
    page = client.get(reverse("results_metrics", args=[w.cycle.pk])).content.decode()
    url = reverse("results_metrics_template", args=[w.cycle.pk])
    assert url in page
    rows = rows_of(client.get(url))
    assert rows[0] == ["unit", "metric", "value"]
    assert ["so-tu-phap", "late_dossier_rate", ""] in rows and len(rows) == 1 + 2 * 2
    page = client.get(reverse("unit_import")).content.decode()
    assert reverse("unit_template") in page
    rows = rows_of(client.get(reverse("unit_template")))
    assert rows[0] == ["unit", "name", "group", "parent", "kind"]
    assert any(r[:2] == ["so-tu-phap", "Sở Tư pháp"] for r in rows)
    # Filled in and saved by Excel (semicolons, Windows-1258), the template imports back.
    filled = (
        "\n".join(";".join(r) for r in rows)
        + "\nso-moi;Sở Khoa học và Công nghệ;"
        + rows[1][2]
        + ";;department\n"
    )
    r = client.post(
        reverse("unit_import"), {"file": upload("don-vi.csv", cp1258_bytes(filled))}, follow=True
    )
    body = r.content.decode()
    assert "Đã đọc tệp don-vi.csv (Windows-1258, dấu phân cách “;”)" in body, body
    assert Unit.objects.get(code="so-moi").name == "Sở Khoa học và Công nghệ"


def test_the_units_import_refuses_a_bad_file_with_its_rows_and_is_the_admins(client, w):
    client.force_login(w.staff)
    assert client.get(reverse("unit_import")).status_code == 404
    assert client.get(reverse("unit_template")).status_code == 404
    client.force_login(w.admin)
    count = Unit.objects.count()
    r = client.post(
        reverse("unit_import"),
        {"file": upload("dv.csv", b"unit,name,group,parent\nmoi,Moi,so,khong-co\n")},
    )
    assert (
        r.status_code == 422 and "Không tìm thấy đơn vị cấp trên “khong-co”" in r.content.decode()
    )
    assert Unit.objects.count() == count
