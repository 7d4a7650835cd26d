"""The status-mapping page (Sở Nội vụ): add, edit and delete a source's status value →
national code, refused with a clear message when the code is not 1–10 or the value is
already mapped; the import uses the rows; the API does the same through the services."""

from __future__ import annotations

import pytest
from django.urls import reverse

from parindex.audit.models import AuditEvent
from parindex.dossiers.models import Dossier, StatusMapping
from parindex.dossiers.services import dossier_import_file
from parindex.dossiers.tests.samples import ROWS, write_export

pytestmark = pytest.mark.django_db
URL = reverse("dossiers:mappings")


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _add(client, **form):
    return client.post(URL, {"source": "igate", "value": "Chờ ký số", "code": "4", **form})


def test_an_added_mapping_is_listed_audited_and_used_by_the_next_import(client, world, tmp_path):
    client.force_login(world.admin)
    r = _add(client)
    assert r.status_code == 302
    made = StatusMapping.objects.get()
    assert (made.source, made.value, made.code) == ("igate", "Chờ ký số", 4)
    html = client.get(URL).content.decode()
    assert "Chờ ký số" in html and "4 — Đang xử lý" in html
    event = AuditEvent.objects.get(action="dossiers.status_mapping_create")
    assert event.actor == world.admin and event.after["code"] == 4
    # a file of that source with the value (any case, no diacritics) maps to code 4
    row = ROWS[0].replace(";2;10;", ";2;cho ky so;", 1)
    job = dossier_import_file(path=write_export(tmp_path, [row]), source="igate", actor=None)
    assert job.status == "done", job.message
    assert Dossier.objects.get(code="TP-001").status == 4


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"code": "11"}, "phải là số nguyên từ 1 đến 10"),
        ({"code": "x"}, "phải là số nguyên từ 1 đến 10"),
        ({"value": "  "}, "Nhập giá trị trạng thái"),
        ({"source": "khac"}, "Chọn hệ thống nguồn"),
    ],
)
def test_a_bad_mapping_is_refused_with_the_typed_values_kept(client, world, form, message):
    client.force_login(world.admin)
    r = _add(client, **form)
    assert r.status_code == 400
    html = r.content.decode()
    assert message in html and 'role="alert"' in html and 'aria-invalid="true"' in html
    assert StatusMapping.objects.count() == 0


def test_a_duplicate_value_is_refused_even_without_diacritics(client, world):
    client.force_login(world.admin)
    _add(client)
    r = _add(client, value="CHO KY SO", code="9")
    assert r.status_code == 400
    assert "đã có giá trị “Chờ ký số” (→ mã 4)" in r.content.decode()
    assert StatusMapping.objects.count() == 1
    # the same value for another source is another row
    assert _add(client, source="opencps").status_code == 302


def test_a_mapping_is_edited_and_deleted_with_audit_rows(client, world):
    client.force_login(world.admin)
    _add(client)
    other = _add(client, value="Đã ký")
    assert other.status_code == 302
    m = StatusMapping.objects.get(value="Chờ ký số")
    edit = reverse("dossiers:mapping_edit", args=[m.pk])
    assert "Chờ ký số" in client.get(edit).content.decode()
    clash = client.post(edit, {"source": "igate", "value": "da ky", "code": "4"})
    assert clash.status_code == 400 and "đã có giá trị “Đã ký”" in clash.content.decode()
    assert (
        client.post(edit, {"source": "igate", "value": "Chờ ký số", "code": "9"}).status_code == 302
    )
    m.refresh_from_db()
    assert m.code == 9
    changed = AuditEvent.objects.get(action="dossiers.status_mapping_update")
    assert (changed.before["code"], changed.after["code"]) == (4, 9)
    assert client.post(reverse("dossiers:mapping_delete", args=[m.pk])).status_code == 302
    assert not StatusMapping.objects.filter(pk=m.pk).exists()
    assert AuditEvent.objects.get(action="dossiers.status_mapping_delete").before["value"] == (
        "Chờ ký số"
    )


def test_the_import_page_links_to_the_mapping_page(client, world):
    client.force_login(world.admin)
    assert URL in client.get(reverse("dossiers:imports")).content.decode()


def test_the_api_manages_mappings_through_the_same_checks(client, world):
    client.force_login(world.admin)
    api = "/api/dossier-status-mappings"
    made = client.post(api, {"source": "igate", "value": "Chờ ký số", "code": 4},
                       content_type="application/json")  # fmt: skip
    assert made.status_code == 201
    pk = made.json()["id"]
    dup = client.post(api, {"source": "igate", "value": "cho ky so", "code": 5},
                      content_type="application/json")  # fmt: skip
    assert dup.status_code == 400 and "đã có giá trị" in dup.json()["detail"]
    bad = client.put(f"{api}/{pk}", {"source": "igate", "value": "Chờ ký số", "code": 0},
                     content_type="application/json")  # fmt: skip
    assert bad.status_code == 400 and "từ 1 đến 10" in bad.json()["detail"]
    assert [m["code"] for m in client.get(api, {"source": "igate"}).json()] == [4]
    assert client.delete(f"{api}/{pk}").status_code == 200
    assert client.get(api).json() == []
    client.force_login(world.staff)
    assert client.get(api).status_code == 404
