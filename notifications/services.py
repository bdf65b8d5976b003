"""The outbox's services: writing rows, and the life of a row: claimed, attempted, delivered,
retried with backoff, given up.

Every move is a compare-and-set on the row (healthchecks' sendalerts), so a message that the
broker hands out twice, a sweep running beside a worker, or a worker killed mid-delivery never
delivers twice by our doing and never loses a message. The attempt counter is the token: only
the worker that claimed attempt *n* may finish attempt *n*.

The retry plan: 5 s, 30 s, 2 min, 10 min, 30 min, 1 h, 2 h, 4 h, 8 h, then every 12 h, each with
±20 % jitter, until ``NOTIFICATION_RETRY_HOURS`` (72 h) after the row was written; the last
attempt is made at that mark, and if it fails too the row is "dead". The ministry is alerted
after ``NOTIFICATION_ALERT_AFTER_ATTEMPTS`` failures and again when a row is given up.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from digisos.celery_send import keep_redis_client
from digisos.insert_sql import insert_rows
from tenants.services import audit

from .errors import NotPermitted, NotReplayable
from .models import (
    WAITING_STATES,
    Audience,
    Channel,
    DeliveryAttempt,
    Notification,
    NotificationState,
    WebhookEndpoint,
)
from .signals import delivery_failing

logger = logging.getLogger(__name__)

DELIVER_TASK = "notifications.tasks.deliver_notification"

RETRY_DELAYS = tuple(
    timedelta(seconds=s) for s in (5, 30, 120, 600, 1800, 3600, 2 * 3600, 4 * 3600, 8 * 3600, 12 * 3600)
)
JITTER = 0.2
#: A task that arrives a little early (clock skew between hosts) still counts as due.
EARLY_TOLERANCE = timedelta(seconds=2)
#: Retries due within this many seconds are also handed to the broker with a countdown (only
#: faster; the sweep stays the truth). Longer ones wait for the sweep: a broker-held ETA
#: longer than the visibility timeout would be delivered twice.
ETA_MAX_SECONDS = 60
BATCH = 500


def retry_window() -> timedelta:
    return timedelta(hours=settings.NOTIFICATION_RETRY_HOURS)


def retry_delay(failed_attempts: int, *, rng: random.Random | None = None) -> timedelta:
    """Backoff after the n-th failed attempt (n ≥ 1), with ±20 % jitter."""
    base = RETRY_DELAYS[min(max(failed_attempts, 1), len(RETRY_DELAYS)) - 1]
    factor = 1 + (rng or random).uniform(-JITTER, JITTER)  # noqa: S311 - jitter, not cryptography
    return timedelta(seconds=base.total_seconds() * factor)


def next_attempt(notification: Notification, *, now: datetime, rng: random.Random | None = None) -> datetime | None:
    """When to try again after a failure at ``now``, or None: give up (the window has passed)."""
    give_up_at = notification.window_start + retry_window()
    if now >= give_up_at:
        return None
    return min(now + retry_delay(notification.attempts, rng=rng), give_up_at)


# --- Claim and finish (the delivery task) -------------------------------------------------------


def notification_claim(*, notification_id: int, now: datetime | None = None) -> Notification | None:
    """Take a due notification for one attempt; None if it is not due or someone else has it."""
    now = now or timezone.now()
    claimed = Notification.objects.filter(
        pk=notification_id, state__in=WAITING_STATES, next_attempt_at__lte=now + EARLY_TOLERANCE
    ).update(
        state=NotificationState.DELIVERING,
        attempts=F("attempts") + 1,
        lease_until=now + timedelta(seconds=settings.NOTIFICATION_LEASE_SECONDS),
        updated_at=now,
    )
    if claimed != 1:
        return None
    return Notification.objects.select_related("endpoint", "organisation").get(pk=notification_id)


@dataclass(frozen=True)
class Outcome:
    state: str
    retry_at: datetime | None = None


def notification_finish(
    *,
    notification: Notification,
    ok: bool,
    status_code: int | None = None,
    duration_ms: int | None = None,
    error: str = "",
    permanent: bool = False,
    now: datetime | None = None,
) -> Outcome:
    """Log the attempt and move the row on: delivered, failed (retry planned) or dead."""
    now = now or timezone.now()
    attempt = notification.attempts
    with transaction.atomic():
        DeliveryAttempt.objects.create(
            notification=notification,
            number=attempt,
            at=now,
            ok=ok,
            status_code=status_code,
            duration_ms=duration_ms,
            error=error[:2000],
        )
        mine = Notification.objects.filter(pk=notification.pk, state=NotificationState.DELIVERING, attempts=attempt)
        # A confidential text (a reset link, a login code) is not kept once the row is finished.
        wipe = {"body": ""} if notification.confidential else {}
        if ok:
            delivered = mine.update(
                state=NotificationState.DELIVERED,
                delivered_at=now,
                lease_until=None,
                last_error="",
                updated_at=now,
                **wipe,
            )
            if delivered and notification.endpoint_id:
                # The endpoint works again: a new failure streak may alert again.
                WebhookEndpoint.objects.filter(pk=notification.endpoint_id).update(failing_alerted_at=None)
            return Outcome(NotificationState.DELIVERED)
        retry_at = None if permanent else next_attempt(notification, now=now)
        if retry_at is None:
            updated = mine.update(
                state=NotificationState.DEAD, lease_until=None, last_error=error[:2000], updated_at=now, **wipe
            )
            if updated:
                _alert_failure(notification, attempts=attempt, error=error, dead=True, now=now)
            return Outcome(NotificationState.DEAD)
        queued = retry_at if (retry_at - now).total_seconds() <= ETA_MAX_SECONDS else None
        updated = mine.update(
            state=NotificationState.FAILED,
            next_attempt_at=retry_at,
            queued_at=queued,
            lease_until=None,
            last_error=error[:2000],
            updated_at=now,
        )
        if updated and attempt >= settings.NOTIFICATION_ALERT_AFTER_ATTEMPTS:
            _alert_failure(notification, attempts=attempt, error=error, dead=False, now=now)
        if updated and queued is not None:
            countdown = max((retry_at - now).total_seconds(), 0)
            transaction.on_commit(partial(enqueue_delivery, notification.pk, countdown=countdown))
    return Outcome(NotificationState.FAILED, retry_at)


def _alert_failure(notification: Notification, *, attempts: int, error: str, dead: bool, now: datetime) -> None:
    """Tell the ministry about a delivery that keeps failing: once per endpoint while it fails,
    once per other row; and once more when a row is given up. Never about its own e-mails."""
    if notification.audience == Audience.MINISTRY:
        return
    if not dead:
        if notification.endpoint_id:
            flipped = WebhookEndpoint.objects.filter(pk=notification.endpoint_id, failing_alerted_at=None).update(
                failing_alerted_at=now
            )
            if not flipped:
                return
        elif not Notification.objects.filter(pk=notification.pk, failure_alerted_at=None).update(
            failure_alerted_at=now
        ):
            return
    target = notification.endpoint.owner if notification.endpoint_id else notification.recipient
    if dead:
        message = _(
            "Zustellung aufgegeben nach {attempts} Versuchen: {channel} an {target} ({event_type}). Letzter Fehler: "
            "{error}"
        )
    else:
        message = _(
            "Zustellung schlägt wiederholt fehl ({attempts} Versuche): {channel} an {target} ({event_type}). "
            "Letzter Fehler: {error}. Weitere Versuche sind geplant."
        )
    message = message.format(
        attempts=attempts,
        channel=notification.get_channel_display(),
        target=target,
        event_type=notification.event_type,
        error=error[:300],
    )
    if notification.reference:
        message = f"{notification.reference}: {message}"
    delivery_failing.send(sender=Notification, notification=notification, attempts=attempts, dead=dead, message=message)


# --- The outbox sweep -----------------------------------------------------------------------------


def notifications_release_lost(*, now: datetime | None = None, batch: int = BATCH) -> int:
    """Deliveries whose lease ran out (the worker died mid-attempt) become due again at once."""
    now = now or timezone.now()
    released = 0
    lost = list(
        Notification.objects.filter(state=NotificationState.DELIVERING, lease_until__lt=now).values_list(
            "pk", "attempts"
        )[:batch]
    )
    for pk, attempts in lost:
        with transaction.atomic():
            if Notification.objects.filter(pk=pk, state=NotificationState.DELIVERING, attempts=attempts).update(
                state=NotificationState.FAILED,
                next_attempt_at=now,
                queued_at=None,
                lease_until=None,
                last_error=_("Zustellversuch nicht abgeschlossen (Worker ausgefallen?)"),
                updated_at=now,
            ):
                DeliveryAttempt.objects.create(
                    notification_id=pk,
                    number=attempts,
                    at=now,
                    error=_("Zustellversuch nicht abgeschlossen (Worker ausgefallen?)"),
                )
                released += 1
    return released


def notifications_requeue(*, now: datetime | None = None, batch: int = BATCH) -> list[int]:
    """Hand due rows that nobody picked up to the broker again; returns their ids.

    Rows are claimed with ``select_for_update(skip_locked=True)`` and stamped ``queued_at``, so
    two sweeps never enqueue the same row twice within ``NOTIFICATION_REQUEUE_SECONDS``; a row
    that is enqueued twice anyway is delivered once (the claim is a compare-and-set).
    """
    now = now or timezone.now()
    stale = now - timedelta(seconds=settings.NOTIFICATION_REQUEUE_SECONDS)
    with transaction.atomic():
        ids = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(state__in=WAITING_STATES, next_attempt_at__lte=now)
            .filter(Q(queued_at__isnull=True) | Q(queued_at__lt=stale))
            .order_by("next_attempt_at")
            .values_list("pk", flat=True)[:batch]
        )
        if ids:
            Notification.objects.filter(pk__in=ids).update(queued_at=now)
    for pk in ids:
        enqueue_delivery(pk)
    return ids


# --- Replay from the delivery log -------------------------------------------------------------


@transaction.atomic(durable=True)
def notification_replay(*, notification: Notification, actor) -> Notification:
    """Ministry staff send a notification again, with the same ``webhook-id`` (receivers that
    already have it may drop it). Allowed once it is delivered, failed or given up."""
    if not (actor.is_authenticated and actor.is_active and actor.is_ministry_staff):
        raise NotPermitted(_("Diese Aktion ist dem Ministerium vorbehalten."))
    notification = Notification.objects.select_for_update().get(pk=notification.pk)
    if notification.state in (NotificationState.PENDING, NotificationState.DELIVERING):
        raise NotReplayable(_("Diese Benachrichtigung wird gerade zugestellt."))
    if notification.channel == Channel.WEBHOOK and notification.endpoint_id is None:
        raise NotReplayable(_("Der Webhook-Empfänger existiert nicht mehr."))
    if notification.confidential and not notification.body:
        raise NotReplayable(
            _(
                "Der Inhalt dieser Nachricht (ein Zugangslink oder Code) wurde nach der Zustellung gelöscht; "
                "die Person fordert ihn bitte neu an."
            )
        )
    now = timezone.now()
    old = notification.state
    notification.state = NotificationState.PENDING
    notification.next_attempt_at = now
    notification.queued_at = now
    notification.window_start = now  # a fresh retry plan
    notification.failure_alerted_at = None
    notification.save(
        update_fields=["state", "next_attempt_at", "queued_at", "window_start", "failure_alerted_at", "updated_at"]
    )
    audit(
        actor=actor,
        action="notification.replay",
        organisation=notification.organisation,
        target=notification.webhook_id,
        old_state=old,
        channel=notification.channel,
        recipient=notification.recipient,
    )
    transaction.on_commit(partial(enqueue_delivery, notification.pk))
    return notification


# --- Writing rows (inside the caller's transaction) and handing them to Celery --------------------


def notifications_create(rows: list[Notification]) -> list[Notification]:
    """Write outbox rows in the caller's transaction; each is handed to Celery once it commits."""
    if not rows:
        return []
    now = timezone.now()
    for row in rows:
        row.created_at = row.window_start = row.next_attempt_at = row.queued_at = now
    # bulk_create, its statement kept per connection and row count (issue 19, digisos.insert_sql).
    created = insert_rows(Notification, rows)
    if created[0].pk is None:  # backends without RETURNING: read the ids back by webhook_id
        by_id = dict(
            Notification.objects.filter(webhook_id__in=[n.webhook_id for n in created]).values_list("webhook_id", "pk")
        )
        for row in created:
            row.pk = row.id = by_id[row.webhook_id]
    # One hook for the rows of this write: handed to Celery together (enqueue_deliveries).
    transaction.on_commit(partial(enqueue_deliveries, [row.pk for row in created]))
    return created


