"""Login throttling (django-axes): ten wrong passwords then the right one are refused on
the app's login page, the Django admin and the API; the admin unlocks; the audit row."""

from __future__ import annotations

import pytest
from django.test import Client

from parindex.accounts.lockout import API_TOKEN_USERNAME, client_ip, locked_attempts
from parindex.api.services import token_create
from parindex.audit.models import AuditEvent
from parindex.testing import PASSWORD, make_user

pytestmark = pytest.mark.django_db

LOCKED = "Tài khoản tạm bị khoá vì nhập sai mật khẩu quá nhiều lần"


def _login(client: Client, username: str, password: str, url: str = "/dang-nhap/") -> object:
    return client.post(url, {"username": username, "password": password})


def test_ten_wrong_passwords_then_the_right_one_is_refused_on_the_login_page():
    user = make_user("canbo", "unit_staff")
    client = Client()
    for _ in range(10):
        _login(client, user.username, "sai-mat-khau-roi")
    response = _login(client, user.username, PASSWORD)
    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert client.get("/").status_code == 302  # still signed out


def test_ten_wrong_passwords_then_the_right_one_is_refused_on_the_admin_login():
    make_user("sieuquantri", "admin", is_staff=True, is_superuser=True)
    client = Client()
    for _ in range(10):
        _login(client, "sieuquantri", "sai-mat-khau-roi", "/admin/login/")
    response = _login(client, "sieuquantri", PASSWORD, "/admin/login/?next=/admin/")
    assert response.status_code == 429 and LOCKED in response.content.decode()
    assert client.get("/admin/").status_code == 302


def test_the_lock_is_per_username_and_address_not_the_whole_office():
    """Colleagues behind the same NAT address keep logging in while one name is locked."""
    make_user("canbo", "unit_staff")
    colleague = make_user("dongnghiep", "unit_staff")
    office = Client(REMOTE_ADDR="203.0.113.7")
    for _ in range(6):
        _login(office, "canbo", "sai-mat-khau-roi")
    assert _login(office, "canbo", PASSWORD).status_code == 429
    other = Client(REMOTE_ADDR="203.0.113.7")
    assert _login(other, colleague.username, PASSWORD).status_code == 302


def test_a_right_password_before_the_limit_logs_in_and_clears_the_count():
    make_user("canbo", "unit_staff")
    client = Client()
    for _ in range(4):
        _login(client, "canbo", "sai-mat-khau-roi")
    assert _login(client, "canbo", PASSWORD).status_code == 302
    assert not locked_attempts().exists()


def test_the_admin_unlocks_an_account_from_the_app_and_it_is_audited():
    user = make_user("canbo", "unit_staff")
    admin = make_user("quantri", "admin")
    client = Client()
    for _ in range(10):
        _login(client, user.username, "sai-mat-khau-roi")
    assert _login(client, user.username, PASSWORD).status_code == 429
    page = Client()
    page.force_login(admin)
    listing = page.get("/quan-tri/bao-mat/").content.decode()
    assert "canbo" in listing and "Mở khoá" in listing
    attempt = locked_attempts().get()
    response = page.post(f"/quan-tri/bao-mat/mo-khoa/{attempt.pk}/")
    assert response.status_code == 302
    assert _login(client, user.username, PASSWORD).status_code == 302
    event = AuditEvent.objects.get(action="login.unlock")
    assert event.actor == admin and event.object_id == str(user.pk)
    assert event.after["username"] == "canbo"


def test_only_the_admin_sees_the_unlock_page(world):
    client = Client()
    client.force_login(world.staff)
    assert client.get("/quan-tri/bao-mat/").status_code == 404


def test_repeated_bad_api_tokens_from_an_address_are_throttled():
    user = make_user("canbo", "unit_staff")
    _, key = token_create(user=user, name="ci", actor=user)
    client = Client(REMOTE_ADDR="198.51.100.9")
    for i in range(10):
        bad = client.get("/api/notifications", HTTP_AUTHORIZATION=f"Bearer pix_sai{i}")
        assert bad.status_code in (401, 429)
    response = client.get("/api/notifications", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 429
    assert "khoá API sai" in response.json()["detail"]
    assert locked_attempts().get().username == API_TOKEN_USERNAME
    # Another address with the good key is not affected, and password logins neither.
    elsewhere = Client(REMOTE_ADDR="198.51.100.10")
    ok = elsewhere.get("/api/notifications", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert ok.status_code == 200
    assert _login(client, "canbo", PASSWORD).status_code == 302


def test_the_client_address_comes_from_x_forwarded_for_only_behind_trusted_proxies(settings):
    from django.test import RequestFactory

    request = RequestFactory().get(
        "/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.5"
    )
    settings.PARINDEX_TRUSTED_PROXIES = 0
    assert client_ip(request) == "127.0.0.1"  # a client could forge the header
    settings.PARINDEX_TRUSTED_PROXIES = 1
    assert client_ip(request) == "203.0.113.5"  # what nginx saw


def test_with_no_cool_off_the_lock_lasts_until_the_admin_lifts_it(settings):
    settings.AXES_COOLOFF_TIME = None  # PARINDEX_LOGIN_COOLOFF_MINUTES=0
    make_user("canbo", "unit_staff")
    client = Client()
    for _ in range(5):
        _login(client, "canbo", "sai-mat-khau-roi")
    response = _login(client, "canbo", PASSWORD)
    assert response.status_code == 429
    assert "liên hệ Quản trị Sở Nội vụ để mở khoá" in response.content.decode()
    assert "Retry-After" not in response
