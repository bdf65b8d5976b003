"""Settings of the API benchmark only (bench/api_throughput.py): production settings (DEBUG off)
on the benchmark's own PostgreSQL database, plus a URL conf with a bare DRF view to compare with.
Never used by the application itself."""

import os

os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-0123456789abcdef0123456789")
os.environ.setdefault("AUDIT_KEY", "bench-only:bench-only-audit-key-0123456789abcdef0123456789")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("CACHE_URL", "locmem")
os.environ.setdefault("API_RATE_LIMIT", "1000000/min")
os.environ.setdefault("LOG_LEVEL", "WARNING")

from digisos.settings.base import *  # noqa: E402,F403

ROOT_URLCONF = "api_bench_urls"
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