#: After a failed publish, this process does not try the broker again for this long (seconds):
#: one filing with several notifications waits for the broker's connect timeout once, not per row.
BROKER_BACKOFF_SECONDS = 5.0
_broker_down_until = 0.0


def _publish_batch(producer):
    """The producer's publish batch (kombu >= 5.7), or nothing (one publish each, as before): an
    older kombu (pyproject allows celery >= 5.4) must not turn every enqueue into a broker outage."""
    batch = getattr(producer, "batch", None)
    if batch is None:
        return nullcontext()
    keep_redis_client(producer.channel)  # one Redis client per connection pool, not one per batch
    return batch()


#: Inside ``publishes_together()``: what is to be handed to Celery at its end, in order; None outside.
_together: ContextVar[list | None] = ContextVar("digisos_publishes_together", default=None)


@contextmanager
def publishes_together() -> Iterator[None]:
    """What is handed to Celery inside the block (enqueue_deliveries, publish) goes out at its end, in
    the order given, through one producer and one publish batch (issue 19: on Redis one client and one
    round trip for a transition's outbox rows and its order's render, not one of each per hook).

    For a block around a transaction: its on-commit hooks run inside the block, so only what they hand
    over (what a committed transaction wrote, savepoints rolled back already left out by Django) is
    published, once the transaction has committed; a transaction that rolls back runs no hooks and
    nothing goes out. Each kind keeps its broker-down handling: outbox rows not handed over lose their
    queued_at (the sweep re-enqueues them), anything else is logged (its own sweep re-enqueues it).
    Nested blocks join the outer one."""
    if _together.get() is not None:
        yield
        return
    pending: list = []
    token = _together.set(pending)
    try:
        yield
    finally:
        _together.reset(token)
        if pending:
            _publish_pending(pending)


