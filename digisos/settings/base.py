"""Settings for every environment; production differs only through environment variables.

Every variable is documented in .env.example.
"""

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from .parsers import env_bool, env_int, env_list, env_rate, env_str
from .paths import BASE_DIR, VAR_DIR

DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY is required when DEBUG is off.")
    SECRET_KEY = "insecure-dev-only-key-never-use-in-production"  # noqa: S105  # nosec B105

# Old keys stay valid for existing sessions and signed links while a new key is rolled out.
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS", [])

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("SITE_URL", "http://localhost:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "csp",
    "drf_spectacular_sidecar",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "tenants",
    "notifications",
    "incidents",
    "calloffs",
    "settlement",
    "statuspages",
    "onboarding",
    "aftercare",
    "readiness",
    "digisos",
]

MIDDLEWARE = [
    "digisos.metrics.MetricsMiddleware",  # first: times every request
    "digisos.request_cache.RequestCacheMiddleware",  # facts read once per request (digisos/request_cache.py)
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "digisos.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "digisos.middleware.GermanFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "digisos.body_limits.BodyLimitMiddleware",  # before CSRF: its check would parse the body
    "django.middleware.csrf.CsrfViewMiddleware",
    "tenants.authentication.AuthenticationMiddleware",  # Django's, the account read through compiled SQL
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "digisos.middleware.SessionTimeoutMiddleware",
    "tenants.middleware.RequireMFAMiddleware",
]

ROOT_URLCONF = "digisos.urls"
WSGI_APPLICATION = "digisos.wsgi.application"

# Form widgets render through templates/django/forms/ (KERN classes on every input); the common
# widgets in Python with the templates' exact output (digisos/form_renderer.py, issue 19).
FORM_RENDERER = "digisos.form_renderer.KernFormRenderer"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "digisos.context_processors.portal",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'digisos.sqlite3'}"
try:
    # Persistent connections (a new PostgreSQL backend costs the server milliseconds of CPU), checked
    # before first use in each request or task, so a restarted database costs no failed request.
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60, minimum=0), conn_health_checks=True
        )
    }
except Exception as exc:  # dj_database_url raises several kinds of errors on bad URLs
    raise ImproperlyConfigured(f"DATABASE_URL cannot be parsed: {exc}") from exc
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (allauth rate limits, sessions stay in the DB) -----------------------------------
CACHE_URL = env_str("CACHE_URL", "")
if CACHE_URL.startswith(("redis://", "rediss://")):
    # Django's Redis cache, keeping one client per connection pool (digisos/cache.py, issue 19).
    CACHES = {"default": {"BACKEND": "digisos.cache.RedisCache", "LOCATION": CACHE_URL}}
elif CACHE_URL in ("", "file"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }
elif CACHE_URL == "locmem":
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    raise ImproperlyConfigured(f"CACHE_URL={CACHE_URL!r}: use redis://…, 'file' or 'locmem'")

# --- Auth ---------------------------------------------------------------------------------
AUTH_USER_MODEL = "tenants.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

from .allauth import *  # noqa: E402,F403

# --- I18N ---------------------------------------------------------------------------------
LANGUAGE_CODE = "de"
LANGUAGES = [("de", _("Deutsch")), ("en", _("Englisch"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
USE_TZ = True

# --- Static files -------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Uploaded and generated files live outside the web root and are served only through views
# that check permissions.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))

# --- E-mail -------------------------------------------------------------------------------
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL cannot both be on.")
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10, minimum=1)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Digi-SOS <noreply@digisos.nrw.invalid>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Security -----------------------------------------------------------------------------
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 12 * 3600, minimum=300)
# Sessions are read from the cache (written to the database and the cache): one query less per
# page (issue 19). Ending a session goes through the session store, which drops both.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^health/$", r"^ready/$", r"^metrics$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
# Behind the TLS-terminating reverse proxy: the scheme and the client's address come from its headers
# (digisos.client_ip takes the right-most X-Forwarded-For entry, the one the proxy wrote).
BEHIND_PROXY = env_bool("BEHIND_PROXY", False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

from .audit import *  # noqa: E402,F403
from .celery import *  # noqa: E402,F403
from .notifications import *  # noqa: E402,F403
from .operations import *  # noqa: E402,F403
from .rest import *  # noqa: E402,F403
from .security import *  # noqa: E402,F403

CELERY_BEAT_SCHEDULE.update(AUDIT_BEAT_SCHEDULE)  # noqa: F405

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
INVITATION_VALID_DAYS = env_int("INVITATION_VALID_DAYS", 7, minimum=1)
# The demo accounts of seed_demo (public passwords and TOTP secrets) may log in with DEBUG off only if
# this is 1: a throwaway demonstration instance, never production.
DEMO_MODE = env_bool("DEMO_MODE", False)
# New documents (proof of work, re-renders) one account may ask for, "<n>/sec|min|hour|day": each is a
# PDF rendered by a worker.
# The largest request body a portal view takes unless it declares more (file uploads, digisos.body_limits);
# larger ones are answered 413 before they are read. Default: DATA_UPLOAD_MAX_MEMORY_SIZE + 64 KB.
REQUEST_MAX_BODY_BYTES = env_int("REQUEST_MAX_BODY_BYTES", DATA_UPLOAD_MAX_MEMORY_SIZE + 64 * 1024, minimum=4096)  # noqa: F405
DOCUMENT_REQUEST_RATE = env_rate("DOCUMENT_REQUEST_RATE", "20/hour")
# Requests for access (the public onboarding form, no account) one address may send, "<n>/sec|min|hour|day".
# A refused upload counts like a complete request (it costs a check of the file), so a spammer gains no
# extra attempts from refused files; 5 leaves an honest applicant with a wrong file type room to retry.
ONBOARDING_REQUEST_RATE = env_rate("ONBOARDING_REQUEST_RATE", "5/hour")
# Requests for access all addresses together may file per hour (a distributed flood from many
# addresses); beyond it the form asks to try later. Each request mails the ministry and a parent's admins.
ONBOARDING_REQUESTS_PER_HOUR = env_int("ONBOARDING_REQUESTS_PER_HOUR", 60, minimum=1)
# The largest network overview (PDF, PNG or JPEG) a body uploads to its readiness profile, in bytes.
READINESS_NETWORK_OVERVIEW_MAX_BYTES = env_int("READINESS_NETWORK_OVERVIEW_MAX_BYTES", 20 * 1024 * 1024, minimum=1024)
