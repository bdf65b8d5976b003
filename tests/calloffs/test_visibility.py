"""Who sees which call-off (CallOff.objects.visible_to and the selectors). Leak tests."""

import uuid
from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.utils import timezone

from calloffs import selectors, services
from calloffs.filters import CallOffListFilterSet
from calloffs.models import CallOff, CallOffState, OfferState
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def visible(user):
    return set(CallOff.objects.visible_to(user))


@pytest.fixture
def calloffs(file_calloff, org_b, charlie):
    """One call-off of body A (offered to P1) and one of body B (offered to P1 as well)."""
    return file_calloff(), file_calloff(organisation=org_b, actor=charlie)


def test_body_members_see_their_bodys_call_offs(calloffs, alice, bob, charlie, body_admin):
    a, b = calloffs
    assert visible(alice) == visible(bob) == visible(body_admin) == {a}
    assert visible(charlie) == {b}


def test_the_ministry_sees_all(calloffs, ministry):
    assert visible(ministry) == set(calloffs)


def test_strangers_see_nothing(calloffs, alice):
    assert visible(UserFactory()) == set()
    assert visible(AnonymousUser()) == set()
    alice.is_active = False
    assert visible(alice) == set()


def test_provider_staff_see_only_what_is_offered_to_them(calloffs, setup):
    assert visible(setup.staff[0]) == set(calloffs)
    assert visible(setup.staff[1]) == set()


def test_a_declined_offer_is_no_longer_visible(calloffs, setup):
    a, b = calloffs
    services.offer_decline(calloff=a, provider=setup.providers[0], actor=setup.staff[0], reason="x")
    assert visible(setup.staff[0]) == {b}
    assert visible(setup.staff[1]) == {a}


def test_an_expired_offer_is_no_longer_visible(calloffs, setup):
    a, _b = calloffs
    offer = a.offers.get(state=OfferState.OPEN)
    services.offer_expire(offer=offer, now=offer.respond_by + timedelta(seconds=1))
    assert a not in visible(setup.staff[0])
    assert a in visible(setup.staff[1])


def test_the_assigned_provider_keeps_seeing_its_call_off(calloffs, setup, alice):
    a, _b = calloffs
    services.offer_accept(
        calloff=a, provider=setup.providers[0], actor=setup.staff[0], lead_name="L", lead_phone="+49 211 1234567"
    )
    services.calloff_start(calloff=a, provider=setup.providers[0], actor=setup.staff[0])
    assert a in visible(setup.staff[0])
    services.calloff_complete(calloff=a, provider=setup.providers[0], actor=setup.staff[0], summary="ok")
    services.calloff_close(calloff=a, actor=alice)
    assert a in visible(setup.staff[0])
    assert a not in visible(setup.staff[1])


def test_visible_to_can_be_locked_and_counted(calloffs, setup, ministry, alice):
    """No DISTINCT: the queryset stays countable and lockable."""
    qs = CallOff.objects.visible_to(setup.staff[0])
    assert not qs.query.distinct
    assert qs.count() == 2


# --- Selectors -------------------------------------------------------------------------------


def test_calloff_for_user_checks_ownership(calloffs, alice, charlie, ministry, setup):
    a, b = calloffs
    assert selectors.calloff_for_user(user=alice, public_id=a.public_id) == a
    assert selectors.calloff_for_user(user=ministry, public_id=str(b.public_id)) == b
    assert selectors.calloff_for_user(user=setup.staff[0], public_id=a.public_id) == a
    for user, public_id in (
        (charlie, a.public_id),
        (alice, b.public_id),
        (setup.staff[1], a.public_id),
        (UserFactory(), a.public_id),
        (alice, uuid.uuid4()),
        (alice, "not-a-uuid"),
    ):
        with pytest.raises(Http404):
            selectors.calloff_for_user(user=user, public_id=public_id)


def test_calloff_list_filters(calloffs, ministry, org_a, org_b, setup):
    """The list's search and filters (CallOffListFilterSet) over the call-offs the ministry sees."""
    a, b = calloffs
    services.offer_accept(
        calloff=b, provider=setup.providers[0], actor=setup.staff[0], lead_name="L", lead_phone="+49 211 1234567"
    )

    def listed(**data):
        filterset = CallOffListFilterSet(data, queryset=selectors.calloff_list(user=ministry), ministry=True)
        assert filterset.is_valid(), filterset.errors
        return set(filterset.qs)

    assert listed() == {a, b}
    assert listed(state=CallOffState.OFFERED) == {a}
    assert listed(q=org_b.name) == {b} and listed(q=b.number) == {b}
    assert listed(provider=str(setup.providers[0].public_id)) == {b}
    assert listed(priority="P1") == {a, b} and listed(priority="P3") == set()
    assert listed(regierungsbezirk="Köln") == {a, b} and listed(regierungsbezirk="Detmold") == set()
    today = timezone.localdate(a.submitted_at)
    assert listed(date_from=today.isoformat(), date_to=today.isoformat()) == {a, b}
    assert listed(date_from=(today + timedelta(days=1)).isoformat()) == set()
    assert listed(date_to=(today - timedelta(days=1)).isoformat()) == set()
    assert listed(state="") == {a, b}  # empty values are ignored