def publish(send: Callable[..., object]) -> None:
    """Hand one message to Celery: ``send(producer=...)`` publishes it (e.g. a partial of a task's
    apply_async). Inside ``publishes_together()`` at the block's end with the others, else now (with a
    producer of its own). A failure outside the block raises, as the send itself would."""
    pending = _together.get()
    if pending is None:
        send()
    else:
        pending.append(send)


def _publish_pending(pending: list) -> None:
    """Publish what a ``publishes_together()`` block collected: outbox rows as (ids, countdown) tuples,
    anything else as a send callable. Never raises."""
    global _broker_down_until
    from celery import current_app

    rows = [item for item in pending if isinstance(item, tuple)]
    sends = [item for item in pending if not isinstance(item, tuple)]
    if time.monotonic() < _broker_down_until:  # the outbox waits; anything else tries alone, as before
        for ids, _countdown in rows:
            _not_queued(ids)
        _each_alone(sends)
        return
    try:
        with current_app.producer_or_acquire() as producer, _publish_batch(producer):
            for item in pending:
                if isinstance(item, tuple):
                    _send_deliveries(current_app, producer, *item)
                else:
                    item(producer=producer)
    except Exception:  # noqa: BLE001 - a broker outage must not break the request or the transaction
        _broker_down_until = time.monotonic() + BROKER_BACKOFF_SECONDS
        logger.warning("could not publish after commit; the sweeps will retry (rows %s)", [i for i, _ in rows])
        for ids, _countdown in rows:
            _not_queued(ids)
        if sends:
            logger.warning("could not publish %d task(s) after commit; their sweeps re-enqueue them", len(sends))


