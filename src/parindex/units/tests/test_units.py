from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from parindex.audit.models import AuditEvent
from parindex.formats.errors import FormatError
from parindex.formats.text import read_text_file
from parindex.formats.units import UNIT_KINDS, read_units_csv
from parindex.units import services
from parindex.units.models import (
    DivisionDataset,
    Unit,
    UnitGroup,
    UnitKind,
    predecessors,
    successors,
)
from parindex.units.services import lineage_add, units_import, units_load_divisions

pytestmark = pytest.mark.django_db


def test_load_gives_34_provinces_and_3321_communes_and_records_the_data_version():
    import vietnam_provinces

    stats = units_load_divisions()
    assert Unit.objects.filter(kind="province").count() == 34
    assert Unit.objects.filter(kind="commune").count() == 3321
    assert stats["provinces"] == 34 and stats["communes"] == 3321
    dataset = DivisionDataset.objects.get()
    assert dataset.data_version == str(vietnam_provinces.__data_version__)
    assert dataset.package_version
    assert (dataset.province_count, dataset.commune_count) == (34, 3321)
    ca_mau = Unit.objects.get(kind="province", official_code=96)
    assert ca_mau.name == "Tỉnh Cà Mau"
    assert ca_mau.children.filter(kind="commune").count() == 64
    assert AuditEvent.objects.filter(action="units.load_divisions").count() == 1


def test_a_second_load_changes_nothing():
    units_load_divisions()
    before = dict(Unit.objects.values_list("code", "pk"))
    stats = units_load_divisions()
    assert stats["created"] == 0 and stats["updated"] == 0
    assert dict(Unit.objects.values_list("code", "pk")) == before
    assert DivisionDataset.objects.count() == 2


def test_loading_one_province_groups_its_communes():
    stats = units_load_divisions(province="Cà Mau")
    assert stats == {**stats, "provinces": 1, "communes": 64}
    group = UnitGroup.objects.get(kind="commune")
    assert group.units.count() == 64
    assert Unit.objects.filter(kind="province").count() == 1
    # A later full load keeps the grouping.
    units_load_divisions()
    assert group.units.count() == 64


def test_an_unknown_province_is_refused_in_vietnamese():
    with pytest.raises(ValidationError, match="Không tìm thấy"):
        units_load_divisions(province="Atlantis")


CSV_OK = (
    "\ufeffunit,name,group,parent,kind\n"
    "so-tu-phap,Sở Tư pháp,Sở ban ngành,,department\n"
    "xa-a,Xã A,UBND xã,huyen-x,commune\n"
    "huyen-x,Huyện X (cũ),Khác,,other\n"
)


def units_import_csv(*, text=None, file_path=None, actor=None):
    """Read the CSV as the views and the CLI do, then import the rows."""
    name = "<văn bản>" if file_path is None else str(file_path)
    source = text if file_path is None else read_text_file(file_path)
    rows, problems = read_units_csv(source, name=name)
    return units_import(rows=rows, problems=problems, source=name, actor=actor)


def test_the_reader_knows_every_unit_kind():
    assert list(UNIT_KINDS) == list(UnitKind.values)


def test_csv_import_creates_units_groups_and_parents():
    stats = units_import_csv(text=CSV_OK, actor=None)
    assert stats["created"] == 3 and stats["groups_created"] == 3
    xa = Unit.objects.get(code="xa-a")
    assert xa.parent.code == "huyen-x"
    assert xa.group.name == "UBND xã" and xa.group.kind == "commune"
    # Re-importing is harmless.
    again = units_import_csv(text=CSV_OK, actor=None)
    assert again["created"] == 0 and again["updated"] == 0
    assert Unit.objects.count() == 3


def test_csv_import_updates_a_changed_unit():
    units_import_csv(text=CSV_OK, actor=None)
    renamed = CSV_OK.replace("Sở Tư pháp,Sở ban ngành", "Sở Tư pháp tỉnh,UBND xã")
    stats = units_import_csv(text=renamed, actor=None)
    assert stats["created"] == 0 and stats["updated"] == 1
    unit = Unit.objects.get(code="so-tu-phap")
    assert unit.name == "Sở Tư pháp tỉnh" and unit.group.name == "UBND xã"
    assert unit.kind == "department"


