"""docker-compose.yml cannot be run here (no Docker engine): check its shape instead."""

from pathlib import Path

import yaml
from django.conf import settings

COMPOSE = yaml.safe_load((Path(settings.BASE_DIR) / "docker-compose.yml").read_text())


def test_it_has_the_production_services_with_health_checks():
    services = COMPOSE["services"]
    assert {"postgres", "redis", "web", "worker", "beat"} <= set(services)
    for name in ("postgres", "redis", "web", "worker"):
        assert "healthcheck" in services[name], name
    assert {"pgdata", "redisdata", "media"} <= set(COMPOSE["volumes"])


def test_commands_start_gunicorn_worker_and_beat():
    services = COMPOSE["services"]
    assert services["web"]["command"][:2] == ["gunicorn", "digisos.wsgi:application"]
    assert services["worker"]["command"][:4] == ["celery", "-A", "digisos", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "digisos", "beat"]
    assert "migrate" in " ".join(services["migrate"]["command"])


def test_app_services_use_postgres_and_redis():
    for name in ("web", "worker", "beat", "migrate"):
        env = COMPOSE["services"][name]["environment"]
        assert env["DATABASE_URL"].startswith("postgres://")
        assert env["CELERY_BROKER_URL"].startswith("redis://redis:6379")
        assert env["CACHE_URL"].startswith("redis://")


def test_the_image_builds_from_the_dockerfile():
    dockerfile = (Path(settings.BASE_DIR) / "Dockerfile").read_text()
    assert "libpango" in dockerfile and "constraints.txt" in dockerfile
    assert COMPOSE["services"]["web"]["build"] == "."


def test_every_secret_file_is_created_in_the_deploy_steps():
    """A fresh clone has no ./secrets/ (gitignored): docs/OPERATIONS.md's deploy steps must create each
    file the stack reads, or `docker compose up` fails before anything starts."""
    steps = (Path(settings.BASE_DIR) / "docs" / "OPERATIONS.md").read_text().split("## 2.")[0]
    for name, secret in COMPOSE.get("secrets", {}).items():
        path = secret["file"].removeprefix("./")
        assert f"> {path}" in steps, f"docs/OPERATIONS.md §1 does not create {path} (secret {name})"


def test_the_dependency_layer_comes_before_the_code():
    """pip installs the dependencies from pyproject.toml and constraints.txt alone, before `COPY . .`, so
    a change of the code reuses that layer; the package is then built with nothing downloaded again."""
    text = (Path(settings.BASE_DIR) / "Dockerfile").read_text().replace("\\\n", " ")  # continued lines joined
    lines = [line.strip() for line in text.splitlines()]
    steps = [line for line in lines if line.split(" ", 1)[0] in ("COPY", "RUN")]
    first_copy = next(i for i, line in enumerate(steps) if line.startswith("COPY"))
    everything = steps.index("COPY . .")
    assert steps[first_copy] == "COPY pyproject.toml constraints.txt ./" and first_copy < everything
    installs = [i for i, line in enumerate(steps) if "pip install" in line]
    assert installs[0] < everything < installs[1]
    assert "-c constraints.txt -r /tmp/requirements.txt" in " ".join(lines[: lines.index("COPY . .")])
    assert steps[installs[1]] == "RUN pip install --no-cache-dir --no-deps --no-build-isolation ."


def test_the_dependency_layer_reads_every_dependency_from_pyproject(tmp_path):
    """Run the Dockerfile's own command on pyproject.toml: it lists every dependency and what the build needs."""
    import re
    import shlex
    import subprocess
    import sys
    import tomllib

    root = Path(settings.BASE_DIR)
    command = re.search(r'^RUN (python -c "[^"]+")', (root / "Dockerfile").read_text(), re.MULTILINE).group(1)
    (tmp_path / "pyproject.toml").write_bytes((root / "pyproject.toml").read_bytes())
    argv = shlex.split(command)  # as /bin/sh reads it: the "\n" inside double quotes reaches Python as is
    argv[0] = sys.executable
    listed = subprocess.run(argv, cwd=tmp_path, capture_output=True, text=True, check=True).stdout.splitlines()
    project = tomllib.loads((root / "pyproject.toml").read_text())
    assert listed == project["project"]["dependencies"] + project["build-system"]["requires"]
    assert "Django>=5.2,<5.3" in listed and not any("pytest" in line for line in listed)  # no dev tools
