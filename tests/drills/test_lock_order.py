"""Every call-off transition chains its audit entries at its end and holds the chain's head row
until it commits. A filing holds the body's incident row from its start and the contract row from
its end (the ceiling check); a transition that already holds the head then inserts rows that point
at that incident or contract (a timeline entry, a ministry alert). With plain FOR UPDATE those
inserts would wait for the filing while the filing waits for the head: a deadlock, on exactly the
day when a body files again while its first call-off is accepted. The filing's locks are FOR NO KEY
UPDATE, which still serialises what must be serialised but lets such inserts through."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from calloffs import services
from calloffs.services import filing

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

LEAD = {"lead_name": "Jana Keller", "lead_phone": "+49 211 5550110"}


def test_a_filing_and_an_accept_of_the_same_body_do_not_deadlock(setup, file_calloff, monkeypatch):
    first = file_calloff()  # offered to P1; its incident stays open
    locks_held, accept_done = threading.Event(), threading.Event()
    real_record_event = filing.record_event
    errors: dict[str, BaseException] = {}

    def paused_record_event(**kwargs):
        # The filing holds the incident now (the contract at its end); let the accept run into them.
        locks_held.set()
        accept_done.wait(timeout=5)
        return real_record_event(**kwargs)

    monkeypatch.setattr(filing, "record_event", paused_record_event)

    def second_filing():
        try:
            file_calloff()
        except BaseException as exc:  # noqa: BLE001
            errors["filing"] = exc
        finally:
            connection.close()

    def accept():
        try:
            assert locks_held.wait(timeout=10)
            services.offer_accept(calloff=first, provider=setup.providers[0], actor=setup.staff[0], **LEAD)
        except BaseException as exc:  # noqa: BLE001
            errors["accept"] = exc
        finally:
            accept_done.set()
            connection.close()

    threads = [threading.Thread(target=second_filing), threading.Thread(target=accept)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert not errors, errors
    first.refresh_from_db()
    assert first.state == "accepted"
    assert first.incident.calloffs.count() == 2
