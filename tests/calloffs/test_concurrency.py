"""Races, with real threads and real row locks (PostgreSQL only: SQLite serialises all writes).

Each thread opens its own connection and closes it at the end.
"""

import threading
import uuid
from datetime import timedelta

import pytest
from django.db import connection

from calloffs import services
from calloffs.errors import CallOffError, OfferNotOpen
from calloffs.models import CallOff, CallOffEvent, CallOffState, EventKind, Offer, OfferState
from tests.calloffs.factories import ProviderStaffFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_together(jobs):
    """Start all jobs at the same instant; return [(outcome, value)] in job order."""
    barrier = threading.Barrier(len(jobs))
    results = [None] * len(jobs)

    def worker(i, job):
        try:
            barrier.wait(timeout=10)
            results[i] = ("ok", job())
        except OfferNotOpen as exc:
            results[i] = ("conflict", exc)
        except CallOffError as exc:
            results[i] = ("refused", exc)
        except Exception as exc:  # noqa: BLE001 - reported by the assertions below
            results[i] = ("error", exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert all(not t.is_alive() for t in threads), "a thread hung (deadlock?)"
    return results


@pytest.mark.parametrize("n", [2, 8])
def test_concurrent_accepts_exactly_one_wins(file_calloff, setup, n):
    calloff = file_calloff()
    p1 = setup.providers[0]
    users = [setup.staff[0]] + [ProviderStaffFactory(provider=p1).user for _ in range(n - 1)]

    def accept(i, user):
        return lambda: services.offer_accept(
            calloff=calloff, provider=p1, actor=user, lead_name=f"Lead {i}", lead_phone="+49 211 1234567"
        )

    results = run_together([accept(i, u) for i, u in enumerate(users)])

    outcomes = [r[0] for r in results]
    assert outcomes.count("ok") == 1, results
    assert outcomes.count("conflict") == n - 1, results
    winner = outcomes.index("ok")
    calloff.refresh_from_db()
    assert calloff.state == CallOffState.ACCEPTED and calloff.lead_name == f"Lead {winner}"
    assert Offer.objects.filter(calloff=calloff, state=OfferState.ACCEPTED).count() == 1
    assert CallOffEvent.objects.filter(calloff=calloff, kind=EventKind.ACCEPTED).count() == 1


def test_accept_decline_and_expiry_racing_leave_one_consistent_outcome(file_calloff, setup):
    calloff = file_calloff()
    p1, s1 = setup.providers[0], setup.staff[0]
    offer = Offer.objects.get(calloff=calloff, state=OfferState.OPEN)
    late = offer.respond_by + timedelta(seconds=1)
    jobs = [
        lambda: services.offer_accept(
            calloff=calloff, provider=p1, actor=s1, lead_name="L", lead_phone="+49 211 1234567"
        ),
        lambda: services.offer_decline(calloff=calloff, provider=p1, actor=s1, reason="Kein Team"),
        lambda: services.offer_expire(offer=offer, now=late),
        lambda: services.offer_accept(
            calloff=calloff, provider=p1, actor=s1, lead_name="L2", lead_phone="+49 211 1234567"
        ),
    ]

    results = run_together(jobs)

    assert not [r for r in results if r[0] == "error"], results
    winners = [i for i, r in enumerate(results) if r[0] == "ok" and r[1] is not False]
    assert len(winners) == 1, results
    offer.refresh_from_db()
    calloff.refresh_from_db()
    assert offer.state != OfferState.OPEN
    if offer.state == OfferState.ACCEPTED:
        assert calloff.state == CallOffState.ACCEPTED and calloff.provider == p1
    else:  # declined or expired: P2 holds the next offer
        assert calloff.state == CallOffState.OFFERED
        assert Offer.objects.get(calloff=calloff, state=OfferState.OPEN).provider == setup.providers[1]
    assert Offer.objects.filter(calloff=calloff, state=OfferState.OPEN).count() <= 1


def test_concurrent_filings_get_distinct_consecutive_numbers(file_calloff, setup):
    results = run_together([file_calloff for _ in range(8)])

    assert [r[0] for r in results] == ["ok"] * 8, results
    numbers = sorted(c.number for _, c in results)
    year = numbers[0].split("-")[1]
    assert numbers == [f"DSOS-{year}-{i:05d}" for i in range(1, 9)]


def test_a_double_submit_racing_itself_files_once(file_calloff, setup):
    token = uuid.uuid4()
    results = run_together([lambda: file_calloff(client_token=token) for _ in range(4)])

    assert [r[0] for r in results] == ["ok"] * 4, results
    assert len({c.pk for _, c in results}) == 1
    assert CallOff.objects.count() == 1 and Offer.objects.count() == 1


def test_concurrent_filings_see_each_other_at_the_ceiling(file_calloff, setup):
    """The contract is locked only at each filing's end; the commitments read there must still be
    exact: eight filings of 2,100 € racing towards a 10,000 € ceiling cross 80 % and 95 % once
    each, and every one that no longer fits is flagged."""
    from decimal import Decimal

    from calloffs.models import AlertKind, MinistryAlert

    setup.contract.estimated_value = Decimal("8000.00")
    setup.contract.ceiling = Decimal("10000.00")
    setup.contract.save()
    results = run_together([lambda: file_calloff(services=[(setup.modules.remote, 10)]) for _ in range(8)])

    assert [r[0] for r in results] == ["ok"] * 8, results
    flagged = CallOff.objects.filter(exceeds_ceiling=True).count()
    assert flagged == 4  # 4 × 2,100 = 8,400 fit; each later one exceeds what is left
    thresholds = sorted(
        MinistryAlert.objects.filter(kind=AlertKind.CEILING_THRESHOLD).values_list("threshold", flat=True)
    )
    assert thresholds == [80]  # 8,400 = 84 %: crossed once; 95 % and 100 % are never reached by a fitting one
    assert MinistryAlert.objects.filter(kind=AlertKind.CEILING_EXCEEDED).count() == 4


def test_concurrent_filings_of_one_body_share_one_incident(file_calloff, setup, org_a):
    from incidents.models import Incident

    results = run_together([file_calloff for _ in range(4)])

    assert [r[0] for r in results] == ["ok"] * 4, results
    assert Incident.objects.filter(organisation=org_a).count() == 1
    assert len({c.incident_id for _, c in results}) == 1
