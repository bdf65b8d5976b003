"""The audit trail is append-only; its rows are announced only after commit."""

import pytest
from django.db import transaction

from calloffs.errors import ImmutableRecord
from calloffs.models import CallOffEvent, EventKind
from calloffs.signals import calloff_event_recorded

pytestmark = pytest.mark.django_db


def test_an_event_cannot_be_changed(file_calloff):
    event = file_calloff().events.first()
    event.reason = "nachträglich geändert"
    with pytest.raises(ImmutableRecord):
        event.save()
    assert CallOffEvent.objects.get(pk=event.pk).reason == ""


def test_an_event_cannot_be_deleted(file_calloff):
    calloff = file_calloff()
    event = calloff.events.first()
    with pytest.raises(ImmutableRecord):
        event.delete()
    with pytest.raises(ImmutableRecord):
        CallOffEvent.objects.filter(calloff=calloff).delete()
    with pytest.raises(ImmutableRecord):
        CallOffEvent.objects.filter(calloff=calloff).update(reason="x")
    assert calloff.events.count() == 2


def test_events_are_announced_after_commit(file_calloff, django_capture_on_commit_callbacks):
    received = []

    def receiver(sender, event_id, kind, calloff_id, **kwargs):
        event = CallOffEvent.objects.get(pk=event_id)
        assert (event.kind, event.calloff_id) == (kind, calloff_id)
        received.append(kind)

    calloff_event_recorded.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            file_calloff()
        assert received == []  # nothing before the commit
        for callback in callbacks:
            callback()
    finally:
        calloff_event_recorded.disconnect(receiver)
    assert received == [EventKind.FILED, EventKind.OFFERED]


def test_services_refuse_to_run_inside_another_transaction(setup, file_calloff):
    """durable=True: a service is its own unit of work, never part of a caller's transaction."""
    with pytest.raises(RuntimeError), transaction.atomic():
        file_calloff()


def test_a_filing_locks_the_audit_chain_only_at_its_end(file_calloff):
    """The head row serialises every transition; taken at the first event, it was held while the
    whole filing ran (incident, call-off, ranking, offer, notifications) and filings queued."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        file_calloff()
    sql = [q["sql"] for q in captured.captured_queries]
    head = [
        i for i, s in enumerate(sql) if "auditchainhead" in s and s.startswith("SELECT")
    ]  # FOR UPDATE on PostgreSQL
    assert len(head) == 1, head  # one lock for both entries (filed, offered)
    after = sql[head[0] :]
    assert not any(s.startswith("INSERT") and "calloffs_" in s for s in after), after


def test_an_accept_and_an_expiry_lock_the_audit_chain_only_at_their_end(file_calloff, setup):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from calloffs import services
    from calloffs.models import Offer

    def head_lock_is_last(run):
        with CaptureQueriesContext(connection) as captured:
            run()
        sql = [q["sql"] for q in captured.captured_queries]
        head = [i for i, s in enumerate(sql) if "auditchainhead" in s and s.startswith("SELECT")]
        assert len(head) == 1, head
        assert not any(s.startswith(("INSERT", "UPDATE")) and "calloffs_" in s for s in sql[head[0] :])

    accepted = file_calloff()
    head_lock_is_last(
        lambda: services.offer_accept(
            calloff=accepted,
            provider=setup.providers[0],
            actor=setup.staff[0],
            lead_name="Jana Keller",
            lead_phone="+49 211 5550110",
        )
    )
    expiring = file_calloff()
    offer = Offer.objects.get(calloff=expiring, state="open")
    head_lock_is_last(lambda: services.offer_expire(offer=offer, now=offer.respond_by))
