"""Token and session authentication, the error format, and the locally served docs."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from django.test import Client

from parindex.api.models import ApiToken
from parindex.api.services import hash_key, token_authenticate, token_create, token_revoke
from parindex.audit.models import AuditEvent
from parindex.cycles.services import cycle_create
from parindex.frameworks.services import framework_import
from parindex.testing import make_group, make_unit, make_user, tiny_framework

pytestmark = pytest.mark.django_db


@pytest.fixture
def cycle():
    group = make_group()
    fw = framework_import(framework=tiny_framework(), actor=None)
    return cycle_create(
        year=2025, name="Kỳ 2025", frameworks={group: fw}, units=[make_unit("a")], actor=None
    )


def bearer(key: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def test_a_token_is_shown_once_and_only_its_hash_is_stored(cycle):
    admin = make_user("snv", "admin")
    token, key = token_create(user=admin, name="máy chủ báo cáo", actor=admin)
    assert key.startswith("pix_") and len(key) > 40
    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.key_hash == hash_key(key) and key not in stored.key_hash
    assert stored.prefix == key[:12]
    assert AuditEvent.objects.filter(action="api_token.create").count() == 1


def test_a_bearer_token_authenticates_and_records_its_last_use(client, cycle):
    admin = make_user("snv", "admin")
    token, key = token_create(user=admin, name="ci", actor=admin)
    response = client.get("/api/cycles", **bearer(key))
    assert response.status_code == 200
    assert response.json()["items"][0]["name"] == "Kỳ 2025"
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_anonymous_wrong_and_revoked_tokens_get_401_in_vietnamese(client, cycle):
    admin = make_user("snv", "admin")
    token, key = token_create(user=admin, name="ci", actor=admin)
    token_revoke(token=token, actor=admin)
    for headers in ({}, bearer("pix_sai"), bearer(key), {"HTTP_AUTHORIZATION": "Basic eA=="}):
        response = client.get("/api/cycles", **headers)
        assert response.status_code == 401
        body = response.json()
        assert body["errors"] == [] and "khoá API" in body["detail"]
    assert token_authenticate(plaintext=key) is None


def test_a_deactivated_users_token_stops_working(client, cycle):
    user = make_user("snv", "admin")
    _, key = token_create(user=user, name="ci", actor=user)
    user.is_active = False
    user.save()
    assert client.get("/api/cycles", **bearer(key)).status_code == 401


def test_a_user_cannot_create_tokens_for_someone_else():
    from django.core.exceptions import PermissionDenied

    a, b = make_user("a", "leader"), make_user("b", "leader")
    with pytest.raises(PermissionDenied):
        token_create(user=b, name="x", actor=a)
    assert token_create(user=b, name="x", actor=make_user("snv", "admin"))[0].user == b


def test_the_session_works_and_session_writes_need_the_csrf_token(cycle):
    leader = make_user("lanhdao", "leader")
    client = Client(enforce_csrf_checks=True)
    client.force_login(leader)
    assert client.get("/api/cycles").status_code == 200
    refused = client.post("/api/tokens", {"name": "x"}, content_type="application/json")
    assert refused.status_code == 403 and "CSRF" in refused.json()["detail"]
    assert not ApiToken.objects.exists()
    client.get("/api/docs")  # sets the CSRF cookie
    csrf = client.cookies["csrftoken"].value
    created = client.post(
        "/api/tokens", {"name": "x"}, content_type="application/json", HTTP_X_CSRFTOKEN=csrf
    )
    assert created.status_code == 201 and created.json()["key"].startswith("pix_")


def test_an_anonymous_write_is_401_not_a_csrf_error():
    client = Client(enforce_csrf_checks=True)
    response = client.post("/api/tokens", {"name": "x"}, content_type="application/json")
    assert response.status_code == 401


def test_a_bearer_write_needs_no_csrf_token(cycle):
    admin = make_user("snv", "admin")
    _, key = token_create(user=admin, name="ci", actor=admin)
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/api/notifications/read", content_type="application/json", **bearer(key)
    )
    assert response.status_code == 200


def test_a_token_cannot_create_tokens(cycle):
    admin = make_user("snv", "admin")
    _, key = token_create(user=admin, name="ci", actor=admin)
    response = Client().post(
        "/api/tokens", {"name": "khác"}, content_type="application/json", **bearer(key)
    )
    assert response.status_code == 401
    assert list(ApiToken.objects.filter(user=admin).values_list("name", flat=True)) == ["ci"]


def test_users_list_create_and_revoke_their_own_tokens_only(client):
    a, b = make_user("a", "unit_staff"), make_user("b", "unit_staff")
    theirs, _ = token_create(user=b, name="của b", actor=b)
    client.force_login(a)
    created = client.post("/api/tokens", {"name": "của a"}, content_type="application/json")
    assert created.status_code == 201
    mine = created.json()
    assert "key" in mine and "key_hash" not in mine
    listed = client.get("/api/tokens").json()
    assert [t["name"] for t in listed] == ["của a"] and "key" not in listed[0]
    assert client.delete(f"/api/tokens/{theirs.pk}").status_code == 404
    revoked = client.delete(f"/api/tokens/{mine['id']}")
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    empty = client.post("/api/tokens", {"name": " "}, content_type="application/json")
    assert empty.status_code == 400 and empty.json()["errors"][0]["field"] == "name"


def test_schema_errors_use_the_same_format(client):
    client.force_login(make_user("a", "unit_staff"))
    response = client.post("/api/tokens", {"nam": "x"}, content_type="application/json")
    assert response.status_code == 422
    body = response.json()
    assert body["detail"].startswith("Dữ liệu gửi lên không hợp lệ")
    assert body["errors"] == [{"field": "payload.name", "message": "Thiếu giá trị bắt buộc."}]


def test_the_management_command_prints_a_working_key_once(capsys, client, cycle):
    make_user("snv", "admin")
    call_command("api_token", "snv", "--name", "báo cáo")
    key = capsys.readouterr().out.strip()
    assert client.get("/api/cycles", **bearer(key)).status_code == 200
    call_command("api_token", "snv", "--list")
    assert "báo cáo" in capsys.readouterr().out
    call_command("api_token", "snv", "--revoke", key[:12])
    assert client.get("/api/cycles", **bearer(key)).status_code == 401


def test_every_operation_has_a_summary_and_the_bearer_scheme_is_documented(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    spec = response.json()
    assert spec["info"]["title"] == "parindex API"
    operations = [
        (path, method, op)
        for path, item in spec["paths"].items()
        for method, op in item.items()
        if method in ("get", "post", "put", "patch", "delete")
    ]
    assert len(operations) >= 30
    for path, method, op in operations:
        assert op.get("summary"), f"{method.upper()} {path} has no summary"
    schemes = spec["components"]["securitySchemes"]
    assert any(s.get("scheme") == "bearer" for s in schemes.values())


def test_the_docs_page_uses_no_external_url_and_its_assets_are_served(client):
    response = client.get("/api/docs")
    assert response.status_code == 200
    page = response.content.decode()
    assert "swagger-ui" in page
    assert "http" not in page.replace('"validatorUrl": null', "")
    assets = re.findall(r'(?:href|src)="([^"]+)"', page)
    assert len(assets) >= 3
    for url in assets:
        assert url.startswith("/"), url
        asset = client.get(url)
        assert asset.status_code == 200, url
        assert b"".join(asset.streaming_content), url
    assert client.get("/api/docs/assets/..%2Fsettings.py").status_code == 404
