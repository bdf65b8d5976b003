"""The second check of a measure: what the provider carried out as a billable service is confirmed
by the body's admin (service, portal, API refuses the provider with a clear problem), nobody confirms
what they reported done, and the database refuses a verification without the other party."""

import html

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from aftercare import services
from aftercare.errors import NotEngaged, NotPermitted, SelfVerification
from aftercare.models import Measure, MeasureState
from aftercare.remediation import services as remediation
from notifications.models import Channel, Notification
from tenants.models import AuditEntry
from tests.aftercare.conftest import FINDING

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


@pytest.fixture
def provider_measure(engaged, p1, body_admin):
    """A measure the body gave to the provider (billable), which the provider carried out."""
    finding = services.finding_create(calloff=engaged, actor=p1, **FINDING)
    measure = Measure.objects.get(finding=finding)
    remediation.measure_assign(measure=measure, actor=body_admin, owner_kind="provider")
    return remediation.measure_done(measure=measure, actor=p1, note="MFA auf allen VPN-Zugängen aktiviert.")


def fresh(measure) -> Measure:
    return Measure.objects.get(pk=measure.pk)


def test_the_body_admin_confirms_the_providers_work(provider_measure, body_admin, alice, bob, ministry, p1, p2):
    # The request to check goes to the body's admins, not to the provider.
    request = Notification.objects.get(event_type="measure.verified_requested")
    assert request.channel == Channel.EMAIL and body_admin.email in request.recipient
    assert not Notification.objects.filter(event_type="measure.verified_requested", channel=Channel.WEBHOOK).exists()
    with pytest.raises(SelfVerification) as exc:
        remediation.measure_verify(measure=provider_measure, actor=p1)
    assert exc.value.code == "self_verification_not_allowed" and exc.value.http_status == 403
    with pytest.raises(SelfVerification):
        remediation.measure_send_back(measure=provider_measure, actor=p1, reason="Eigene Arbeit zurückgeben.")
    for actor in (alice, bob, ministry, p2):  # a plain member, the ministry, another provider
        with pytest.raises((NotPermitted, SelfVerification)):
            remediation.measure_verify(measure=provider_measure, actor=actor)
    assert fresh(provider_measure).state == MeasureState.DONE
    measure = remediation.measure_verify(measure=provider_measure, actor=body_admin, note="Stichprobe ok.")
    measure = fresh(measure)
    assert (measure.state, measure.verified_by, measure.verified_by_body) == (MeasureState.VERIFIED, body_admin, True)
    assert AuditEntry.objects.get(action="measure.verified").details["by_body"] is True
    # The provider hears the result (it carried the work out).
    provider_email = measure.calloff.provider.email.lower()
    assert Notification.objects.filter(event_type="measure.verified", recipient__icontains=provider_email).exists()


def test_the_body_admin_sends_the_providers_work_back(provider_measure, body_admin, p1):
    measure = remediation.measure_send_back(
        measure=provider_measure, actor=body_admin, reason="Zwei Konten ohne MFA gefunden."
    )
    assert fresh(measure).state == MeasureState.IN_PROGRESS
    assert AuditEntry.objects.get(action="measure.sent_back").details["by_body"] is True


def test_nobody_confirms_what_they_reported_done(engaged, p1, body_admin, setup):
    """A body admin who reported the provider's measure done cannot confirm it; another admin can."""
    from tenants.models import Membership, Role, User

    finding = services.finding_create(calloff=engaged, actor=p1, **FINDING)
    measure = Measure.objects.get(finding=finding)
    remediation.measure_assign(measure=measure, actor=body_admin, owner_kind="provider")
    remediation.measure_done(measure=measure, actor=body_admin)
    with pytest.raises(SelfVerification) as exc:
        remediation.measure_verify(measure=measure, actor=body_admin)
    assert "nicht selbst" in exc.value.message
    second = User.objects.create_user(email="zweite.admin@example.org", password="x" * 20)
    Membership.objects.create(user=second, organisation_id=measure.organisation_id, role=Role.ADMIN)
    assert remediation.measure_verify(measure=measure, actor=second).state == MeasureState.VERIFIED