def _each_alone(sends: list) -> None:
    for send in sends:
        try:
            send()
        except Exception:  # noqa: BLE001 - as a robust on-commit hook: logged, the sweep re-enqueues
            logger.exception("could not publish a task after commit; its sweep re-enqueues it")


def _send_deliveries(app, producer, notification_ids: list[int], countdown: float | None) -> None:
    for notification_id in notification_ids:
        app.send_task(DELIVER_TASK, args=(notification_id,), countdown=countdown, retry=False, producer=producer)


def _not_queued(notification_ids: list[int]) -> None:
    try:
        Notification.objects.filter(pk__in=notification_ids, queued_at__isnull=False).update(queued_at=None)
    except Exception:  # noqa: BLE001
        logger.exception("could not mark notifications %s as not queued", notification_ids)


def enqueue_delivery(notification_id: int, *, countdown: float | None = None) -> bool:
    """Hand a notification to Celery. Never raises: if the broker is down the row stays in the
    outbox (queued_at cleared) and the sweep re-enqueues it."""
    return enqueue_deliveries([notification_id], countdown=countdown) == 1


def enqueue_deliveries(notification_ids: list[int], *, countdown: float | None = None) -> int:
    """Hand notifications to Celery through one producer, its publishes batched (kombu's
    Producer.batch: on Redis one pipeline, one round trip and one client, not one of each per row;
    issue 19). Never raises: if the broker is down, none of them counts as handed over (a batch that
    fails discards what it had not sent; a row that went out all the same is delivered once, the
    claim is a compare-and-set), their rows stay in the outbox (queued_at cleared) and the sweep
    re-enqueues them; the broker is then not tried again for BROKER_BACKOFF_SECONDS. Returns how many
    were handed over. Inside ``publishes_together()`` they go out at the block's end (counted here
    as handed over; if that publish fails, their queued_at is cleared as here)."""
    global _broker_down_until
    from celery import current_app

    if not notification_ids:
        return 0
    pending = _together.get()
    if pending is not None:
        pending.append((list(notification_ids), countdown))
        return len(notification_ids)
    if time.monotonic() >= _broker_down_until:
        try:
            with current_app.producer_or_acquire() as producer, _publish_batch(producer):
                _send_deliveries(current_app, producer, notification_ids, countdown)
            return len(notification_ids)
        except Exception:  # noqa: BLE001 - a broker outage must not break the request or the transaction
            _broker_down_until = time.monotonic() + BROKER_BACKOFF_SECONDS
            logger.warning("could not enqueue notifications %s; the outbox sweep will retry", notification_ids)
    _not_queued(notification_ids)
    return 0


def mail_enqueue(
    *,
    recipients: list[str],
    subject: str,
    body: str,
    event_type: str,
    audience: str,
    organisation=None,
    topic=None,
    reference: str = "",
    link: str = "",
    source: str = "",
    confidential: bool = False,
) -> list[Notification]:
    """E-mails through the outbox, one row per recipient, inside the caller's transaction: retried
    with backoff until delivered (or given up after NOTIFICATION_RETRY_HOURS), logged per attempt.
    ``confidential``: the text carries a secret and is wiped once the row is delivered or given up."""
    common = {
        "event_type": event_type[:40],
        "audience": audience,
        "channel": Channel.EMAIL,
        "subject": " ".join(subject.split())[:200],
        "body": body,
        "organisation": organisation,
        "reference": reference[:100],
        "link": link[:300],
        "source": source[:100],
        "confidential": confidential,
    }
    if topic is not None:
        common["topic"] = topic
    with transaction.atomic():  # the rows commit with the caller's transaction (or on their own)
        return notifications_create(
            [Notification(recipient=address, **common) for address in dict.fromkeys(a.strip() for a in recipients if a)]
        )