def test_csv_import_reads_a_file_with_bom(tmp_path):
    path = tmp_path / "donvi.csv"
    path.write_text("unit,name,group\nso-y-te,Sở Y tế,Sở ban ngành\n", encoding="utf-8-sig")
    units_import_csv(file_path=path, actor=None)
    assert Unit.objects.get(code="so-y-te").name == "Sở Y tế"


def test_csv_import_reports_every_bad_row_and_imports_nothing():
    text = (
        "unit,name,group,parent\n"
        "so-tu-phap,Sở Tư pháp,Sở ban ngành,\n"
        "so-y-te,,Sở ban ngành,\n"  # missing name
        "so-tu-phap,Trùng,Sở ban ngành,\n"  # duplicate code
        "xa-b,Xã B,UBND xã,khong-co\n"  # unknown parent
    )
    with pytest.raises(FormatError) as info:
        units_import_csv(text=text, actor=None)
    where = {(p.line, p.column) for p in info.value.problems}
    assert where == {(3, "name"), (4, "unit"), (5, "parent")}
    assert "Thiếu tên" in str(info.value)
    assert "trùng" in str(info.value)
    assert "khong-co" in str(info.value)
    assert not Unit.objects.exists() and not UnitGroup.objects.exists()
    assert not AuditEvent.objects.exists()


def test_csv_import_needs_the_header_columns():
    with pytest.raises(FormatError, match="Thiếu cột"):
        units_import_csv(text="code,name\nx,y\n", actor=None)


def test_lineage_follows_results_across_the_2025_merger():
    group = UnitGroup.objects.create(code="tinh", name="Tỉnh", kind="province")
    ca_mau_old = Unit.objects.create(code="ca_mau_cu", name="Cà Mau (cũ)", group=group)
    bac_lieu = Unit.objects.create(code="bac_lieu", name="Bạc Liêu", group=group)
    ca_mau = Unit.objects.create(code="ca_mau", name="Cà Mau", group=group)
    older = Unit.objects.create(code="bac_lieu_1990", name="Minh Hải (phần)", group=group)
    for old in (ca_mau_old, bac_lieu):
        lineage_add(
            predecessor=old, successor=ca_mau, kind="merged", effective=date(2025, 7, 1), actor=None
        )
    lineage_add(
        predecessor=older, successor=bac_lieu, kind="split", effective=date(1997, 1, 1), actor=None
    )
    assert {u.code for u in predecessors(ca_mau)} == {"ca_mau_cu", "bac_lieu", "bac_lieu_1990"}
    assert [u.code for u in successors(older)] == ["bac_lieu", "ca_mau"]
    assert AuditEvent.objects.filter(action="lineage.add").count() == 3
    with pytest.raises(ValidationError, match="vòng lặp"):
        lineage_add(
            predecessor=ca_mau,
            successor=older,
            kind="merged",
            effective=date(2026, 1, 1),
            actor=None,
        )


def test_a_failing_service_leaves_neither_the_change_nor_the_audit_row(monkeypatch):
    real_record = services.record

    def record_then_fail(**kwargs):
        real_record(**kwargs)
        raise RuntimeError("mất kết nối giữa chừng")

    monkeypatch.setattr(services, "record", record_then_fail)
    with pytest.raises(RuntimeError):
        services.unit_create(code="so-tu-phap", name="Sở Tư pháp", actor=None)
    assert not Unit.objects.exists()
    assert not AuditEvent.objects.exists()


def test_unit_create_is_audited():
    unit = services.unit_create(code="so-tu-phap", name="Sở Tư pháp", actor=None)
    event = AuditEvent.objects.get()
    assert (event.action, event.object_id) == ("unit.create", str(unit.pk))
    assert event.after["code"] == "so-tu-phap"