def test_the_body_s_own_work_is_still_checked_by_the_provider(engaged, p1, body_admin):
    finding = services.finding_create(calloff=engaged, actor=p1, **FINDING)
    measure = remediation.measure_done(measure=Measure.objects.get(finding=finding), actor=body_admin)
    with pytest.raises(NotEngaged):  # the body does not confirm its own work
        remediation.measure_verify(measure=measure, actor=body_admin)
    measure = fresh(remediation.measure_verify(measure=measure, actor=p1))
    assert measure.state == MeasureState.VERIFIED and not measure.verified_by_body


def test_the_api_refuses_the_providers_self_verification(api, engaged, provider_measure):
    url = f"/api/v1/calloffs/{engaged.public_id}/measures/{provider_measure.public_id}/verify/"
    response = api(0).post(url, {"result": "verified", "note": "Selbst geprüft."}, format="json")
    assert response.status_code == 403 and response["Content-Type"] == PROBLEM
    problem = response.json()
    assert problem["code"] == "self_verification_not_allowed" and "Administration der Stelle" in problem["detail"]
    response = api(0).post(url, {"result": "sent_back", "note": "Selbst zurückgegeben."}, format="json")
    assert response.status_code == 403 and response.json()["code"] == "self_verification_not_allowed"
    assert fresh(provider_measure).state == MeasureState.DONE
    # The measure as the API shows it says who confirms.
    row = api(0).get(f"/api/v1/calloffs/{engaged.public_id}/measures/{provider_measure.public_id}/").json()
    assert (row["owner_kind"], row["verified_by_body"]) == ("provider", False)


def test_the_portal_offers_the_check_to_the_body_admin(client_for, provider_measure, body_admin, p1, bob):
    url = reverse("aftercare:measure", kwargs={"public_id": provider_measure.public_id})
    assert "Umsetzung prüfen" not in html.unescape(client_for(p1).get(url).content.decode())
    response = client_for(p1).post(url, {"step": "verify", "verify-result": "verified"})
    assert response.status_code == 403
    assert client_for(bob).post(url, {"step": "verify", "verify-result": "verified"}).status_code == 403
    admin = client_for(body_admin)
    assert "Umsetzung prüfen" in html.unescape(admin.get(url).content.decode())
    response = admin.post(url, {"step": "verify", "verify-result": "verified", "verify-note": "Stichprobe ok."})
    assert response.status_code == 302
    assert fresh(provider_measure).state == MeasureState.VERIFIED


@pytest.mark.parametrize("by_body", [False, True])
def test_the_database_wants_the_other_party(provider_measure, p1, by_body):
    """A provider-owned measure verified without the body; the body's flag on its own measure."""
    change = {"state": "verified", "verified_at": timezone.now(), "verified_by_body": by_body}
    if by_body:
        Measure.objects.filter(pk=provider_measure.pk).update(owner_kind="body")
    with pytest.raises(IntegrityError), transaction.atomic():
        Measure.objects.filter(pk=provider_measure.pk).update(**change)


def test_the_database_refuses_a_check_by_who_did_it(provider_measure, p1):
    with pytest.raises(IntegrityError), transaction.atomic():
        Measure.objects.filter(pk=provider_measure.pk).update(
            state="verified", verified_at=timezone.now(), verified_by_body=True, verified_by=p1
        )


def test_the_home_pages_name_who_checks(client_for, provider_measure, body_admin, p1, bob):
    """The provider's work waits on the body admin's home page, not on the provider's."""

    def home(user):
        return html.unescape(client_for(user).get("/").content.decode())

    assert provider_measure.title in home(body_admin) and "wartet auf Ihre Prüfung" in home(body_admin)
    assert provider_measure.title not in home(p1)
    assert "wartet auf Ihre Prüfung" not in home(bob)  # a read-only member does not check
