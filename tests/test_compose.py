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
