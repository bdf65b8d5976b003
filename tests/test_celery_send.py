"""digisos.celery_send: the app's send_task keeps what it works out per task name (issue 19) and publishes
the same message as Celery's own send_task: compared here as the broker receives them (headers, body,
properties, route), for the outbox's delivery (a send by name) and the order's render (apply_async)."""

from unittest import mock

import pytest
from celery import Celery
from kombu.utils.uuid import uuid

from calloffs.tasks.documents import render_calloff_document
from digisos.celery import app
from digisos.celery_send import keep_redis_client
from digisos.metrics import SENT_AT_HEADER
from notifications.services import DELIVER_TASK


def _received(queue: str) -> dict:
    """The next message of ``queue`` as the broker holds it; the publish stamp and the delivery tag
    (both new for every message) only checked to be there."""
    with app.connection_for_write() as connection:
        raw = connection.default_channel._get(queue)
    assert raw["headers"].pop(SENT_AT_HEADER)
    assert raw["properties"].pop("delivery_tag")
    return raw


def _both_ways(send, queue: str) -> tuple[dict, dict, object, object]:
    """``send(producer, task_id)`` once through Celery's own send_task and once through the app's."""
    task_id = uuid()
    with app.connection_for_write() as connection:
        connection.default_channel.queue_purge(queue)  # what other tests left there
    with app.producer_or_acquire() as producer:
        with mock.patch.object(app, "send_task", lambda *a, **k: Celery.send_task(app, *a, **k)):
            celery_result = send(producer, task_id)
        ours = send(producer, task_id)
    return _received(queue), _received(queue), celery_result, ours


@pytest.fixture(autouse=True)
def _fresh():
    app.forget_kept_sends()
    yield
    app.forget_kept_sends()


def _deliver(notification_id):
    return lambda producer, task_id: app.send_task(
        DELIVER_TASK, args=(notification_id,), countdown=None, retry=False, producer=producer, task_id=task_id
    )


def _render(document_id):
    return lambda producer, task_id: render_calloff_document.apply_async(
        args=(document_id,), retry=False, producer=producer, task_id=task_id
    )


@pytest.mark.parametrize(
    "send, queue, task",
    [
        (_deliver(1), "celery", DELIVER_TASK),  # a send by name (the outbox)
        (_deliver(9_876_543_210), "celery", DELIVER_TASK),
        (_render(42), "documents", "calloffs.render_calloff_document"),  # apply_async (the order's render)
    ],
)
def test_the_message_is_the_one_celerys_send_task_publishes(send, queue, task):
    for _ in range(2):  # the first send works it out, the second uses what was kept
        celerys, ours, celery_result, result = _both_ways(send, queue)
        assert ours == celerys
        assert ours["headers"]["task"] == task and ours["headers"]["root_id"] == ours["headers"]["id"]
        assert (type(result), result.id, result.ignored) == (
            type(celery_result),
            celery_result.id,
            celery_result.ignored,
        )
    assert len(app._kept_sends) == 1


def test_what_is_not_served_goes_through_celerys_send_task():
    with app.producer_or_acquire() as producer, mock.patch.object(Celery, "send_task") as celerys:
        app.send_task(DELIVER_TASK, args=(1,), countdown=5, retry=False, producer=producer)  # a countdown
        app.send_task(DELIVER_TASK, args=(1,), retry=False)  # no producer
        app.send_task(DELIVER_TASK, args=(1,), producer=producer, eta=None)  # an option it does not serve
        app.send_task(DELIVER_TASK, args=(1,), producer=producer, expires=30)
        app.send_task(DELIVER_TASK, args=(1,), producer=producer, queue=["not", "hashable"])
        with mock.patch.object(type(app), "current_worker_task", new_callable=mock.PropertyMock) as parent:
            parent.return_value = object()  # inside a worker's task: the parent goes into the message
            app.send_task(DELIVER_TASK, args=(1,), producer=producer)
    assert celerys.call_count == 6


def test_a_changed_setting_works_it_out_again(settings):
    with app.producer_or_acquire() as producer:
        app.send_task(DELIVER_TASK, args=(1,), retry=False, producer=producer)
    assert app._kept_sends
    settings.CELERY_TASK_SEND_SENT_EVENT = False  # any setting
    assert not app._kept_sends
    _received("celery")


@pytest.mark.redis
def test_a_redis_channel_makes_its_client_once_per_pool():
    """keep_redis_client: the publish batches of a channel use one client, made as kombu makes it, and
    deliver as before; a new pool (after a fork) gets a new client; the consumer's client is kombu's."""
    from kombu.transport.redis import Channel

    from notifications.services import _publish_batch

    with app.connection_for_write() as connection:
        connection.default_channel.queue_purge("celery")
    made = []
    real = Channel._create_client

    def create(channel, asynchronous=False):  # kombu's, counted
        made.append(asynchronous)
        return real(channel, asynchronous)

    with app.producer_or_acquire() as producer, mock.patch.object(Channel, "_create_client", create):
        channel = producer.channel
        assert isinstance(channel, Channel)
        vars(channel).pop("_create_client", None)  # kept by an earlier publish of this process: start afresh
        try:
            for notification_id in (1, 2, 3):
                with _publish_batch(producer):  # keeps the client (once), as _publish_pending does
                    app.send_task(DELIVER_TASK, args=(notification_id,), retry=False, producer=producer)
            assert made == [False]  # one client for three batches
            client = channel._create_client()
            assert client.connection_pool is channel.pool and client.connection is None  # no connection of its own
            assert channel._create_client(asynchronous=True) is not client and made == [False, True]
            keep_redis_client(channel)  # kept once: not wrapped again
            channel._disconnect_pools()  # as after a fork
            assert channel._create_client() is not client and made == [False, True, False]
            assert channel._create_client().connection_pool is channel.pool
        finally:
            vars(channel).pop("_create_client", None)  # kombu's own again (the channel stays in the producer pool)
    assert [_received("celery")["headers"]["argsrepr"] for _ in range(3)] == ["(1,)", "(2,)", "(3,)"]


def test_other_transports_are_left_alone():
    channel = mock.Mock(spec=["_create_client"])
    keep_redis_client(channel)
    assert "_create_client" not in vars(channel)
