"""Settings for the test suite: the same as base, made deterministic and fast.

DATABASE_URL / CELERY_BROKER_URL from the environment still apply, so that CI runs the
same suite against PostgreSQL and Redis.
"""

import os

os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "test-only-secret-key-0123456789abcdef0123456789")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("CACHE_URL", "locmem")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
# The in-process broker; tests that need a real worker set CELERY_BROKER_URL themselves.
os.environ.setdefault("CELERY_BROKER_URL", "memory://")
# A public test key (refused by `check --deploy`); checkpoints go to a file only where a test says so.
os.environ.setdefault("AUDIT_KEY", "test-only:test-only-audit-key-0123456789abcdef0123456789")
os.environ.setdefault("AUDIT_CHECKPOINT_FILE", "")

from .base import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only  # noqa: S303
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = False
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False

# Uploaded and generated files of the test run go to a throwaway folder.
import tempfile  # noqa: E402

MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="digisos-test-media-"))  # noqa: F405
