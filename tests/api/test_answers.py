"""calloffs.api.answers: the accept's answer as plain dicts is CallOffDetailSerializer's answer, the
same JSON bytes (keys in the same order), for the assigned provider and for others, a drill, a call-off
with documents in every state, and after its lead, deadlines and milestones are set."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.db.models import Prefetch, Q
from django.utils import timezone
from rest_framework.renderers import JSONRenderer

from calloffs import services
from calloffs.api.answers import calloff_detail_data
from calloffs.api.serializers import CallOffDetailSerializer
from calloffs.models import CallOff, CallOffDocument, CallOffEvent, CallOffService, DocumentState, Offer, OfferState

pytestmark = pytest.mark.django_db


def read(calloff: CallOff, provider_id: int) -> CallOff:
    """The call-off as the API's detail read loads it for this provider."""
    return (
        CallOff.objects.select_related("organisation", "contract")
        .prefetch_related(
            Prefetch(
                "offers",
                queryset=Offer.objects.filter(provider_id=provider_id, state=OfferState.OPEN),
                to_attr="open_offers_for_provider",
            ),
            "contract__role_rates",
            "contract__service_modules",
            Prefetch("services", queryset=CallOffService.objects.select_related("service_module")),
            Prefetch(
                "events",
                queryset=CallOffEvent.objects.filter(Q(provider__isnull=True) | Q(provider_id=provider_id)).order_by(
                    "at", "id"
                ),
            ),
            "documents",
        )
        .get(pk=calloff.pk)
    )


def assert_same(calloff: CallOff, provider_id: int) -> dict:
    loaded = read(calloff, provider_id)
    request = SimpleNamespace(auth=SimpleNamespace(provider_id=provider_id))
    expected = JSONRenderer().render(CallOffDetailSerializer(loaded, context={"request": request}).data)
    got = JSONRenderer().render(calloff_detail_data(read(calloff, provider_id), provider_id=provider_id))
    assert got == expected
    return calloff_detail_data(loaded, provider_id=provider_id)


def test_the_answer_is_the_serializers_for_every_provider_and_state(file_calloff, setup):
    first, second = setup.providers[0], setup.providers[1]
    offered = file_calloff()
    for provider in setup.providers:
        assert_same(offered, provider.pk)
    declined = file_calloff(detected_at=timezone.now() - timedelta(hours=3))
    services.offer_decline(calloff=declined, provider=first, actor=setup.staff[0], reason="Keine Kapazität")
    accepted = services.offer_accept(
        calloff=declined, provider=second, actor=setup.staff[1], lead_name="Jana Keller", lead_phone="+49 211 5550110"
    )
    for provider in setup.providers:
        data = assert_same(accepted, provider.pk)
        assert data["assigned"] is (provider == second)
        assert (data["lead"] is None) is (provider != second) and (data["contact"] is None) is (provider != second)
    data = assert_same(accepted, second.pk)
    assert data["sla"]["callback_due_at"] and data["contract"]["roles"] and data["services"]
    assert data["documents"] and "Keine Kapazität" not in str(data)  # the other provider's reason stays hidden
    # The order in every state the API names, and a second version (newest first per kind).
    order = CallOffDocument.objects.get(calloff=accepted)
    for state in (DocumentState.STARTED, DocumentState.FAILED, DocumentState.READY):
        CallOffDocument.objects.filter(pk=order.pk).update(
            state=state, sha256="ab" * 32, size=1234, rendered_at=timezone.now(), file="documents/order.pdf"
        )
        data = assert_same(accepted, second.pk)
    assert data["documents"][0]["url"] and data["documents"][0]["size"] == 1234
    CallOff.objects.filter(pk=accepted.pk).update(
        eta_remote=None, lead_phone="", completion_summary="Erledigt.", callback_made_at=timezone.now()
    )
    assert_same(accepted, second.pk)


def test_a_drill_says_so_in_its_documents_too(file_calloff, setup):
    drill = file_calloff(drill=True)
    provider = setup.providers[0]
    accepted = services.offer_accept(
        calloff=drill, provider=provider, actor=setup.staff[0], lead_name="A", lead_phone="+49 211 1"
    )
    data = assert_same(accepted, provider.pk)
    assert data["drill"] is True and all(d["drill"] is True for d in data["documents"])
