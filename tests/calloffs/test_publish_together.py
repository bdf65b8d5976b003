"""A call-off transition that commits hands its outbox rows and its order's render to Celery together,
through one producer (issue 19; notifications.services.publishes_together). A real commit: transactional."""

from unittest import mock

import pytest
from celery import current_app

from calloffs import services
from calloffs.models import CallOffDocument
from notifications import services as outbox
from notifications.models import Notification

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_accept_publishes_its_rows_and_its_order_through_one_producer(file_calloff, setup, monkeypatch):
    monkeypatch.setattr(outbox, "_broker_down_until", 0.0)
    calloff = file_calloff()
    before = set(Notification.objects.values_list("pk", flat=True))
    acquire = mock.patch.object(current_app, "producer_or_acquire", wraps=current_app.producer_or_acquire)
    with mock.patch("celery.current_app.send_task") as send_task, acquire as acquired:
        services.offer_accept(
            calloff=calloff, provider=setup.providers[0], actor=setup.staff[0], lead_name="J", lead_phone="+49 2115550"
        )
    rows = sorted(set(Notification.objects.values_list("pk", flat=True)) - before)
    order = CallOffDocument.objects.get(calloff=calloff)
    sent = [(c.args[0], c.kwargs.get("args") or c.args[1]) for c in send_task.call_args_list]
    assert rows and sent == [("notifications.tasks.deliver_notification", (pk,)) for pk in rows] + [
        ("calloffs.render_calloff_document", (order.pk,))
    ]
    assert acquired.call_count == 1
    assert len({id(c.kwargs["producer"]) for c in send_task.call_args_list}) == 1
