"""digisos.celery: Celery reads the Django settings from a dict of them (issue 19), with what it read
through django.conf.settings before: every CELERY_ setting, a changed setting, the app's own settings first."""

from django.conf import settings
from django.test import override_settings

from digisos.celery import app


def test_every_celery_setting_reads_as_the_django_setting():
    names = [name for name in dir(settings) if name.startswith("CELERY_")]
    assert "CELERY_BROKER_URL" in names and "CELERY_TASK_QUEUES" in names
    for name in names:
        assert app.conf[name.removeprefix("CELERY_").lower()] == getattr(settings, name), name
    assert app.conf.task_default_queue == settings.CELERY_TASK_DEFAULT_QUEUE
    assert not any(type(mapping).__name__ == "DictAttribute" for mapping in app.conf.maps)


def test_a_changed_setting_is_read_and_the_apps_own_settings_come_first():
    before = app.conf.task_default_queue
    acks_late = settings.CELERY_TASK_ACKS_LATE
    with override_settings(CELERY_TASK_DEFAULT_QUEUE="elsewhere", CELERY_TASK_ACKS_LATE=not acks_late):
        assert app.conf.task_default_queue == "elsewhere"
        assert app.conf.task_acks_late is (not acks_late)
    assert app.conf.task_acks_late is acks_late
    assert app.conf.task_default_queue == before
    app.conf.task_default_queue = "set-by-the-app"  # e.g. a worker's command line
    try:
        with override_settings(CELERY_TASK_DEFAULT_QUEUE="elsewhere"):
            assert app.conf.task_default_queue == "set-by-the-app"
    finally:
        del app.conf.changes["task_default_queue"]
    assert app.conf.task_default_queue == before
