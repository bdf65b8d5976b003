"""`make test` on SQLite leaves out the slow tests; the PostgreSQL run and `make test-all` run every test (issue 15)."""

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import SLOW

ROOT = Path(__file__).resolve().parent.parent
SERVICES = ("DATABASE_URL", "CELERY_BROKER_URL", "CACHE_URL")


def _make_n(target: str, **env: str) -> str:
    """The command `make` would run (``-n``), without (re)installing the virtualenv (``-o``)."""
    base = {k: v for k, v in os.environ.items() if k not in SERVICES and not k.startswith("PYTEST")}
    out = subprocess.run(
        ["make", "-s", "-n", "-o", ".venv/.installed-stamp", target],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    command = next(line for line in out.splitlines() if "-m pytest" in line)
    return command.split("-m pytest", 1)[1] + " "  # pytest's arguments


def test_make_test_on_sqlite_leaves_out_the_slow_tests():
    assert '-m "not slow"' in _make_n("test")


def test_the_postgresql_run_selects_every_test():
    command = _make_n("test", DATABASE_URL="postgres://postgres@127.0.0.1:5432/digisos_ci")
    assert " -m " not in command and "slow" not in command, command


def test_make_test_all_selects_every_test():
    command = _make_n("test-all")
    assert " -m " not in command and "slow" not in command, command


def test_postgresql_refuses_to_leave_out_the_slow_tests():
    env = {**os.environ, "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/digisos_never_created"}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-m", "not slow", "-p", "no:xdist"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 4, result.stdout + result.stderr  # pytest's usage error
    assert "runs every test, the slow ones too" in result.stderr


def test_every_slow_path_exists():
    """A renamed file must not silently stop being marked (and so run on SQLite again, or worse, never be found)."""
    missing = [path for path in SLOW if not (ROOT / path).exists()]
    assert not missing, missing


def test_the_sqlite_template_is_kept_outside_the_checkout(monkeypatch):
    """Tests do not write into the developer's var/ (issue 15): the migrated template lives in the
    system's temporary directory, one folder per checkout."""
    from django.conf import settings

    from tests.sqlite_template import template_folder

    monkeypatch.delenv("DIGISOS_TEST_DB_CACHE", raising=False)
    folder = template_folder().resolve()
    assert not folder.is_relative_to(Path(settings.BASE_DIR).resolve())
    assert not folder.is_relative_to(Path(settings.VAR_DIR).resolve())
    monkeypatch.setenv("DIGISOS_TEST_DB_CACHE", "/somewhere/else")
    assert template_folder() == Path("/somewhere/else")


def test_bytecode_is_kept_between_runs_outside_the_checkout():
    """PYTHONDONTWRITEBYTECODE (set on the CI machine) would make every xdist worker compile and rewrite every
    module again on every run; `make test` keeps the bytecode in the temporary directory instead, not in the tree."""
    base = {k: v for k, v in os.environ.items() if k not in SERVICES and not k.startswith("PYTEST")}
    out = subprocess.run(
        ["make", "-s", "-n", "-o", ".venv/.installed-stamp", "test"],
        cwd=ROOT,
        env={**base, "PYTHONDONTWRITEBYTECODE": "1", "TMPDIR": "/var/tmp"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    command = next(line for line in out.splitlines() if "-m pytest" in line)
    assert "PYTHONDONTWRITEBYTECODE= " in command, command
    prefix = command.split("PYTHONPYCACHEPREFIX=", 1)[1].split()[0]
    assert prefix.startswith("/var/tmp/digisos-pycache-"), prefix
    assert not Path(prefix).is_relative_to(ROOT)
