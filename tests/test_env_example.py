""".env.example lists every environment variable the code reads (STYLE.md §8): the names passed to the
typed parsers (digisos/settings/parsers.py) and to os.environ / os.getenv anywhere in the apps, the
project package, the Gunicorn configuration and bin/."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ["digisos", "tenants", "incidents", "calloffs", "notifications", "bin"]
#: Set by the test settings for the test run only, or by the platform rather than by an operator.
NOT_SETTINGS = {"DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}

READ = re.compile(
    r"""(?:\benv_\w+\(\s*|os\.environ\.get\(\s*|os\.environ\[\s*|os\.getenv\(\s*|environ\.get\(\s*)["']([A-Z][A-Z0-9_]+)["']"""
)
#: ``NAME=value`` lines, and ``NAME_FILE=…`` alternatives named in a comment.
LISTED = re.compile(r"\b([A-Z][A-Z0-9_]+)=")


def names_read() -> dict[str, str]:
    found = {}
    for top in SOURCES:
        for path in sorted((ROOT / top).rglob("*")):
            if path.suffix not in (".py", "") or not path.is_file() or "migrations" in path.parts:
                continue
            if path.name == "test.py" and path.parent.name == "settings":
                continue  # the test run's own defaults
            try:
                text = path.read_text()
            except UnicodeDecodeError:
                continue
            for name in READ.findall(text):
                found.setdefault(name, str(path.relative_to(ROOT)))
    return found


def names_listed() -> set[str]:
    return set(LISTED.findall((ROOT / ".env.example").read_text()))


def test_the_finder_sees_the_settings():
    read = names_read()
    # A finder that found nothing would let every variable through.
    assert {"SECRET_KEY", "DATABASE_URL", "CELERY_BROKER_URL", "AUDIT_KEY", "SESSION_IDLE_TIMEOUT"} <= set(read)


def test_env_example_lists_every_setting_the_code_reads():
    missing = {name: where for name, where in names_read().items() if name not in names_listed() | NOT_SETTINGS}
    assert not missing, f".env.example lacks (name → first file reading it): {missing}"
