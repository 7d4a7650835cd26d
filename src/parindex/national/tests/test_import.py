"""Importing the Ministry's published results: good files (UTF-8 BOM and Windows-1258,
``;``, decimal comma; Excel), bad files (every problem listed with its line, nothing
saved), replacing a year atomically with an audit row, and the admin-only rule."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from parindex.audit.models import AuditEvent
from parindex.formats.errors import FormatError
from parindex.frameworks.models import Framework
from parindex.national.models import NationalDataset, NationalScore
from parindex.national.services import national_dataset_import
from parindex.national.tests.helpers import national_world, seed_national_units
from parindex.testing import cp1258_bytes

pytestmark = pytest.mark.django_db


def test_the_sample_files_import_with_their_encodings_and_separators(world):
    years = national_world()
    assert sorted(years) == [2023, 2024, 2025]
    y2024 = years[2024]  # the Windows-1258 file
    assert y2024.home.code == "ca_mau"
    bl = NationalScore.objects.get(dataset=y2024, unit__code="bac_lieu_truoc_2025", code="")
    assert bl.region == "Đồng bằng sông Cửu Long"
    assert years[2025].scores.filter(code="").count() == 34
    ca_mau = NationalScore.objects.get(dataset=years[2025], unit__code="ca_mau", code="3.3")
    assert ca_mau.points <= Decimal("3.5")  # decimal comma read as a decimal


def _fw() -> Framework:
    return Framework.objects.get(code="mau-par-index-quoc-gia")


def test_unknown_provinces_and_criteria_are_all_listed_with_their_lines(world):
    years = national_world()
    before = NationalScore.objects.filter(dataset=years[2025]).count()
    text = (
        "tinh;ma;diem\n"
        "Tỉnh Cà Mau;1;8,5\n"
        "Tỉnh Hà Tây;tổng;70\n"
        "Tỉnh Cà Mau;9.9;1\n"
        "Tỉnh Cà Mau;2;12\n"
        "Tỉnh Cà Mau;3;abc\n"
    )
    with pytest.raises(FormatError) as exc:
        national_dataset_import(
            framework=_fw(), year=2025, kind="par", file_name="loi.csv",
            data=cp1258_bytes(text), actor=world.admin,
        )  # fmt: skip
    messages = [str(p) for p in exc.value.problems]
    assert any("dòng 3" in m and "Hà Tây" in m for m in messages)
    assert any("dòng 4" in m and "9.9" in m for m in messages)
    assert any("dòng 5" in m and "tối đa 10" in m for m in messages)
    assert any("dòng 6" in m and "không phải là số" in m for m in messages)
    # nothing saved: the 2025 dataset is the one imported before
    assert NationalScore.objects.filter(dataset=years[2025]).count() == before
    assert NationalDataset.objects.get(year=2025, kind="par").file_name == "mau-par-index-2025.csv"


def test_a_re_import_replaces_the_year_atomically_and_is_audited(world):
    national_world()
    data = (
        "tinh,ma,diem,vung\nTỉnh Cà Mau,,81.5,Đồng bằng sông Cửu Long\nThành phố Cần Thơ,tổng,80\n"
    )
    ds = national_dataset_import(
        framework=_fw(), year=2025, kind="par", file_name="moi.csv",
        data=data.encode(), actor=world.admin,
    )  # fmt: skip
    assert NationalDataset.objects.filter(year=2025, kind="par").count() == 1
    assert ds.scores.count() == 2
    event = AuditEvent.objects.filter(action="national.replace").latest("id")
    assert event.before["file"] == "mau-par-index-2025.csv" and event.after["rows"] == 2


def test_an_excel_workbook_imports(world):
    seed_national_units()
    national_world()
    wb = Workbook()
    ws = wb.active
    ws.append(["Tỉnh", "Mã", "Điểm", "Vùng"])
    ws.append(["Cà Mau", "tổng", 82.25, "Đồng bằng sông Cửu Long"])
    ws.append(["ha_noi", "1", 9, "Đồng bằng sông Hồng"])
    buf = io.BytesIO()
    wb.save(buf)
    ds = national_dataset_import(
        framework=_fw(), year=2022, kind="par", file_name="kq.xlsx", data=buf.getvalue(),
        actor=world.admin,
    )  # fmt: skip
    assert dict(ds.scores.values_list("code", "points")) == {
        "": Decimal("82.25"),
        "1": Decimal("9"),
    }


def test_only_the_admin_imports(world, client):
    national_world()
    with pytest.raises(PermissionDenied):
        national_dataset_import(
            framework=_fw(), year=2026, kind="par", file_name="a.csv",
            data=b"tinh;ma;diem\nCa Mau;;80\n", actor=world.leader,
        )  # fmt: skip
    client.force_login(world.leader)
    r = client.post(reverse("national:import"), {"year": "2026"})
    assert r.status_code == 404


def test_the_import_page_lists_the_problems_and_keeps_nothing(world, client):
    national_world()
    client.force_login(world.admin)
    upload = SimpleUploadedFile("loi.csv", cp1258_bytes("tinh;ma;diem\nTỉnh Hà Tây;;70\n"))
    r = client.post(
        reverse("national:import"),
        {"year": "2026", "kind": "par", "framework": _fw().pk, "file": upload},
    )
    assert r.status_code == 400
    assert "dòng 2" in r.content.decode() and "Hà Tây" in r.content.decode()
    assert not NationalDataset.objects.filter(year=2026).exists()
    good = SimpleUploadedFile("kq.csv", "tinh;ma;diem\nTỉnh Cà Mau;;80\n".encode())
    r = client.post(
        reverse("national:import"),
        {"year": "2026", "kind": "par", "framework": _fw().pk, "file": good},
    )
    assert r.status_code == 302
    assert NationalDataset.objects.get(year=2026).scores.count() == 1


def test_the_home_province_carries_over_to_a_file_where_all_have_the_same_rows(world):
    years = national_world()
    sipas = NationalDataset.objects.get(year=2025, kind="sipas")
    assert years[2025].home.code == "ca_mau" and sipas.home.code == "ca_mau"
