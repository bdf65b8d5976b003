"""Accept is race-safe on PostgreSQL with real threads: N concurrent accepts → exactly one wins."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from rest_framework.test import APIClient

from calloffs import services
from calloffs.models import CallOff, CallOffEvent, CallOffState, EventKind, Offer, OfferState
from tests.api.conftest import ACCEPT, url

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_concurrently(jobs):
    """Start all jobs at once (barrier); each returns a result; DB connections are closed in the threads."""
    barrier = threading.Barrier(len(jobs))
    results = [None] * len(jobs)

    def run(index, job):
        try:
            barrier.wait()
            results[index] = job()
        except Exception as exc:  # reported by the assertions
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


def accept_job(raw_key, calloff, idempotency_key=None):
    def job():
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw_key}")
        extra = {"HTTP_IDEMPOTENCY_KEY": idempotency_key} if idempotency_key else {}
        response = client.post(url(calloff, "accept/"), ACCEPT, format="json", **extra)
        return response.status_code

    return job


def test_one_provider_retrying_wins_exactly_once(keys, file_calloff):
    calloff = file_calloff()
    statuses = run_concurrently([accept_job(keys[0], calloff) for _ in range(8)])
    assert sorted(statuses) == [200] + [409] * 7, statuses
    assert CallOffEvent.objects.filter(calloff=calloff, kind=EventKind.ACCEPTED).count() == 1
    assert CallOff.objects.get(pk=calloff.pk).state == CallOffState.ACCEPTED


def test_same_idempotency_key_in_parallel_executes_once(keys, file_calloff):
    calloff = file_calloff()
    statuses = run_concurrently([accept_job(keys[0], calloff, "same-key") for _ in range(6)])
    # One executes; the others see it running (409) or, once it is done, get the replay (200).
    assert statuses.count(200) >= 1 and set(statuses) <= {200, 409}, statuses
    assert CallOffEvent.objects.filter(calloff=calloff, kind=EventKind.ACCEPTED).count() == 1


def test_two_providers_after_a_re_offer(keys, file_calloff, setup):
    """P1's offer runs out while P1 (late) and P2 (new holder) accept at once, with the expiry
    sweep racing them: exactly one provider ends up assigned, every other attempt fails cleanly
    (409 if the call-off was still visible to it, 404 once it was not)."""
    calloff = file_calloff()
    offer = Offer.objects.get(calloff=calloff, state=OfferState.OPEN)
    late = offer.respond_by + timedelta(seconds=1)

    def sweep():
        return "expired" if services.offer_expire(offer=offer, now=late) else "noop"

    jobs = [accept_job(keys[0], calloff) for _ in range(3)] + [sweep] + [accept_job(keys[1], calloff) for _ in range(3)]
    results = run_concurrently(jobs)
    statuses = [r for r in results if isinstance(r, int)]
    assert statuses.count(200) <= 1 and set(statuses) <= {200, 404, 409}, results
    calloff.refresh_from_db()
    accepted_offers = Offer.objects.filter(calloff=calloff, state=OfferState.ACCEPTED)
    assert accepted_offers.count() <= 1
    if statuses.count(200) == 1:
        assert calloff.state == CallOffState.ACCEPTED and calloff.provider_id == accepted_offers.get().provider_id
    else:  # the sweep came first and P2's attempts all ran before the re-offer: P2 may still accept
        assert calloff.state == CallOffState.OFFERED
        assert (
            APIClient(HTTP_AUTHORIZATION=f"Bearer {keys[1]}")
            .post(url(calloff, "accept/"), ACCEPT, format="json")
            .status_code
            == 200
        )
    assert CallOffEvent.objects.filter(calloff=calloff, kind=EventKind.ACCEPTED).count() == 1
