"""notifications.services.publishes_together: what a call-off transition's on-commit hooks hand to Celery
(its outbox rows, its order's render) goes out at the block's end through one producer and one batch
(issue 19); outside a block everything goes out at once, as before; a broker outage breaks nothing."""

from unittest import mock

import pytest
from celery import current_app
from django.utils import timezone

from notifications import services as outbox
from notifications.models import Audience, Channel, Notification

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def broker_up(monkeypatch):
    monkeypatch.setattr(outbox, "_broker_down_until", 0.0)


def test_what_is_handed_over_inside_the_block_goes_out_together_at_its_end():
    producers = []
    acquire = mock.patch.object(current_app, "producer_or_acquire", wraps=current_app.producer_or_acquire)
    with mock.patch("celery.current_app.send_task") as send_task, acquire as acquired:
        with outbox.publishes_together():
            assert outbox.enqueue_deliveries([7, 8]) == 2
            outbox.publish(lambda producer: producers.append(producer))
            with outbox.publishes_together():  # a nested block joins the outer one
                assert outbox.enqueue_delivery(9, countdown=5) is True
            assert send_task.call_count == 0 and producers == []  # nothing before the block's end
    assert [(c.kwargs["args"], c.kwargs["countdown"]) for c in send_task.call_args_list] == [
        ((7,), None),
        ((8,), None),
        ((9,), 5),
    ]
    assert acquired.call_count == 1  # one producer, one batch for all of it
    assert producers == [send_task.call_args_list[0].kwargs["producer"]]


def test_outside_a_block_everything_goes_out_at_once():
    sent = []
    with mock.patch("celery.current_app.send_task") as send_task:
        assert outbox.enqueue_deliveries([7]) == 1
        assert send_task.call_count == 1
        outbox.publish(lambda **kwargs: sent.append(kwargs))
        assert sent == [{}]  # with a producer of its own


def test_an_empty_block_publishes_nothing():
    acquire = mock.patch.object(current_app, "producer_or_acquire")
    with acquire as acquired, outbox.publishes_together():
        pass
    assert acquired.call_count == 0


def _rows(n: int) -> list[Notification]:
    now = timezone.now()
    return Notification.objects.bulk_create(
        Notification(
            channel=Channel.EMAIL,
            audience=Audience.BODY,
            recipient=f"r{i}@example.org",
            subject="s",
            body="b",
            event_type="test",
            queued_at=now,
            next_attempt_at=now,
            window_start=now,
        )
        for i in range(n)
    )


def test_a_broker_outage_at_the_blocks_end_leaves_the_rows_to_the_sweep_and_raises_nothing():
    rows = _rows(2)
    ids = [row.pk for row in rows]
    sent = []
    down = mock.patch("celery.current_app.send_task", side_effect=ConnectionRefusedError("redis down"))
    with down as send_task:
        with outbox.publishes_together():
            outbox.enqueue_deliveries(ids)
            outbox.publish(lambda producer: sent.append(producer))
    assert send_task.call_count == 1 and sent == []  # the batch stopped at the first failure
    assert set(Notification.objects.filter(pk__in=ids).values_list("queued_at", flat=True)) == {None}
    # The broker is not tried again for a while: the rows wait, anything else is tried on its own.
    more = _rows(1)
    with mock.patch("celery.current_app.send_task") as send_task, outbox.publishes_together():
        outbox.enqueue_deliveries([more[0].pk])
        outbox.publish(lambda **kwargs: sent.append(kwargs))
    assert send_task.call_count == 0 and sent == [{}]
    assert Notification.objects.get(pk=more[0].pk).queued_at is None
