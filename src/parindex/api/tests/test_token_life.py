"""API tokens expire (401 after), and the "Khoá API" page lists, creates (the key shown
once) and revokes the user's own tokens, audited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from parindex.api.models import ApiToken
from parindex.api.services import token_create
from parindex.audit.models import AuditEvent
from parindex.testing import make_user

pytestmark = pytest.mark.django_db


def bearer(key: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def test_a_token_expires_after_the_configured_days(settings):
    settings.PARINDEX_API_TOKEN_DAYS = 30
    user = make_user("canbo", "unit_staff")
    token, key = token_create(user=user, name="ci", actor=user)
    life = token.expires_at - token.created_at
    assert timedelta(days=29, hours=23) < life <= timedelta(days=30)
    assert Client().get("/api/notifications", **bearer(key)).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert Client().get("/api/notifications", **bearer(key)).status_code == 401


def test_a_token_life_is_bounded():
    user = make_user("canbo", "unit_staff")
    with pytest.raises(ValidationError):
        token_create(user=user, name="mãi mãi", actor=user, days=10_000)


def test_the_api_keys_page_creates_shows_once_lists_and_revokes():
    user = make_user("canbo", "unit_staff")
    other = make_user("khac", "unit_staff")
    theirs, _ = token_create(user=other, name="của người khác", actor=other)
    client = Client()
    client.force_login(user)
    created = client.post("/tai-khoan/khoa-api/", {"name": "máy chủ báo cáo", "days": "7"})
    assert created.status_code == 200
    token = ApiToken.objects.get(user=user)
    page = created.content.decode()
    key = page.split('<code class="token-key">', 1)[1].split("<", 1)[0]
    assert key.startswith(token.prefix) and "chỉ hiện một lần" in page
    assert Client().get("/api/notifications", **bearer(key)).status_code == 200
    listing = client.get("/tai-khoan/khoa-api/").content.decode()
    assert "máy chủ báo cáo" in listing and key not in listing
    assert "của người khác" not in listing
    assert client.post(f"/tai-khoan/khoa-api/{theirs.pk}/thu-hoi/").status_code == 404
    assert client.post(f"/tai-khoan/khoa-api/{token.pk}/thu-hoi/").status_code == 302
    assert Client().get("/api/notifications", **bearer(key)).status_code == 401
    actions = set(AuditEvent.objects.filter(actor=user).values_list("action", flat=True))
    assert {"api_token.create", "api_token.revoke"} <= actions


def test_a_nameless_key_is_refused_with_a_message():
    user = make_user("canbo", "unit_staff")
    client = Client()
    client.force_login(user)
    response = client.post("/tai-khoan/khoa-api/", {"name": " "})
    assert response.status_code == 422 and "Hãy đặt tên" in response.content.decode()
    assert not ApiToken.objects.exists()
