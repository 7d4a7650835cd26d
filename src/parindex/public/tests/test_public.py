"""The public page: no login, published cycles only, nothing internal."""

from __future__ import annotations

import csv
import io
import re
import subprocess

import pytest
from django.urls import reverse

from parindex.assessments.models import LeafScore
from parindex.reports.tests.conftest import need
from parindex.web.tests.results_case import CONDITION_REASON, REASON, build


@pytest.fixture
def c(db):
    return build(5)


def test_the_list_shows_published_cycles_only(client, c):
    r = client.get(reverse("public:index"))
    assert r.status_code == 200
    assert reverse("public:cycle", args=[c.old.pk]) in r.text
    assert reverse("public:cycle", args=[c.cycle.pk]) not in r.text


def test_a_published_cycle_is_open_to_everyone(client, c):
    r = client.get(reverse("public:cycle", args=[c.old.pk]))
    assert r.status_code == 200
    for unit in c.units:
        assert unit.name in r.text
    assert f'id="rank-{c.group.pk}" type="application/json"' in r.text
    assert "Xếp loại" in r.text


def test_unpublished_or_unknown_cycles_are_404(client, c):
    for pk in [c.cycle.pk, 9999]:
        assert client.get(reverse("public:cycle", args=[pk])).status_code == 404
        assert client.get(reverse("public:csv", args=[pk])).status_code == 404
    client.force_login(c.admin)  # even for the admin: the public page is the public view
    assert client.get(reverse("public:cycle", args=[c.cycle.pk])).status_code == 404


def test_the_public_page_carries_no_reasons_notes_or_provisional_data(client, c):
    assert LeafScore.objects.filter(assessment__cycle=c.old, round1_reason=REASON).exists()
    LeafScore.objects.filter(assessment__cycle=c.old).update(explanation="Giải trình nội bộ XYZ")
    for url in [reverse("public:cycle", args=[c.old.pk]), reverse("public:csv", args=[c.old.pk])]:
        body = client.get(url).content.decode("utf-8-sig")
        assert REASON not in body
        assert CONDITION_REASON not in body
        assert "Giải trình nội bộ XYZ" not in body
        assert "tạm tính" not in body


def test_the_csv_lists_the_ranking(client, c):
    r = client.get(reverse("public:csv", args=[c.old.pk]))
    assert r["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["nhom", "xep_hang", "ma_don_vi", "don_vi"]
    assert len(rows) == 6
    assert {row[3] for row in rows[1:]} == {u.name for u in c.units}


def test_only_public_safe_files_are_offered(client, c):
    r = client.get(reverse("public:cycle", args=[c.old.pk]))
    assert reverse("public:download", args=[c.old.pk, "csv"]) in r.text
    assert reverse("public:download", args=[c.old.pk, "pdf"]) in r.text
    assert reverse("public:download", args=[c.old.pk, "xlsx"]) not in r.text
    for kind in ["xlsx", "docx", "exe"]:
        assert client.get(reverse("public:download", args=[c.old.pk, kind])).status_code == 404
    assert client.get(reverse("public:download", args=[c.cycle.pk, "pdf"])).status_code == 404


def test_the_public_pdf_has_the_units_and_no_internal_reasons(client, c, tmp_path):
    need("pdftotext")  # skipped only outside CI
    r = client.get(reverse("public:download", args=[c.old.pk, "pdf"]))
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    pdf = tmp_path / "ket-qua.pdf"
    pdf.write_bytes(r.content)
    out = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True)
    text = re.sub(r"\s+", " ", out.stdout)
    assert c.a.name in text
    for internal in [REASON[:20], CONDITION_REASON[:20], "Vòng 1"]:
        assert internal not in text
