"""The accept locks the call-off through the provider's scoped lookup (no read before the service's
transaction, issue 19): the answers stay those of a lookup first — an outsider gets 404 whatever
it sends, the provider holding the offer gets its validation error or 409."""

import pytest

from calloffs.models import CallOff, CallOffState, Offer, OfferState
from tests.api.conftest import ACCEPT, url

pytestmark = pytest.mark.django_db


def test_it_checks_ownership_before_the_input(api, file_calloff):
    calloff = file_calloff()  # offered to P1
    for body in (ACCEPT, {"lead_name": ""}):
        response = api(1).post(url(calloff, "accept/"), body, format="json")
        assert response.status_code == 404, response.content
    calloff.refresh_from_db()
    assert calloff.state == CallOffState.OFFERED and calloff.provider_id is None
    assert Offer.objects.get(calloff=calloff).state == OfferState.OPEN


def test_the_holder_gets_its_validation_error(api, file_calloff):
    calloff = file_calloff()
    response = api(0).post(url(calloff, "accept/"), {"lead_name": ""}, format="json")
    assert response.status_code in (400, 422), response.content
    assert CallOff.objects.get(pk=calloff.pk).state == CallOffState.OFFERED


def test_an_offer_taken_already_is_a_conflict_for_the_provider_that_took_it(api, file_calloff):
    calloff = file_calloff()
    client = api(0)
    assert client.post(url(calloff, "accept/"), ACCEPT, format="json").status_code == 200
    response = client.post(url(calloff, "accept/"), ACCEPT, format="json")
    assert response.status_code == 409, response.content
    offer = Offer.objects.get(calloff=calloff)
    assert offer.state == OfferState.ACCEPTED and offer.responded_at is not None


def test_a_malformed_id_is_404(api):
    response = api(0).post("/api/v1/calloffs/not-a-uuid/accept/", ACCEPT, format="json")
    assert response.status_code == 404
