"""Settings, read from the environment. SQLite works on a fresh checkout; PostgreSQL by
setting DATABASE_URL. See docs/configuration.md for every variable."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from django.utils.csp import CSP

from parindex.config.env import database_from_url, env_bool, env_int, env_list, env_str

#: Where the SQLite database, evidence files and collected static files live.
DATA_DIR = Path(env_str("PARINDEX_DATA_DIR", str(Path.cwd() / "var"))).resolve()

DEBUG = env_bool("PARINDEX_DEBUG", False)
SECRET_KEY = env_str("PARINDEX_SECRET_KEY") or env_str("SECRET_KEY")
if not SECRET_KEY:
    # Only acceptable for local use; `parindex serve` refuses to start without a key.
    SECRET_KEY = "insecure-local-only-set-PARINDEX_SECRET_KEY"
ALLOWED_HOSTS = env_list("PARINDEX_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("PARINDEX_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tasks_db",
    "parindex.jobs",
    "axes",  # login throttling and lock-out (docs/SECURITY.md)
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "ninja",  # its Swagger UI assets, served locally as static files
    "parindex.accounts",
    "parindex.audit",
    "parindex.units",
    "parindex.frameworks",
    "parindex.cycles",
    "parindex.assessments",
    "parindex.evidence",
    "parindex.notifications",
    "parindex.results",
    "parindex.reports",
    "parindex.surveys",
    "parindex.dossiers",
    "parindex.national",
    "parindex.improvement",
    "parindex.oversight",
    "parindex.public",
    "parindex.api",
    "parindex.web",
]

MIDDLEWARE = [
    "parindex.accounts.middleware.RequestSizeLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "parindex.web.compression.TextGZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "parindex.accounts.middleware.TwoFactorMiddleware",
    "parindex.accounts.middleware.AdminGateMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a lock-out into the lock-out page
]

# Content-Security-Policy (issue 9 part 5), without 'unsafe-inline': scripts and styles come
# from our static files; chart data travels in <script type="application/json"> blocks
# (json_script), which are data, not scripts. A page that really needs an inline script
# writes <script nonce="{{ csp_nonce }}">. See docs/accessibility.md ("No inline code").
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

ROOT_URLCONF = "parindex.config.urls"
WSGI_APPLICATION = "parindex.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "parindex.web.context_processors.site",
            ],
        },
    },
]

DATABASES = {
    "default": database_from_url(env_str("DATABASE_URL"), DATA_DIR / "parindex.sqlite3"),
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out username+address before the password is even checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Every password set (forms, user_create, the demo loader) passes these (ASVS V2.1.1: ≥ 12).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "parindex.accounts.passwords.MinimumLengthValidator",
        "OPTIONS": {"min_length": env_int("PARINDEX_PASSWORD_MIN_LENGTH", 12)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Login throttling (django-axes): PARINDEX_LOGIN_FAILURE_LIMIT wrong passwords for one
# username from one address lock that pair for PARINDEX_LOGIN_COOLOFF_MINUTES. Not by
# address alone: a whole office behind one NAT address must not be locked out by one
# attacker (docs/SECURITY.md).
AXES_ENABLED = env_bool("PARINDEX_LOGIN_THROTTLING", True)
AXES_FAILURE_LIMIT = env_int("PARINDEX_LOGIN_FAILURE_LIMIT", 5)
_COOLOFF_MINUTES = env_int("PARINDEX_LOGIN_COOLOFF_MINUTES", 30)
# 0: no cool-off, the lock lasts until the admin lifts it (axes' None).
AXES_COOLOFF_TIME = timedelta(minutes=_COOLOFF_MINUTES) if _COOLOFF_MINUTES > 0 else None
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "parindex.accounts.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "parindex.accounts.lockout.client_ip"
AXES_VERBOSE = False
#: Reverse proxies in front of the app whose X-Forwarded-For is trusted (nginx: 1).
PARINDEX_TRUSTED_PROXIES = env_int("PARINDEX_TRUSTED_PROXIES", 0)

# Two-factor authentication (django-otp, TOTP + recovery codes): required for these roles
# when PARINDEX_REQUIRE_2FA is true (the default; `parindex demo` turns it off).
PARINDEX_REQUIRE_2FA = env_bool("PARINDEX_REQUIRE_2FA", True)
PARINDEX_2FA_ROLES = env_list("PARINDEX_2FA_ROLES", "admin,appraiser")
OTP_TOTP_ISSUER = env_str("PARINDEX_2FA_ISSUER", "parindex")

#: Days an API token lives (PARINDEX_API_TOKEN_DAYS); an expired token gets 401.
PARINDEX_API_TOKEN_DAYS = env_int("PARINDEX_API_TOKEN_DAYS", 90)
#: The Django admin (/admin/): off → 404; PARINDEX_ADMIN_ALLOWED_IPS limits it to addresses.
PARINDEX_ADMIN_ENABLED = env_bool("PARINDEX_ADMIN_ENABLED", True)
PARINDEX_ADMIN_ALLOWED_IPS = env_list("PARINDEX_ADMIN_ALLOWED_IPS")
# Vietnamese pages for a refused form post (and 400/403/404/500: config/urls.py).
CSRF_FAILURE_VIEW = "parindex.web.errors.csrf_failure"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt")]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
# WhiteNoise serves from the finders; the directory only has to exist.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Evidence files live outside the web root and are served only through permission checks.
MEDIA_ROOT = Path(env_str("PARINDEX_MEDIA_ROOT", str(DATA_DIR / "media")))
#: Hashed static file names (cached for a year) once `collectstatic` wrote the manifest —
#: `parindex demo` and `parindex serve` run it — or when asked to (the collectstatic run
#: itself). Without a manifest (tests, a bare checkout) the files are served from the apps.
STATIC_MANIFEST = (
    env_bool("PARINDEX_STATIC_MANIFEST", False) or (STATIC_ROOT / "staticfiles.json").exists()
)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "parindex.web.staticfiles.StaticStorage"
        if STATIC_MANIFEST
        else "whitenoise.storage.CompressedStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = True
# WhiteNoise sends hashed names with `Cache-Control: max-age=315360000, public, immutable`
# (their content never changes), other files with 60 s.

SESSION_COOKIE_HTTPONLY = True
#: Behind HTTPS (nginx terminating TLS, docs/SECURITY.md): HSTS, the redirect to https://,
#: secure cookies, and the scheme read from nginx's X-Forwarded-Proto.
PARINDEX_HTTPS = env_bool("PARINDEX_HTTPS", False)
SESSION_COOKIE_SECURE = PARINDEX_HTTPS or env_bool("PARINDEX_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
if PARINDEX_HTTPS:
    SECURE_SSL_REDIRECT = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("PARINDEX_HSTS_SECONDS", 365 * 24 * 3600)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("PARINDEX_HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:
        # Preloading is a commitment to HTTPS for every subdomain, for good: the operator's
        # decision (docs/configuration.md), not a default.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True

# Django 6.1 mailers: the console backend by default, SMTP when configured.
_EMAIL_BACKEND = env_str("PARINDEX_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
_EMAIL_OPTIONS: dict[str, object] = {}
if _EMAIL_BACKEND.endswith("smtp.EmailBackend"):
    _EMAIL_OPTIONS = {
        "host": env_str("PARINDEX_EMAIL_HOST", "localhost"),
        "port": env_int("PARINDEX_EMAIL_PORT", 25),
        "username": env_str("PARINDEX_EMAIL_USER"),
        "password": env_str("PARINDEX_EMAIL_PASSWORD"),
        "use_tls": env_bool("PARINDEX_EMAIL_TLS", False),
    }
MAILERS = {"default": {"BACKEND": _EMAIL_BACKEND, "OPTIONS": _EMAIL_OPTIONS}}
DEFAULT_FROM_EMAIL = env_str("PARINDEX_FROM_EMAIL", "parindex@localhost")

# Background work (imports, exports, recomputation, reminders) runs through django.tasks
# with a database-backed queue: no broker. `parindex worker` runs the queue and the schedule.
TASKS = {
    "default": {
        "BACKEND": env_str("PARINDEX_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

#: A running task's claim lasts this many seconds; its worker renews it every quarter of
#: it. A task whose lease has passed (its worker was killed) is run again by the next
#: worker, at most PARINDEX_JOB_MAX_ATTEMPTS times in all, then marked failed.
PARINDEX_JOB_LEASE_SECONDS = env_int("PARINDEX_JOB_LEASE_SECONDS", 60)
PARINDEX_JOB_MAX_ATTEMPTS = env_int("PARINDEX_JOB_MAX_ATTEMPTS", 3)
#: Test only: seconds a recompute or an export sleeps at its first progress point, so a
#: test can kill the worker mid-task. Always 0 in production.
PARINDEX_JOB_TEST_DELAY = env_int("PARINDEX_JOB_TEST_DELAY", 0)

#: Largest evidence file accepted, in bytes (issue: 20 MB).
PARINDEX_MAX_UPLOAD_BYTES = env_int("PARINDEX_MAX_UPLOAD_BYTES", 20 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
#: Largest request body of any kind (413 above it): the evidence limit plus the form around it.
PARINDEX_MAX_REQUEST_BYTES = env_int(
    "PARINDEX_MAX_REQUEST_BYTES", PARINDEX_MAX_UPLOAD_BYTES + 1024 * 1024
)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

#: Largest dossier file accepted by the import (bytes; default 8 GB — files are streamed).
PARINDEX_DOSSIER_MAX_BYTES = env_int("PARINDEX_DOSSIER_MAX_BYTES", 8 * 1024**3)
#: The province code stored with imported dossiers (their unique key is province + code).
PARINDEX_PROVINCE_CODE = env_str("PARINDEX_PROVINCE_CODE")

#: The province this installation serves, as printed on reports ("Tỉnh Cà Mau"); empty =
#: the province unit's name.
PARINDEX_PROVINCE_NAME = env_str("PARINDEX_PROVINCE_NAME")
#: Địa danh in "<địa danh>, ngày … tháng … năm …" on reports; empty = the province name.
PARINDEX_REPORT_PLACE = env_str("PARINDEX_REPORT_PLACE")
#: A .docx template replacing the shipped report template (an uploaded one wins).
PARINDEX_REPORT_TEMPLATE = env_str("PARINDEX_REPORT_TEMPLATE")
#: Signature block and header of the official report (Nghị định 30/2020 layout).
PARINDEX_REPORT: dict[str, str | list[str]] = {
    key: value
    for key, value in {
        "co_quan": env_str("PARINDEX_REPORT_ISSUER"),
        "so_ky_hieu": env_str("PARINDEX_REPORT_NUMBER"),
        "quyen_han_ky": env_str("PARINDEX_REPORT_SIGN_AUTHORITY"),
        "chuc_vu_ky": env_str("PARINDEX_REPORT_SIGNER_TITLE"),
        "nguoi_ky": env_str("PARINDEX_REPORT_SIGNER"),
    }.items()
    if value
}
if env_str("PARINDEX_REPORT_RECIPIENTS"):
    PARINDEX_REPORT["noi_nhan"] = [
        r.strip() for r in env_str("PARINDEX_REPORT_RECIPIENTS").split(";") if r.strip()
    ]

#: Decimals shown for points and indices (DESIGN §4: 2 by default, some provinces use 3).
PARINDEX_DISPLAY_DECIMALS = env_int("PARINDEX_DISPLAY_DECIMALS", 2)
PARINDEX_SITE_NAME = env_str("PARINDEX_SITE_NAME", "Chỉ số cải cách hành chính")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("PARINDEX_LOG_LEVEL", "WARNING")},
}

#: The public survey form (issue 10): requests per IP address and minute before the
#: friendly "too many" page (Django's cache counts them; 0 = no limit).
PARINDEX_SURVEY_RATE_LIMIT = env_int("PARINDEX_SURVEY_RATE_LIMIT", 120)
