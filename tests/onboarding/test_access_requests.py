"""Issue 18, onboarding: the public request form (no account, rate-limited, upload allow-list), the
parent body's confirmation, the ministry's approval (body under its parent + invitation of its first
administrator, in one transaction) or refusal with a reason; audited, through the outbox; outsiders 404."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.test import Client, override_settings
from django.urls import reverse

from onboarding import services
from onboarding.models import AccessRequest, RequestStatus
from tenants.models import AuditEntry, Invitation, Membership, Organisation, OrganisationKind, Role
from tests.factories import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def proof(name="nachweis.pdf", content=PDF, content_type="application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def form_data(parent_body, **overrides):
    data = {
        "name": "Stadtwerke A GmbH",
        "legal_form": OrganisationKind.KOMMUNALES_UNTERNEHMEN,
        "parent": str(parent_body.pk),
        "street": "Werkstraße 5",
        "postcode": "50667",
        "city": "Stadt A",
        "contact_name": "Petra Netz",
        "contact_email": "p.netz@stadtwerke-a.example",
        "contact_phone": "+49 221 5550100",
        "proof": proof(),
    }
    data.update(overrides)
    return data


@pytest.fixture
def parent_admin(org_a):
    return MembershipFactory(organisation=org_a, role=Role.ADMIN, user__email="admin-a@example.org").user


@pytest.fixture
def submitted(client, org_a, ministry, parent_admin):
    response = client.post(reverse("onboarding:request"), form_data(org_a))
    assert response.status_code == 302, response.content.decode()[:3000]
    return AccessRequest.objects.get()


def test_anyone_files_a_request_without_an_account(client, submitted, org_a, ministry, parent_admin):
    assert submitted.status == RequestStatus.SUBMITTED and submitted.parent == org_a
    assert submitted.proof_content_type == "application/pdf" and len(submitted.proof_sha256) == 64
    assert not Organisation.objects.filter(name="Stadtwerke A GmbH").exists()
    assert not Invitation.objects.exists()
    received = client.get(reverse("onboarding:received")).content.decode()
    assert submitted.reference in received
    entry = AuditEntry.objects.get(action="access_request.submitted")
    assert entry.actor is None and entry.details["reference"] == submitted.reference
    from notifications.models import Notification

    recipients = set(Notification.objects.values_list("recipient", flat=True))
    assert recipients == {"p.netz@stadtwerke-a.example", ministry.email, parent_admin.email}


def test_the_proof_must_be_on_the_allow_list(client, org_a):
    for upload, message in (
        (proof("nachweis.html", b"<html><script>alert(1)</script></html>", "text/html"), "nicht erlaubt"),
        (proof("nachweis.txt", b"just text", "text/plain"), "nicht erlaubt"),
        (proof("nachweis.pdf", b"MZ\x90\x00binary", "application/pdf"), "nicht erlaubt"),
        (proof("nachweis.pdf", PDF + b"<script>alert(1)</script>", "application/pdf"), "HTML oder Skript"),
        (proof("nachweis.png", PDF, "application/pdf"), "Dateiendung"),
    ):
        response = Client().post(reverse("onboarding:request"), form_data(org_a, proof=upload))
        assert response.status_code == 200
        assert message in response.content.decode()
    assert not AccessRequest.objects.exists()


@override_settings(ONBOARDING_REQUEST_RATE="2/hour")
def test_the_form_is_rate_limited_per_address(org_a):
    client = Client(REMOTE_ADDR="203.0.113.7")
    for i in range(2):
        assert client.post(reverse("onboarding:request"), form_data(org_a, name=f"Anstalt {i}")).status_code == 302
    response = client.post(reverse("onboarding:request"), form_data(org_a, name="Anstalt 3"))
    assert response.status_code == 429
    assert "sehr viele Anträge" in response.content.decode()
    assert AccessRequest.objects.count() == 2
    other = Client(REMOTE_ADDR="203.0.113.8")
    assert other.post(reverse("onboarding:request"), form_data(org_a, name="Anstalt 4")).status_code == 302


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "X", "mindestens 3 Zeichen"),
        ("postcode", "5066", "fünf Ziffern"),
        ("postcode", "ABCDE", "fünf Ziffern"),
        ("contact_email", "keine-adresse", "gültige E-Mail-Adresse"),
        ("contact_phone", "ruf mich an", "Telefonnummer mit Ziffern"),
        ("legal_form", "gemeinde", "Auswahl"),
        ("parent", "999999", "Auswahl"),
        ("name", "N" * 256, "höchstens 255 Zeichen"),
    ],
)
def test_implausible_entries_are_refused_in_german(client, org_a, field, value, message):
    response = client.post(reverse("onboarding:request"), form_data(org_a, **{field: value}))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not AccessRequest.objects.exists()


def test_the_database_refuses_implausible_values(submitted):
    for changes in (
        {"postcode": "123"},
        {"name": "X"},
        {"contact_email": "x"},
        {"proof_size": 0},
        {"status": "maybe"},
        {"legal_form": "kreis"},
        {"status": RequestStatus.REFUSED},  # no reason, no decision time
        {"status": RequestStatus.APPROVED},  # no body
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            AccessRequest.objects.filter(pk=submitted.pk).update(**changes)


def test_the_parent_admin_confirms_then_the_ministry_approves(
    client_for, submitted, parent_admin, ministry, org_a, deliver_outbox
):
    url = reverse("onboarding:detail", args=[submitted.public_id])
    assert "Antrag bestätigen" in client_for(parent_admin).get(url).content.decode()
    assert client_for(parent_admin).post(url, {"action": "confirm"}).status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == RequestStatus.PARENT_CONFIRMED and submitted.parent_confirmed_by == parent_admin
    # The parent's administration does not decide.
    assert client_for(parent_admin).post(url, {"action": "approve"}).status_code == 403

    mail.outbox.clear()
    assert client_for(ministry).post(url, {"action": "approve", "admin_email": ""}).status_code == 302
    submitted.refresh_from_db()
    body = submitted.organisation
    assert submitted.status == RequestStatus.APPROVED and body.parent == org_a
    assert body.kind == OrganisationKind.KOMMUNALES_UNTERNEHMEN and body.is_eligible()
    invitation = Invitation.objects.get(organisation=body)
    assert invitation.email == "p.netz@stadtwerke-a.example" and invitation.role == Role.ADMIN
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"access_request.parent_confirmed", "organisation.registered", "access_request.approved"} <= actions
    deliver_outbox()
    assert any("p.netz@stadtwerke-a.example" in m.to and "Einladung" in m.subject for m in mail.outbox)


def test_the_ministry_refuses_with_a_reason(client_for, submitted, ministry, deliver_outbox):
    url = reverse("onboarding:detail", args=[submitted.public_id])
    response = client_for(ministry).post(url, {"action": "refuse", "reason": "kurz"})
    assert response.status_code == 200 and "mindestens 10 Zeichen" in response.content.decode()
    reason = "Die Stelle ist kein Unternehmen einer Kommune in NRW."
    assert client_for(ministry).post(url, {"action": "refuse", "reason": reason}).status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == RequestStatus.REFUSED and submitted.refusal_reason == reason
    assert not Organisation.objects.filter(name=submitted.name).exists()
    mail.outbox.clear()
    deliver_outbox()
    refused = [m for m in mail.outbox if "abgelehnt" in m.subject]
    assert refused and reason in refused[0].body
    # Decided: neither approval nor a second refusal.
    client_for(ministry).post(url, {"action": "approve"})
    submitted.refresh_from_db()
    assert submitted.status == RequestStatus.REFUSED


def test_a_failing_invitation_leaves_no_body_behind(client_for, submitted, ministry):
    """Approval is one transaction: an address that already has an account refuses the invitation,
    and the body is not created either."""
    url = reverse("onboarding:detail", args=[submitted.public_id])
    response = client_for(ministry).post(url, {"action": "approve", "admin_email": ministry.email})
    assert response.status_code == 200 and "bereits ein Konto" in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == RequestStatus.SUBMITTED
    assert not Organisation.objects.filter(name=submitted.name).exists()


def test_the_invited_administrator_gets_the_new_body(client_for, submitted, ministry):
    from tenants.services import invitation_accept
    from tests.factories import UserFactory

    client_for(ministry).post(reverse("onboarding:detail", args=[submitted.public_id]), {"action": "approve"})
    submitted.refresh_from_db()
    invitation = Invitation.objects.get(organisation=submitted.organisation)
    user = UserFactory(email=invitation.email)
    invitation_accept(invitation=invitation, user=user)
    assert Membership.objects.get(user=user).role == Role.ADMIN


# --- access ---------------------------------------------------------------------------------------


def test_it_checks_ownership(client_for, submitted, charlie, bob, alice):
    """An outsider, and members of the parent who are not its administration, see nothing of it."""
    for user in (charlie, bob, alice):
        for name in ("onboarding:detail", "onboarding:proof"):
            assert client_for(user).get(reverse(name, args=[submitted.public_id])).status_code == 404
        assert (
            client_for(user)
            .post(reverse("onboarding:detail", args=[submitted.public_id]), {"action": "confirm"})
            .status_code
            == 404
        )
        assert submitted.name not in client_for(user).get(reverse("onboarding:list")).content.decode()
    submitted.refresh_from_db()
    assert submitted.status == RequestStatus.SUBMITTED


def test_anonymous_sees_no_request(client, submitted):
    response = client.get(reverse("onboarding:detail", args=[submitted.public_id]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_proof_is_served_as_an_attachment(client_for, submitted, ministry, parent_admin):
    for user in (ministry, parent_admin):
        response = client_for(user).get(reverse("onboarding:proof", args=[submitted.public_id]))
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment")
        assert response["X-Content-Type-Options"] == "nosniff"
        assert b"".join(response.streaming_content) == PDF


def test_services_refuse_the_wrong_actor(submitted, charlie, parent_admin):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.access_request_confirm(access_request=submitted, actor=charlie)
    with pytest.raises(PermissionDenied):
        services.access_request_approve(access_request=submitted, actor=parent_admin)
    with pytest.raises(PermissionDenied):
        services.access_request_refuse(access_request=submitted, actor=parent_admin, reason="x" * 20)


# --- review findings: the limit per client behind the proxy, only complete requests count, the
# parent list shows no companies, the applicant's confirmation carries no word of the applicant's


@override_settings(ONBOARDING_REQUEST_RATE="1/hour", BEHIND_PROXY=True)
def test_behind_the_proxy_the_limit_is_per_client_not_for_everyone(org_a):
    proxy = "10.0.0.2"  # every request reaches the portal from the proxy
    first = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert first.post(reverse("onboarding:request"), form_data(org_a, name="Anstalt 1")).status_code == 302
    # A second applicant behind the same proxy is not locked out by the first one's request …
    second = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="198.51.100.4")
    assert second.post(reverse("onboarding:request"), form_data(org_a, name="Anstalt 2")).status_code == 302
    # … and the first cannot escape its limit by putting another address in front of the proxy's entry.
    forged = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="192.0.2.99, 203.0.113.7")
    assert forged.post(reverse("onboarding:request"), form_data(org_a, name="Anstalt 3")).status_code == 429
    assert AccessRequest.objects.count() == 2


@override_settings(ONBOARDING_REQUEST_RATE="1/hour")
def test_incomplete_requests_do_not_use_up_the_limit(org_a):
    client = Client(REMOTE_ADDR="203.0.113.7")
    for _ in range(3):
        assert client.post(reverse("onboarding:request"), form_data(org_a, name="X")).status_code == 200
    assert client.post(reverse("onboarding:request"), form_data(org_a)).status_code == 302


def test_the_public_form_lists_no_companies_as_parents(client, org_a):
    company = OrganisationFactory(name="Stadtwerke Z GmbH", kind=OrganisationKind.KOMMUNALES_UNTERNEHMEN)
    page = client.get(reverse("onboarding:request")).content.decode()
    assert "Stadt A" in page and "Stadtwerke Z GmbH" not in page
    response = client.post(reverse("onboarding:request"), form_data(company))
    assert response.status_code == 200 and not AccessRequest.objects.exists()
    with pytest.raises(ValidationError) as refused:
        services.access_request_submit(data={**form_data(company), "parent": company}, proof=proof())
    assert "parent" in refused.value.message_dict


def test_the_applicants_confirmation_carries_no_text_of_theirs(client, org_a):
    bait = "Ihr Konto wird gesperrt – melden Sie sich unter evil.example an"
    assert client.post(reverse("onboarding:request"), form_data(org_a, name=bait)).status_code == 302
    from notifications.models import Notification

    received = Notification.objects.get(recipient="p.netz@stadtwerke-a.example")
    assert bait not in received.subject + received.body
    assert AccessRequest.objects.get().reference in received.subject


# --- review findings (2): no applicant-typed text in any mail to administrators, refused files count
# against the address's limit without locking an honest applicant out, a cap on requests from everyone


def test_no_mail_carries_text_the_applicant_typed(client_for, org_a, ministry, parent_admin, deliver_outbox):
    bait = "Ihr Konto wird gesperrt – melden Sie sich unter evil.example an"
    data = form_data(org_a, name=bait, contact_name=bait[:60], street="evil.example Str. 1", city="evil.example")
    assert Client().post(reverse("onboarding:request"), data).status_code == 302
    access_request = AccessRequest.objects.get()
    link = reverse("onboarding:detail", args=[access_request.public_id])
    services.access_request_confirm(access_request=access_request, actor=parent_admin)
    services.access_request_refuse(access_request=access_request, actor=ministry, reason="Kein Unternehmen in NRW.")
    mail.outbox.clear()
    deliver_outbox()
    # received and refused (applicant), new and confirmed (ministry), please confirm (parent's admins)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        ["p.netz@stadtwerke-a.example"] * 2 + [ministry.email] * 2 + [parent_admin.email]
    )
    for message in mail.outbox:
        text = message.subject + message.body
        assert "evil.example" not in text and "gesperrt" not in text
        assert access_request.reference in message.subject
    for message in mail.outbox:
        if message.to != ["p.netz@stadtwerke-a.example"]:
            assert link in message.body


@override_settings(ONBOARDING_REQUEST_RATE="2/hour")
def test_a_refused_file_counts_but_leaves_room_to_retry(org_a):
    client = Client(REMOTE_ADDR="203.0.113.7")
    wrong = proof("nachweis.txt", b"just text", "text/plain")
    assert client.post(reverse("onboarding:request"), form_data(org_a, proof=wrong)).status_code == 200
    # The honest applicant picks the right file and gets through …
    assert client.post(reverse("onboarding:request"), form_data(org_a)).status_code == 302
    # … but refused files do not buy a spammer extra requests: the limit of 2 is used up.
    assert client.post(reverse("onboarding:request"), form_data(org_a, name="Anstalt 2")).status_code == 429
    assert AccessRequest.objects.count() == 1


@override_settings(ONBOARDING_REQUESTS_PER_HOUR=2)
def test_beyond_the_cap_on_open_requests_the_form_asks_to_try_later(org_a, ministry):
    for i in range(2):
        client = Client(REMOTE_ADDR=f"203.0.113.{i + 1}")
        assert client.post(reverse("onboarding:request"), form_data(org_a, name=f"Anstalt {i}")).status_code == 302
    from notifications.models import Notification

    notified = Notification.objects.count()
    response = Client(REMOTE_ADDR="198.51.100.9").post(
        reverse("onboarding:request"), form_data(org_a, name="Anstalt 9")
    )
    assert response.status_code == 429 and "versuchen Sie es in einer Stunde erneut" in response.content.decode()
    assert AccessRequest.objects.count() == 2 and Notification.objects.count() == notified
    # A decided request is no longer open: the form takes new ones again.
    services.access_request_refuse(
        access_request=AccessRequest.objects.first(), actor=ministry, reason="Kein Unternehmen in NRW."
    )
    response = Client(REMOTE_ADDR="198.51.100.9").post(
        reverse("onboarding:request"), form_data(org_a, name="Anstalt 9")
    )
    assert response.status_code == 302
