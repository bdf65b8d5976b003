"""Settings of the status-page benchmark only (bench/status_page.py): production settings (DEBUG
off) plus a URL conf with a bare Django view to compare with. Never used by the application itself."""

import os

os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-0123456789abcdef0123456789")
os.environ.setdefault("AUDIT_KEY", "bench-only:bench-only-audit-key-0123456789abcdef0123456789")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("LOG_LEVEL", "WARNING")

from digisos.settings.base import *  # noqa: E402,F403

ROOT_URLCONF = "status_page_urls"
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
