"""The Celery application (worker and beat): `celery -A digisos worker|beat`."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "digisos.settings.base")

app = Celery("digisos")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

from . import metrics  # noqa: E402,F401  (task signals: latency and run time for /metrics)
