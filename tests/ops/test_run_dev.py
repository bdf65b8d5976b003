"""`make run` (bin/run-dev) points absolute links (e-mails, PDFs, QR codes) at the port it serves on."""

import os
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # the checkout (this file is tests/ops/…)


def run_dev(tmp_path, **env):
    """Runs a copy of bin/run-dev in tmp_path with PY replaced by a recorder of its arguments and SITE_URL
    (nothing is started). The script works in its checkout (it creates var/celery/…): the copy's
    checkout is tmp_path, so the test writes nothing into the developer's var/."""
    (tmp_path / "bin").mkdir()
    script = tmp_path / "bin" / "run-dev"
    shutil.copy2(ROOT / "bin" / "run-dev", script)
    record = tmp_path / "calls.txt"
    recorder = tmp_path / "py"
    # Each call records itself, then waits (at most 10 s) until all three have: the script stops the others
    # as soon as one exits (wait -n), and a recorder stopped before it wrote would lose its line.
    recorder.write_text(
        f'#!/bin/sh\necho "$* SITE_URL=$SITE_URL" >> {record}\n'
        f'i=0; while [ "$(wc -l < {record})" -lt 3 ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i+1)); done\n'
    )
    recorder.chmod(0o755)
    environment = {k: v for k, v in os.environ.items() if k != "SITE_URL"} | env
    environment |= {"PY": str(recorder), "RUN_DEV_PAUSE": "0"}  # no banner pause: nothing is started
    result = subprocess.run(  # noqa: S603
        ["bash", str(script)],  # noqa: S607
        env=environment,
        capture_output=True,
        text=True,
        timeout=30,
        cwd=tmp_path,
    )
    calls = record.read_text().splitlines()
    return result, next(line for line in calls if "runserver" in line), calls


def test_site_url_follows_the_port(tmp_path):
    result, runserver, calls = run_dev(tmp_path, PORT="8123")
    assert "runserver 127.0.0.1:8123" in runserver
    assert all(line.endswith("SITE_URL=http://127.0.0.1:8123") for line in calls), calls
    assert "runs at http://127.0.0.1:8123/" in result.stdout
    assert (tmp_path / "var" / "celery" / "broker").is_dir()  # the copy's checkout, not ROOT/var


def test_an_explicit_site_url_wins(tmp_path):
    _, runserver, _ = run_dev(tmp_path, PORT="8123", SITE_URL="https://digisos.example.nrw.de")
    assert runserver.endswith("SITE_URL=https://digisos.example.nrw.de")


def test_links_in_mails_use_site_url(settings):
    from django.urls import reverse

    from calloffs.documents.render import site_url

    settings.SITE_URL = "http://127.0.0.1:8123"
    assert site_url(reverse("home")) == "http://127.0.0.1:8123/"
