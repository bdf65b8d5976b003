"""The body's recipients read through SQL compiled once per connection (issue 19) give what the
union queryset gives, for every body, in its order: members by role and activity, contacts by position."""

import pytest
from django.db.models import F

from calloffs.services.notify import _RECIPIENT_ROWS, _recipient_rows
from digisos.compiled_query import CompiledRows
from tenants.models import Membership, Role
from tests.factories import EmergencyContactFactory, MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def bodies():
    first, second, empty = OrganisationFactory(), OrganisationFactory(), OrganisationFactory()
    for role in (Role.ADMIN, Role.CALLER, Role.MEMBER, Role.CALLER):
        MembershipFactory(organisation=first, role=role, user=UserFactory(mfa=False))
    MembershipFactory(organisation=first, role=Role.CALLER, user=UserFactory(mfa=False, is_active=False))
    MembershipFactory(organisation=second, role=Role.ADMIN, user=UserFactory(mfa=False))
    EmergencyContactFactory(organisation=first, position=3, email="drei@example.org", mobile="+49 171 3")
    EmergencyContactFactory(organisation=first, position=1, email="", mobile="+49 171 1")
    EmergencyContactFactory(organisation=second, position=2, email="zwei@example.org", mobile="")
    return first, second, empty


def test_the_compiled_rows_are_the_querysets_rows_for_each_body(bodies):
    first, second, empty = bodies
    for body in (first, second, empty, first):  # the same statement again, with other values
        assert _RECIPIENT_ROWS.all(organisation_id=body.pk) == list(_recipient_rows(body.pk))
    rows = _RECIPIENT_ROWS.all(organisation_id=first.pk)
    members = Membership.objects.filter(organisation=first, role__in=[Role.ADMIN, Role.CALLER], user__is_active=True)
    assert [row[1] for row in rows if row[0] == 0] == [m.user.email for m in members.order_by("id")]
    assert [(row[1], row[2], row[3]) for row in rows if row[0] == 1] == [
        ("", "+49 171 1", 1),
        ("drei@example.org", "+49 171 3", 3),
    ]
    assert [row[1] for row in _RECIPIENT_ROWS.all(organisation_id=second.pk)] == [
        second.memberships.get().user.email,
        "zwei@example.org",
    ]
    assert _RECIPIENT_ROWS.all(organisation_id=empty.pk) == []


def test_compiled_rows_give_values_list_order_and_refuse_a_missing_placeholder(bodies):
    first = bodies[0]

    # Fields asked for in another order than the SELECT's (annotations after fields): the tuples follow the asking.
    def emails_then_roles(body):
        return (
            Membership.objects.filter(organisation_id=body)
            .annotate(mail=F("user__email"))
            .values_list("mail", "role", "id")
            .order_by("id")
        )

    reordered = CompiledRows(emails_then_roles, body=-419_021)
    expected = list(emails_then_roles(first.pk))
    assert reordered.all(body=first.pk) == expected and expected and "@" in expected[0][0]
    missing = CompiledRows(lambda body: Membership.objects.filter(role=Role.ADMIN).values_list("id"), body=-419_021)
    with pytest.raises(ValueError, match="placeholder"):
        missing.all(body=first.pk)
