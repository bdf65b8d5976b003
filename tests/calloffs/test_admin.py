"""The admin shows everything and changes no call-off state."""

import pytest
from django.urls import reverse

from calloffs.models import CallOffState, MinistryAlert
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_mfa(client_for):
    return client_for(UserFactory(email="root@example.org", is_staff=True, is_superuser=True, is_ministry_staff=True))


def test_admin_pages_render(admin_client_mfa, drive, setup):
    calloff = drive(CallOffState.UNASSIGNED)
    pages = [
        reverse("admin:calloffs_calloff_changelist"),
        reverse("admin:calloffs_calloff_change", args=[calloff.pk]),
        reverse("admin:calloffs_frameworkcontract_change", args=[setup.contract.pk]),
        reverse("admin:calloffs_provider_change", args=[setup.providers[0].pk]),
        reverse("admin:calloffs_rankingversion_change", args=[setup.ranking.pk]),
        reverse("admin:calloffs_calloffevent_changelist"),
        reverse("admin:calloffs_ministryalert_changelist"),
        reverse("admin:calloffs_timeentry_changelist"),
    ]
    for url in pages:
        assert admin_client_mfa.get(url).status_code == 200, url


def test_the_state_cannot_be_edited_in_the_admin(admin_client_mfa, drive):
    calloff = drive(CallOffState.OFFERED)
    url = reverse("admin:calloffs_calloff_change", args=[calloff.pk])
    response = admin_client_mfa.post(url, {"state": CallOffState.CLOSED})
    assert response.status_code == 403
    calloff.refresh_from_db()
    assert calloff.state == CallOffState.OFFERED
    assert admin_client_mfa.get(reverse("admin:calloffs_calloff_add")).status_code == 403


@pytest.mark.parametrize("ministry_staff", [True, False])
def test_alerts_are_acknowledged_through_the_service(client_for, drive, ministry_staff):
    user = UserFactory(is_staff=True, is_superuser=True, is_ministry_staff=ministry_staff)
    drive(CallOffState.UNASSIGNED)
    alert = MinistryAlert.objects.get()

    client_for(user).post(
        reverse("admin:calloffs_ministryalert_changelist"),
        {"action": "acknowledge", "_selected_action": [alert.pk]},
    )

    alert.refresh_from_db()
    # The rule lives in the service: a superuser outside the ministry is refused.
    assert (alert.acknowledged_by == user) is ministry_staff
    assert (alert.acknowledged_at is not None) is ministry_staff


def test_the_machinery_admin_pages_render(admin_client_mfa, setup):
    for path in (
        "notifications/notification",
        "notifications/webhookendpoint",
        "calloffs/calloffdocument",
        "calloffs/slabreach",
        "calloffs/providerapikey",
    ):
        response = admin_client_mfa.get(f"/admin/{path}/")
        assert response.status_code == 200, path
