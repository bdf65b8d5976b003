"""The API's settings from the environment fail loudly on bad values."""

import os
import subprocess
import sys

import pytest


@pytest.mark.parametrize(
    ("env", "ok"),
    [
        ({"API_RATE_LIMIT": "120/min", "API_MAX_UPLOAD_BYTES": "5000000"}, True),
        ({"API_RATE_LIMIT": "viele"}, False),
        ({"API_RATE_LIMIT": "0/min"}, False),
        ({"API_MAX_UPLOAD_BYTES": "10"}, False),
    ],
)
def test_api_limits_from_the_environment(env, ok):
    code = "import django; django.setup(); from django.conf import settings; print(settings.API_RATE_LIMIT)"
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "digisos.settings.test", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (result.returncode == 0) is ok, result.stderr[-500:]
    if not ok:
        assert "ImproperlyConfigured" in result.stderr
