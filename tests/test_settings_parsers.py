import pytest
from django.core.exceptions import ImproperlyConfigured

from digisos.settings.parsers import env_bool, env_choice, env_int, env_keyring, env_list, env_str


def test_env_bool():
    assert env_bool("X", environ={"X": "yes"}) is True
    assert env_bool("X", environ={"X": "0"}) is False
    assert env_bool("X", True, environ={}) is True
    with pytest.raises(ImproperlyConfigured, match="X='maybe' is not a boolean"):
        env_bool("X", environ={"X": "maybe"})


def test_env_int():
    assert env_int("X", 3, environ={"X": "7"}) == 7
    assert env_int("X", 3, environ={}) == 3
    with pytest.raises(ImproperlyConfigured, match="not a whole number"):
        env_int("X", 3, environ={"X": "7s"})
    with pytest.raises(ImproperlyConfigured, match="at least 1"):
        env_int("X", 3, minimum=1, environ={"X": "0"})


def test_env_list_and_choice():
    assert env_list("X", environ={"X": "a, b,,c"}) == ["a", "b", "c"]
    assert env_choice("X", ("a", "b"), "a", environ={"X": "b"}) == "b"
    with pytest.raises(ImproperlyConfigured):
        env_choice("X", ("a", "b"), "a", environ={"X": "c"})


def test_secrets_can_come_from_files(tmp_path):
    path = tmp_path / "secret"
    path.write_text("s3cret\n")
    assert env_str("SECRET_KEY", environ={"SECRET_KEY_FILE": str(path)}) == "s3cret"
    with pytest.raises(ImproperlyConfigured, match="cannot be read"):
        env_str("SECRET_KEY", environ={"SECRET_KEY_FILE": str(tmp_path / "missing")})


def _throwaway_var_dir() -> str:
    """What the settings under test write (SQLite file, broker folders) goes here, never into the developer's var/."""
    import tempfile

    return tempfile.mkdtemp(prefix="digisos-settings-test-")


def _settings_in_subprocess(env):
    import os
    import subprocess
    import sys

    full = {
        k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SECRET_KEY", "DEBUG", "CELERY_BROKER_URL")
    }
    full["DIGISOS_VAR_DIR"] = _throwaway_var_dir()
    full.update(env)
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='digisos.settings.base'; "
            "from django.conf import settings; "
            "print(settings.DATABASES['default']['ENGINE'], settings.CELERY_BROKER_URL)",
        ],
        env=full,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_secret_key_is_required_when_debug_is_off():
    result = _settings_in_subprocess({"DEBUG": "0"})
    assert result.returncode != 0 and "SECRET_KEY is required" in result.stderr


def test_defaults_are_the_embedded_ones():
    result = _settings_in_subprocess({"DEBUG": "1"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.sqlite3", "filesystem://"]


def test_bad_urls_fail_loudly():
    result = _settings_in_subprocess({"DEBUG": "1", "CELERY_BROKER_URL": "amqp://x"})
    assert result.returncode != 0 and "CELERY_BROKER_URL" in result.stderr
    result = _settings_in_subprocess({"DEBUG": "1", "DATABASE_URL": "nosuchdb://x"})
    assert result.returncode != 0 and "DATABASE_URL" in result.stderr


def test_env_keyring(tmp_path):
    secret, older = "s" * 32, "o" * 40
    assert env_keyring("K", environ={"K": f"k2:{secret},k1:{older}"}) == [("k2", secret), ("k1", older)]
    path = tmp_path / "audit_key"
    path.write_text(f"# newest first\nk2:{secret}\n\nk1:{older}\n")
    assert env_keyring("K", environ={"K_FILE": str(path)}) == [("k2", secret), ("k1", older)]
    assert env_keyring("K", environ={}) == []
    for bad, message in [
        ("k1:short", "fewer than 32"),
        (secret, "is not '<key-id>:<secret>'"),
        (f"k 1:{secret}", "is not"),
        (f"k1:{secret},k1:{older}", "appears twice"),
    ]:
        with pytest.raises(ImproperlyConfigured, match=message):
            env_keyring("K", environ={"K": bad})


def test_the_audit_key_is_required_when_debug_is_off():
    result = _settings_in_subprocess({"DEBUG": "0", "SECRET_KEY": "x" * 50, "AUDIT_KEY": ""})
    assert result.returncode != 0 and "AUDIT_KEY_FILE (or AUDIT_KEY) is required" in result.stderr


def _deploy_check(**extra):
    import os
    import secrets
    import subprocess
    import sys

    # Only the deployment's own variables: drop what the test settings put into os.environ.
    dropped = (
        "DEBUG",
        "SECRET_KEY",
        "DJANGO_SETTINGS_MODULE",
        "SECURE_SSL_REDIRECT",
        "ALLOWED_HOSTS",
        "CACHE_URL",
        "DJANGO_ALLOW_ASYNC_UNSAFE",
        "AUDIT_KEY",
        "AUDIT_CHECKPOINT_FILE",
    )
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update({"DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "digisos.example.nrw.de"})
    env["DIGISOS_VAR_DIR"] = _throwaway_var_dir()
    env.update(extra)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_public_audit_keys_fail_the_deploy_check():
    for key_id in ("test-only", "dev-insecure"):
        result = _deploy_check(AUDIT_KEY=f"{key_id}:{'x' * 40}")
        assert result.returncode != 0
        assert "digisos.E001" in result.stderr + result.stdout and key_id in result.stderr + result.stdout


def test_production_settings_pass_the_deploy_check(tmp_path):
    import secrets

    key_file = tmp_path / "audit_key"
    key_file.write_text(f"2026-12:{secrets.token_urlsafe(48)}\n")
    result = _deploy_check(AUDIT_KEY_FILE=str(key_file))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
