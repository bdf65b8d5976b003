"""A body always keeps an administrator who can act: the last one cannot demote or remove
themselves, a deactivated account does not count, and two admins leaving at once leave one."""

from __future__ import annotations

import contextlib
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse

from tenants import services
from tenants.models import Membership, Role
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def post(client, org, membership, **data):
    url = reverse("tenants:membership_update", args=[org.public_id, membership.pk])
    return client.post(url, {"role": data.pop("role", membership.role), **data}, follow=True)


def test_the_last_admin_cannot_remove_themselves(client_for, body_admin, org_a):
    membership = Membership.objects.get(user=body_admin)
    response = post(client_for(body_admin), org_a, membership, remove="on")
    assert response.status_code == 200
    assert "Die letzte Administration einer Stelle kann nicht entfernt werden." in response.content.decode()
    assert Membership.objects.filter(pk=membership.pk, role=Role.ADMIN).exists()


def test_a_deactivated_admin_does_not_count_as_another_admin(client_for, body_admin, org_a):
    MembershipFactory(organisation=org_a, role=Role.ADMIN, user__email="gone@example.org", user__is_active=False)
    membership = Membership.objects.get(user=body_admin)
    response = post(client_for(body_admin), org_a, membership, role="member")
    assert "kann nicht herabgestuft werden" in response.content.decode()
    response = post(client_for(body_admin), org_a, membership, remove="on")
    assert "kann nicht entfernt werden" in response.content.decode()
    membership.refresh_from_db()
    assert membership.role == Role.ADMIN


def test_with_a_second_admin_one_may_step_down(client_for, body_admin, org_a):
    MembershipFactory(organisation=org_a, role=Role.ADMIN, user__email="zweite@example.org")
    membership = Membership.objects.get(user=body_admin)
    post(client_for(body_admin), org_a, membership, role="member")
    membership.refresh_from_db()
    assert membership.role == Role.MEMBER


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("how", ["demote", "remove"])
def test_two_admins_stepping_down_at_once_leave_one(org_a, monkeypatch, how):
    first = MembershipFactory(organisation=org_a, role=Role.ADMIN, user__email="eins@example.org")
    second = MembershipFactory(organisation=org_a, role=Role.ADMIN, user__email="zwei@example.org")
    both_checked = threading.Barrier(2)
    real = services._other_admins

    def checked_then_wait(membership):
        result = real(membership)
        # Without the body's lock both would see the other one here, then both step down.
        with contextlib.suppress(threading.BrokenBarrierError):
            both_checked.wait(timeout=2)
        return result

    monkeypatch.setattr(services, "_other_admins", checked_then_wait)
    outcome: dict[int, str] = {}

    def step_down(membership):
        try:
            if how == "demote":
                services.membership_set_role(membership=membership, role=Role.MEMBER, actor=membership.user)
            else:
                services.membership_remove(membership=membership, actor=membership.user)
            outcome[membership.pk] = "done"
        except ValidationError:
            outcome[membership.pk] = "refused"
        finally:
            connection.close()

    threads = [threading.Thread(target=step_down, args=(m,)) for m in (first, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcome.values()) == ["done", "refused"]
    assert Membership.objects.filter(organisation=org_a, role=Role.ADMIN).count() == 1
