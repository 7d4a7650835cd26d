"""The status history of a national sync JSON file: stored per dossier, replaced only when
the dossier changed, shown on the dossier's page; and a first import that fails in the
database leaves nothing behind (rows, steps nor dropped indexes)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.urls import reverse

from parindex.dossiers import importing
from parindex.dossiers.models import Dossier, DossierStep
from parindex.dossiers.services import dossier_import_file
from parindex.dossiers.tests.samples import write_export
from parindex.jobs.status import JobStatus

pytestmark = pytest.mark.django_db(transaction=False)

HISTORY = [
    {"TrangThai": 2, "ThoiDiemXuLy": "20250303080000", "NguoiXuLy": "Văn thư",
     "PhongBanXuLy": "Bộ phận một cửa"},
    {"TrangThai": "Đang xử lý", "ThoiDiemXuLy": "20250304090000", "NguoiXuLy": "Nguyễn Văn A",
     "PhongBanXuLy": "Phòng Hộ tịch"},
    {"TrangThai": 9, "ThoiDiemXuLy": "20250306160000", "NguoiXuLy": "Nguyễn Văn A"},
    {"TrangThai": 10, "ThoiDiemXuLy": "20250307100000", "NguoiXuLy": "Văn thư"},
]  # fmt: skip


def _sync(code: str, history: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    item: dict[str, Any] = {
        "MaHoSo": code,
        "MaTTHC": "2.000815",
        "DonViXuLy": "Sở Tư pháp",
        "KenhThucHien": 2,
        "TrangThaiHoSo": 10,
        "NgayTiepNhan": "20250303080000",
        "NgayHenTra": "20250310170000",
        "NgayKetThucXuLy": "20250306160000",
        "NgayTra": "20250307100000",
    }
    if history is not None:
        item["QuaTrinhXuLy"] = history
    return item


def _write(folder: Path, items: list[dict[str, Any]], name: str = "dong-bo.json") -> Path:
    path = folder / name
    path.write_text(json.dumps({"data": items}, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _steps(code: str) -> list[tuple[Any, ...]]:
    return list(
        DossierStep.objects.filter(dossier__code=code)
        .order_by("order")
        .values_list("order", "status", "official", "unit_text")
    )


def test_a_sync_file_stores_each_dossiers_status_history(world, tmp_path):
    job = dossier_import_file(
        path=_write(tmp_path, [_sync("J-1", HISTORY), _sync("J-2")]), actor=None
    )
    assert job.status == JobStatus.DONE, job.message
    assert _steps("J-1") == [
        (0, 2, "Văn thư", "Bộ phận một cửa"),
        (1, 4, "Nguyễn Văn A", "Phòng Hộ tịch"),  # "Đang xử lý" through the dvcqg table
        (2, 9, "Nguyễn Văn A", ""),
        (3, 10, "Văn thư", ""),
    ]
    first = DossierStep.objects.get(dossier__code="J-1", order=0)
    assert first.at.isoformat() == "2025-03-03T01:00:00+00:00"  # 08:00 in Hà Nội
    assert _steps("J-2") == []  # no history given


def test_re_import_replaces_the_steps_only_of_a_changed_dossier(world, tmp_path):
    items = [_sync("J-1", HISTORY), _sync("J-2", HISTORY[:2])]
    dossier_import_file(path=_write(tmp_path, items), actor=None)
    kept = set(DossierStep.objects.values_list("pk", flat=True))
    again = dossier_import_file(path=_write(tmp_path, items), actor=None)
    assert (again.created, again.changed, again.unchanged) == (0, 0, 2)
    assert set(DossierStep.objects.values_list("pk", flat=True)) == kept  # not rewritten

    # only J-2's history changed: it counts as a changed dossier, and only its steps move
    j1 = set(DossierStep.objects.filter(dossier__code="J-1").values_list("pk", flat=True))
    changed = [_sync("J-1", HISTORY), _sync("J-2", HISTORY[:3])]
    job = dossier_import_file(path=_write(tmp_path, changed), actor=None)
    assert (job.created, job.changed, job.unchanged) == (0, 1, 1)
    assert set(DossierStep.objects.filter(dossier__code="J-1").values_list("pk", flat=True)) == j1
    assert [s[1] for s in _steps("J-2")] == [2, 4, 9]

    # a newer version from a CSV export (which has no history) keeps the stored steps
    csv = write_export(
        tmp_path,
        ["J-2;2.000815;Hộ tịch;Sở Tư pháp;Nguyễn Văn A;2;10;03/03/2025 08:00;"
         "10/03/2025 17:00;08/03/2025 09:00;"],
    )  # fmt: skip
    assert dossier_import_file(path=csv, actor=None).changed == 1
    assert [s[1] for s in _steps("J-2")] == [2, 4, 9]


def test_the_detail_page_shows_the_history_as_a_table(client, world, tmp_path):
    dossier_import_file(path=_write(tmp_path, [_sync("J-1", HISTORY), _sync("J-2")]), actor=None)
    client.force_login(world.staff)
    d = Dossier.objects.get(code="J-1")
    html = client.get(reverse("dossiers:detail", args=[d.pk])).content.decode()
    table = html[html.index("<h2>Quá trình xử lý</h2>") :].split("</table>")[0]
    assert "<caption>Quá trình xử lý hồ sơ J-1 theo tệp đồng bộ (4 bước)</caption>" in table
    assert '<th scope="col">Thời điểm xử lý</th>' in table
    assert table.count('<th scope="row">') == 4
    assert "09:00 04/03/2025" in table and "Phòng Hộ tịch" in table
    assert "9 — " in table and "Nguyễn Văn A" in table
    other = Dossier.objects.get(code="J-2")
    html = client.get(reverse("dossiers:detail", args=[other.pk])).content.decode()
    assert "Quá trình xử lý</h2>" not in html and "không có quá trình xử lý" in html
    client.force_login(world.other_staff)  # Sở Y tế: not theirs
    assert client.get(reverse("dossiers:detail", args=[d.pk])).status_code == 404


def test_the_api_detail_carries_the_same_history(client, world, tmp_path):
    dossier_import_file(path=_write(tmp_path, [_sync("J-1", HISTORY), _sync("J-2")]), actor=None)
    client.force_login(world.staff)
    d = Dossier.objects.get(code="J-1")
    steps = client.get(f"/api/dossiers/{d.pk}").json()["steps"]
    assert [s["status"] for s in steps] == [s[1] for s in _steps("J-1")]
    assert steps[-1]["status_name"] and any(s["official"] == "Nguyễn Văn A" for s in steps)
    other = Dossier.objects.get(code="J-2")
    assert client.get(f"/api/dossiers/{other.pk}").json()["steps"] == []


def _index_names() -> set[str]:
    with connection.cursor() as cur:
        return {
            i
            for i, c in connection.introspection.get_constraints(
                cur, Dossier._meta.db_table
            ).items()
            if c["index"] or c["unique"]
        }


def test_a_first_import_failing_in_the_database_leaves_nothing(world, tmp_path, monkeypatch):
    indexes = _index_names()
    assert "dossier_code_unique" in indexes and "dossier_year_unit" in indexes

    def broken(job_id: int | None) -> None:
        assert Dossier.objects.count() == 2  # the rows were written, the indexes dropped
        raise RuntimeError("disk full")

    monkeypatch.setattr(importing, "_write_apologies", broken)
    path = _write(tmp_path, [_sync("J-1", HISTORY), _sync("J-2")])
    with pytest.raises(RuntimeError):
        dossier_import_file(path=path, actor=None)
    assert Dossier.objects.count() == 0 and DossierStep.objects.count() == 0
    assert _index_names() == indexes
    monkeypatch.undo()
    assert dossier_import_file(path=path, actor=None).created == 2
    assert _index_names() == indexes
    assert dossier_import_file(path=path, actor=None).unchanged == 2  # the upsert's key is back
