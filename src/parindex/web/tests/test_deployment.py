"""Deployment settings: PARINDEX_HTTPS turns on HSTS, the https redirect and secure
cookies; `manage.py check --deploy` is clean under the documented production
configuration (docs/SECURITY.md); the request-size cap (413); /admin/ off or limited."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client, override_settings

from parindex.testing import make_user

SRC = str(Path(__file__).resolve().parents[3])

#: The production configuration of docs/SECURITY.md (HTTPS behind nginx, SMTP mail).
PRODUCTION = {
    "PARINDEX_HTTPS": "true",
    "PARINDEX_DEBUG": "false",
    "PARINDEX_ALLOWED_HOSTS": "cchc.example.gov.vn",
    "PARINDEX_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    "PARINDEX_TRUSTED_PROXIES": "1",
}


def _django(tmp_path: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    full = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PARINDEX_", "DATABASE_URL"))
    }
    full |= {
        "PYTHONPATH": SRC,
        "DJANGO_SETTINGS_MODULE": "parindex.config.settings",
        "PARINDEX_DATA_DIR": str(tmp_path),
        "PARINDEX_SECRET_KEY": secrets.token_urlsafe(50),
        **env,
    }
    return subprocess.run(
        [sys.executable, "-m", "django", *args], env=full, capture_output=True, text=True
    )


def test_check_deploy_is_clean_under_the_production_configuration(tmp_path):
    result = _django(tmp_path, PRODUCTION, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stderr + result.stdout


def test_check_deploy_fails_without_https(tmp_path):
    env = {**PRODUCTION, "PARINDEX_HTTPS": "false"}
    result = _django(tmp_path, env, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0 and "security.W004" in result.stderr


def test_one_setting_turns_on_hsts_the_redirect_and_secure_cookies(tmp_path):
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, "
        "s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
        "list(s.SECURE_PROXY_SSL_HEADER or [])]))"
    )
    on = _django(tmp_path, {"PARINDEX_HTTPS": "true"}, "shell", "-c", code)
    hsts, subdomains, redirect, session, csrf, proxy = json.loads(on.stdout.splitlines()[-1])
    assert hsts >= 31536000 and subdomains and redirect and session and csrf
    assert proxy == ["HTTP_X_FORWARDED_PROTO", "https"]
    off = json.loads(_django(tmp_path, {}, "shell", "-c", code).stdout.splitlines()[-1])
    assert off[0] == 0 and not any(off[1:5])


@pytest.mark.django_db
def test_behind_nginx_https_pages_carry_hsts_and_http_is_redirected():
    with override_settings(
        SECURE_HSTS_SECONDS=31536000,
        SECURE_HSTS_INCLUDE_SUBDOMAINS=True,
        SECURE_SSL_REDIRECT=True,
        SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"),
    ):
        client = Client()
        plain = client.get("/dang-nhap/")
        assert plain.status_code == 301 and plain["Location"].startswith("https://")
        secure = client.get("/dang-nhap/", HTTP_X_FORWARDED_PROTO="https")
        assert secure.status_code == 200
        assert secure["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


@pytest.mark.django_db
def test_a_request_over_the_size_cap_gets_a_vietnamese_413(settings):
    settings.PARINDEX_MAX_REQUEST_BYTES = 1024
    client = Client()
    client.force_login(make_user("canbo", "unit_staff"))
    big = "x" * 4096
    page = client.post("/tai-khoan/khoa-api/", {"name": big})
    assert page.status_code == 413 and "quá lớn" in page.content.decode()
    api = client.post("/api/tokens", {"name": big}, content_type="application/json")
    assert api.status_code == 413 and "quá lớn" in api.json()["detail"]
    small = client.post("/tai-khoan/khoa-api/", {"name": "nhỏ"})
    assert small.status_code == 200


@pytest.mark.django_db
def test_the_admin_site_can_be_turned_off_or_limited_to_addresses(settings):
    superuser = make_user("sieuquantri", "admin", is_staff=True, is_superuser=True)
    client = Client(REMOTE_ADDR="192.0.2.10")
    client.force_login(superuser)
    assert client.get("/admin/").status_code == 200
    settings.PARINDEX_ADMIN_ENABLED = False
    assert client.get("/admin/").status_code == 404
    assert client.get("/admin/login/").status_code == 404
    assert client.get("/").status_code == 200  # the app itself is untouched
    settings.PARINDEX_ADMIN_ENABLED = True
    settings.PARINDEX_ADMIN_ALLOWED_IPS = ["10.0.0.5"]
    assert client.get("/admin/").status_code == 404
    inside = Client(REMOTE_ADDR="10.0.0.5")
    inside.force_login(superuser)
    assert inside.get("/admin/").status_code == 200
