"""/ready/, /metrics and the 503 page of a lost database (digisos.ops_views, digisos.metrics,
digisos.outage)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import OperationalError
from django.test import Client, override_settings
from django.utils import timezone

from calloffs.models import CallOff, CallOffEvent
from calloffs.tasks.sweep import LAST_DEADLINE_SWEEP_KEY
from digisos import metrics as digisos_metrics
from digisos.outage import HOTLINES_KEY, refresh_hotlines
from notifications.models import Notification
from tenants.models import AuditEntry

pytestmark = pytest.mark.django_db


def swept(seconds_ago: float) -> None:
    cache.set(LAST_DEADLINE_SWEEP_KEY, (timezone.now() - timedelta(seconds=seconds_ago)).isoformat(), timeout=None)


def metric(text: str, name: str, **labels) -> float | None:
    """The value of one sample in a Prometheus exposition."""
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        match = re.match(r"^([a-zA-Z_:][\w:]*)(\{.*\})? (\S+)$", line)
        if not match or match.group(1) != name:
            continue
        got = dict(re.findall(r'(\w+)="([^"]*)"', match.group(2) or ""))
        if all(got.get(k) == v for k, v in labels.items()):
            return float(match.group(3))
    return None


# --- /ready/ -------------------------------------------------------------------------------------


def test_ready_when_the_sweep_ran_recently(client):
    swept(3)
    response = client.get("/ready/")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["broker"].startswith("ok")
    assert body["checks"]["deadlines"] == "ok"
    assert 2 <= body["checks"]["deadline_sweep_age_seconds"] < 30


@override_settings(READY_MAX_SWEEP_AGE_SECONDS=60)
def test_not_ready_when_the_sweep_is_old_or_never_ran(client):
    response = client.get("/ready/")
    assert response.status_code == 503
    assert response.json()["checks"]["deadlines"].startswith("error")
    swept(61)
    response = client.get("/ready/")
    assert response.status_code == 503
    assert response.json()["checks"]["deadline_sweep_age_seconds"] >= 61


def test_not_ready_when_the_database_is_down(client, monkeypatch):
    swept(1)

    def down():
        raise OperationalError("connection refused")

    monkeypatch.setattr("digisos.ops_views._check_database", down)
    response = client.get("/ready/")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "error: OperationalError"


@override_settings(CELERY_BROKER_URL="redis://127.0.0.1:1/0")
def test_not_ready_when_the_broker_is_unreachable(client):
    swept(1)
    response = client.get("/ready/")
    assert response.status_code == 503
    assert response.json()["checks"]["broker"].startswith("error")


def test_ready_refreshes_the_hotlines_for_the_outage_page(client, setup):
    swept(1)
    client.get("/ready/")
    rows = cache.get(HOTLINES_KEY)["rows"]
    assert [r["name"] for r in rows] == sorted(p.short_name for p in setup.providers)


# --- /metrics ------------------------------------------------------------------------------------


def test_metrics_show_requests_deadlines_and_the_outbox(client, setup, file_calloff, alice):
    calloff = file_calloff()
    # One offer long overdue (the sweep is not running here) and one call-off waiting.
    calloff.offers.update(respond_by=timezone.now() - timedelta(minutes=5))
    Client().get("/health/")
    swept(2)

    response = client.get("/metrics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert metric(text, "digisos_http_requests_total", view="health", method="GET", status="200") >= 1
    assert metric(text, "digisos_http_request_duration_seconds_count", view="health", method="GET") >= 1
    assert metric(text, "digisos_offers_overdue") == 1
    assert 299 <= metric(text, "digisos_offer_overdue_max_seconds") < 400
    assert metric(text, "digisos_calloffs", state="offered") == CallOff.objects.filter(state="offered").count() == 1
    pending = Notification.objects.exclude(state__in=["delivered", "dead"])
    assert metric(text, "digisos_notifications_pending", channel="email") == pending.filter(channel="email").count()
    assert metric(text, "digisos_notifications_pending", channel="email") >= 1
    assert metric(text, "digisos_sla_milestones_overdue", milestone="callback") == 0
    assert 1 <= metric(text, "digisos_deadline_sweep_age_seconds") < 30
    assert metric(text, "digisos_worker_heartbeat_age_seconds") == -1


def test_metrics_count_overdue_sla_milestones(setup, file_calloff, client):
    from calloffs import services

    calloff = services.offer_accept(
        calloff=file_calloff(),
        provider=setup.providers[0],
        actor=setup.staff[0],
        lead_name="Jana Keller",
        lead_phone="+49 211 5550110",
    )
    CallOff.objects.filter(pk=calloff.pk).update(callback_due_at=timezone.now() - timedelta(minutes=1))
    text = client.get("/metrics").content.decode()
    assert metric(text, "digisos_sla_milestones_overdue", milestone="callback") == 1
    assert metric(text, "digisos_sla_milestones_overdue", milestone="onsite") == 0


def test_metrics_count_incidents_and_overdue_reporting_obligations(setup, file_calloff, client):
    """incidents/metrics.py: the figures come through the app that owns the tables."""
    from incidents.models import Incident, ReportingObligation

    calloff = file_calloff()
    obligations = ReportingObligation.objects.filter(incident=calloff.incident).order_by("id")
    assert obligations.exists()
    first = obligations.first()
    ReportingObligation.objects.filter(pk=first.pk).update(due_at=timezone.now() - timedelta(minutes=1))
    response = client.get("/metrics")
    assert response.status_code == 200
    text = response.content.decode()
    assert metric(text, "digisos_incidents", status=calloff.incident.status) == (
        Incident.objects.filter(status=calloff.incident.status).count()
    )
    assert metric(text, "digisos_reporting_obligations_overdue", kind=first.kind) == 1
    others = {o.kind for o in obligations} - {first.kind}
    assert all(metric(text, "digisos_reporting_obligations_overdue", kind=kind) == 0 for kind in others)


def test_metrics_are_not_public(db):
    remote = Client(REMOTE_ADDR="203.0.113.9")
    assert remote.get("/metrics").status_code == 403
    # A request through a proxy on the same host is not "local".
    proxied = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert proxied.get("/metrics").status_code == 403
    with override_settings(METRICS_TOKEN="s3cret-metrics-token"):
        assert remote.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
        assert remote.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-metrics-token").status_code == 200
    with override_settings(METRICS_TOKEN=""):
        assert remote.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 403


def test_task_signals_record_queue_time_and_run_time():
    from celery import signals

    class Request:
        digisos_sent_at = None
        headers = {digisos_metrics.SENT_AT_HEADER: __import__("time").time() - 0.5}

    class Task:
        name = "tests.fake_task"
        request = Request()

    before = digisos_metrics.TASKS.labels("tests.fake_task", "SUCCESS")._value.get()
    signals.task_prerun.send(sender=Task, task_id="t-1", task=Task())
    signals.task_postrun.send(sender=Task, task_id="t-1", task=Task(), state="SUCCESS")
    assert digisos_metrics.TASKS.labels("tests.fake_task", "SUCCESS")._value.get() == before + 1
    text = digisos_metrics.render_metrics()[0].decode()
    assert metric(text, "digisos_celery_task_queue_seconds_count", task="tests.fake_task") >= 1
    assert metric(text, "digisos_celery_task_queue_seconds_sum", task="tests.fake_task") >= 0.5
    assert metric(text, "digisos_celery_task_duration_seconds_count", task="tests.fake_task", state="SUCCESS") >= 1


def test_publishing_stamps_the_send_time():
    headers = {}
    digisos_metrics._stamp_publish(headers=headers)
    assert headers[digisos_metrics.SENT_AT_HEADER] > 0


# --- A lost database: 503, not a traceback -------------------------------------------------------


@pytest.fixture
def failing_filing(monkeypatch):
    """The database connection breaks inside the filing transaction, after the call-off row was written."""
    from calloffs.services import filing

    real = filing.record_event

    def broken(**kwargs):
        real(**kwargs)
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(filing, "record_event", broken)


def _form(setup, org_a):
    from calloffs.forms import CallOffFilingForm

    return {
        "organisation": str(org_a.public_id),
        "client_token": CallOffFilingForm.new_token(),
        "category": "ransomware",
        "situation": "Alle Server verschlüsselt.",
        "callback_phone": "+49 171 1234567",
        "callback_email": "it@example.org",
        "operations_halted": "yes",
        f"module_{setup.modules.remote.pk}": "40",
        "place_of_performance": "Rathaus",
        "affected": "Fileserver",
    }


def test_a_lost_database_while_filing_is_a_clear_503_and_nothing_is_half_written(
    setup, alice, org_a, failing_filing, monkeypatch
):
    refresh_hotlines(force=True)
    client = Client(raise_request_exception=False)
    client.force_login(alice)
    before = (CallOff.objects.count(), CallOffEvent.objects.count(), AuditEntry.objects.count())
    response = client.post("/abrufe/neu/", _form(setup, org_a))
    assert response.status_code == 503
    html = response.content.decode()
    assert "Der Dienst ist gerade nicht erreichbar – Ihre Angaben wurden nicht gespeichert." in html
    assert "Traceback" not in html
    for provider in setup.providers:
        assert provider.hotline in html
    assert response["Retry-After"]
    assert (CallOff.objects.count(), CallOffEvent.objects.count(), AuditEntry.objects.count()) == before


def test_the_outage_page_uses_the_configured_hotlines_when_the_cache_is_empty(setup, alice, org_a, failing_filing):
    cache.delete(HOTLINES_KEY)
    client = Client(raise_request_exception=False)
    client.force_login(alice)
    with override_settings(OUTAGE_HOTLINES=["Landes-CERT: +49 211 000000"]):
        response = client.post("/abrufe/neu/", _form(setup, org_a))
    assert response.status_code == 503
    assert "Landes-CERT" in response.content.decode() and "+49 211 000000" in response.content.decode()


def test_the_api_answers_a_lost_database_with_problem_json(setup, file_calloff, ministry, monkeypatch):
    from rest_framework.test import APIClient

    from calloffs.services import offers
    from calloffs.services.api_keys import api_key_create

    key = api_key_create(provider=setup.providers[0], actor=ministry, name="Ticketsystem").raw
    calloff = file_calloff()

    def broken(*args, **kwargs):
        raise OperationalError("terminating connection due to administrator command")

    monkeypatch.setattr(offers, "set_sla_due_times", broken)
    api = APIClient(raise_request_exception=False)
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    response = api.post(
        f"/api/v1/calloffs/{calloff.public_id}/accept/",
        {"lead_name": "Jana Keller", "lead_phone": "+49 211 5550110"},
        format="json",
    )
    assert response.status_code == 503
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "service_unavailable"
    calloff.refresh_from_db()
    assert calloff.state == "offered"


def test_other_server_errors_stay_500(alice, monkeypatch):
    monkeypatch.setattr("digisos.views.render", lambda *a, **k: 1 / 0)
    client = Client(raise_request_exception=False)
    client.force_login(alice)
    assert client.get("/").status_code == 500


def test_the_metrics_add_up_over_processes_in_multiprocess_mode(tmp_path):
    """With PROMETHEUS_MULTIPROC_DIR (gunicorn workers, prefork children) each process writes its own
    values and a scrape adds them up: two processes counting one request each → 2."""
    import subprocess
    import sys

    env = {**__import__("os").environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    count = (
        "from digisos import metrics as m; assert m.MULTIPROCESS; "
        "m.REQUESTS.labels('health', 'GET', '200').inc(); "
        "m.REQUEST_SECONDS.labels('health', 'GET').observe(0.01); m.TASKS.labels('t', 'SUCCESS').inc()"
    )
    for _ in range(2):
        subprocess.run([sys.executable, "-c", count], env=env, check=True, timeout=60)
    scrape = (
        "from prometheus_client import CollectorRegistry, generate_latest, multiprocess; r = CollectorRegistry(); "
        "multiprocess.MultiProcessCollector(r); print(generate_latest(r).decode())"
    )
    text = subprocess.run(
        [sys.executable, "-c", scrape], env=env, check=True, timeout=60, capture_output=True, text=True
    ).stdout
    assert metric(text, "digisos_http_requests_total", view="health", method="GET", status="200") == 2
    assert metric(text, "digisos_http_request_duration_seconds_count", view="health", method="GET") == 2
    assert metric(text, "digisos_celery_tasks_total", task="t", state="SUCCESS") == 2