def test_calloff_list_is_scoped(calloffs, alice, charlie):
    a, b = calloffs
    assert list(selectors.calloff_list(user=alice)) == [a]
    assert list(selectors.calloff_list(user=charlie)) == [b]


def test_calloff_list_query_count_does_not_grow(file_calloff, ministry, django_assert_num_queries, setup):
    def render():
        for c in selectors.calloff_list(user=ministry):
            (c.organisation.name, c.contract.reference, c.incident.title, c.provider and c.provider.short_name)

    file_calloff()
    with django_assert_num_queries(1):
        render()
    for _ in range(4):
        file_calloff()
    with django_assert_num_queries(1):
        render()


def test_offer_open_for_provider_and_inbox(calloffs, setup):
    a, b = calloffs
    assert selectors.offer_open_for_provider(calloff=a, provider=setup.providers[0]).provider == setup.providers[0]
    assert selectors.offer_open_for_provider(calloff=a, provider=setup.providers[1]) is None
    assert {o.calloff for o in selectors.offers_open_for_user(user=setup.staff[0])} == {a, b}
    assert list(selectors.offers_open_for_user(user=setup.staff[1])) == []


def test_the_inbox_of_a_non_provider_is_empty(calloffs, alice, ministry):
    assert list(selectors.offers_open_for_user(user=alice)) == []
    assert list(selectors.offers_open_for_user(user=ministry)) == []


def test_provider_of(setup, alice):
    assert selectors.provider_of(setup.staff[2]) == setup.providers[2]
    assert selectors.provider_of(alice) is None
    assert selectors.provider_of(AnonymousUser()) is None


def test_timeline_is_ordered(calloffs, setup):
    a, _b = calloffs
    services.offer_decline(calloff=a, provider=setup.providers[0], actor=setup.staff[0], reason="x")
    kinds = [e.kind for e in selectors.calloff_timeline(a)]
    assert kinds == ["filed", "offered", "declined", "offered"]


def test_provider_load(calloffs, setup):
    a, b = calloffs
    services.offer_accept(
        calloff=a, provider=setup.providers[0], actor=setup.staff[0], lead_name="L", lead_phone="+49 211 1234567"
    )
    load = {row.provider: row for row in selectors.provider_load()}
    p1 = load[setup.providers[0]]
    assert (p1.engaged, p1.open_offers, p1.capacity, p1.free, p1.at_capacity) == (1, 1, 3, 2, False)
    assert (load[setup.providers[1]].engaged, load[setup.providers[1]].open_offers) == (0, 0)


def test_ministry_alerts_are_for_the_ministry(drive, ministry, alice):
    drive(CallOffState.UNASSIGNED)
    assert selectors.ministry_alert_list(user=ministry).count() == 1
    assert selectors.ministry_alert_list(user=alice).count() == 0
    alert = selectors.ministry_alert_list(user=ministry).get()
    services.ministry_alert_acknowledge(alert=alert, actor=ministry)
    assert selectors.ministry_alert_list(user=ministry).count() == 0
    assert selectors.ministry_alert_list(user=ministry, include_acknowledged=True).count() == 1


def test_calloff_for_user_through_its_compiled_statement_is_the_querysets_answer(calloffs, alice, charlie, ministry):
    """calloff_for_user runs a statement compiled once per connection and shape of the scope (issue 19):
    each time the same call-off, its joined rows and annotations as the queryset gives them, and still
    404 for a body of the same shape that is not the caller's."""
    a, b = calloffs
    for _round in range(2):  # the first compiles, the second runs the kept statement
        for user, calloff, other in ((alice, a, b), (charlie, b, a), (ministry, a, None), (ministry, b, None)):
            for related in (selectors.CALLOFF_PAGE_RELATED, (*selectors.CALLOFF_LIST_RELATED, "ranking_version")):
                got = selectors.calloff_for_user(user=user, public_id=calloff.public_id, related=related)
                expected = selectors._for_user(CallOff.objects.visible_to(user), related).get(pk=calloff.pk)
                assert {k: v for k, v in vars(got).items() if k != "_state"} == {
                    k: v for k, v in vars(expected).items() if k != "_state"
                }
                for name in related:
                    assert getattr(got, name) == getattr(expected, name)
                assert got.has_attachments is expected.has_attachments is False
                if other is not None:
                    with pytest.raises(Http404):
                        selectors.calloff_for_user(user=user, public_id=other.public_id, related=related)
    assert selectors._FOR_USER  # the compiled path was taken
