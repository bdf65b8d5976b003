"""PDF rendering has a queue of its own: on a mass-incident day hundreds of CPU-heavy renders must
not delay the webhooks (bench/load_mass_incident.py). A plain `celery worker` still consumes it."""

from celery import current_app
from django.conf import settings


def route(task_name: str) -> str:
    return current_app.amqp.router.route({}, task_name)["queue"].name


def test_pdf_rendering_deliveries_and_timers_are_on_separate_queues():
    assert route("calloffs.render_calloff_document") == "documents"
    assert route("calloffs.tasks.sweep.sweep_deadlines") == "timers"
    assert route("notifications.tasks.deliver_notification") == "celery"
    assert {q.name for q in settings.CELERY_TASK_QUEUES} == {"celery", "timers", "documents"}
