"""digisos.request_cache: facts kept for one request only, dropped when they change."""

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from digisos.request_cache import RequestCacheMiddleware, memoize
from tenants.models import Membership, Role
from tenants.selectors import roles_of
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def run_in_request(view):
    """Run ``view`` inside the middleware, as a request would."""
    return RequestCacheMiddleware(view)(RequestFactory().get("/"))


def test_outside_a_request_nothing_is_kept():
    calls = []
    for _ in range(2):
        memoize("k", lambda: calls.append(1))
    assert len(calls) == 2


def test_within_a_request_a_fact_is_read_once_and_the_next_request_reads_again():
    calls = []

    def view(request):
        for _ in range(3):
            memoize("k", lambda: calls.append(1) or len(calls))
        return HttpResponse()

    run_in_request(view)
    assert len(calls) == 1
    run_in_request(view)
    assert len(calls) == 2


def test_a_membership_changed_within_the_request_is_seen_at_once(alice, django_assert_num_queries):
    other = OrganisationFactory(name="Anderswo")
    seen = []

    def view(request):
        seen.append(dict(roles_of(alice)))
        with django_assert_num_queries(0):
            roles_of(alice)  # kept
        Membership.objects.create(user=alice, organisation=other, role=Role.MEMBER)
        seen.append(dict(roles_of(alice)))  # read again after the change
        Membership.objects.filter(user=alice, organisation=other).first().delete()
        seen.append(dict(roles_of(alice)))
        return HttpResponse()

    run_in_request(view)
    assert other.pk not in seen[0]
    assert seen[1][other.pk] == Role.MEMBER
    assert other.pk not in seen[2]
