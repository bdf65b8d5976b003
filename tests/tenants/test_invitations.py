import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from tenants import services
from tenants.models import AuditEntry, Invitation, Membership, Role, User

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-and-unusual-passphrase-42"


def invite(actor, email, organisation=None, role=Role.CALLER, **kw):
    invitation, token = services.invitation_create(actor=actor, email=email, organisation=organisation, role=role, **kw)
    return invitation, token


def sign_up(client, token, email):
    response = client.get(reverse("tenants:invitation_accept", args=[token]))
    assert response.status_code == 302 and response["Location"] == reverse("account_signup")
    return client.post(reverse("account_signup"), {"email": email, "password1": PASSWORD, "password2": PASSWORD})


def test_there_is_no_public_sign_up(client):
    response = client.get(reverse("account_signup"))
    assert response.status_code == 200
    assert b'name="password1"' not in response.content
    client.post(reverse("account_signup"), {"email": "x@example.org", "password1": PASSWORD, "password2": PASSWORD})
    assert not User.objects.filter(email="x@example.org").exists()


def test_a_body_admin_invites_a_colleague_who_signs_up_once(
    client, body_admin, org_a, django_capture_on_commit_callbacks, deliver_outbox
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation, token = invite(body_admin, "neu@example.org", org_a, Role.CALLER)
    assert mail.outbox == []  # written to the outbox with the invitation, sent by the worker
    deliver_outbox()
    assert len(mail.outbox) == 1 and "neu@example.org" in mail.outbox[0].to
    assert token in mail.outbox[0].body
    assert invitation.token_hash != token  # only the hash is stored
    from notifications.models import Notification

    sent = Notification.objects.get(event_type="invitation")  # … and the outbox keeps no copy of the link
    assert sent.confidential and token not in sent.body and sent.organisation == org_a

    response = sign_up(client, token, "neu@example.org")
    assert response.status_code == 302
    user = User.objects.get(email="neu@example.org")
    assert Membership.objects.get(user=user).role == Role.CALLER
    assert Membership.objects.get(user=user).organisation == org_a
    # The invitation link was the e-mail check: the address counts as verified.
    assert user.emailaddress_set.get().verified
    invitation.refresh_from_db()
    assert invitation.accepted_by == user
    assert AuditEntry.objects.filter(action="invitation.accepted", target="neu@example.org").exists()

    # Works once.
    other = client.__class__()
    response = other.get(reverse("tenants:invitation_accept", args=[token]))
    assert response.status_code == 410


def test_an_expired_invitation_does_not_work(client, body_admin, org_a):
    invitation, token = invite(body_admin, "spaet@example.org", org_a)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get(reverse("tenants:invitation_accept", args=[token])).status_code == 410
    client.post(reverse("account_signup"), {"email": "spaet@example.org", "password1": PASSWORD, "password2": PASSWORD})
    assert not User.objects.filter(email="spaet@example.org").exists()


def test_an_unknown_token_is_404(client):
    assert client.get(reverse("tenants:invitation_accept", args=["nope"])).status_code == 404


def test_the_invitation_binds_the_email_address(client, body_admin, org_a):
    _, token = invite(body_admin, "richtig@example.org", org_a)
    response = sign_up(client, token, "falsch@example.org")
    assert response.status_code == 200
    assert "an die die Einladung ging" in response.content.decode()
    assert not User.objects.filter(email="falsch@example.org").exists()


def test_ministry_invites_ministry_staff(client, ministry):
    _, token = invite(ministry, "kollegin@mhkbd.example", as_ministry_staff=True)
    sign_up(client, token, "kollegin@mhkbd.example")
    assert User.objects.get(email="kollegin@mhkbd.example").is_ministry_staff


def test_a_caller_or_member_cannot_invite(alice, bob, org_a):
    for actor in (alice, bob):
        with pytest.raises(PermissionDenied):
            invite(actor, "x@example.org", org_a)


def test_a_body_admin_cannot_invite_to_another_body_or_the_ministry(body_admin, org_b):
    with pytest.raises(PermissionDenied):
        invite(body_admin, "x@example.org", org_b)
    with pytest.raises(PermissionDenied):
        invite(body_admin, "x@example.org", as_ministry_staff=True)


def test_an_existing_account_is_not_invited_again(body_admin, org_a, alice):
    with pytest.raises(ValidationError):
        invite(body_admin, alice.email, org_a)


def test_a_new_invitation_replaces_the_pending_one(body_admin, org_a):
    first, _ = invite(body_admin, "neu@example.org", org_a)
    invite(body_admin, "neu@example.org", org_a, Role.MEMBER)
    first.refresh_from_db()
    assert first.revoked_at is not None
    assert Invitation.objects.pending().filter(email="neu@example.org").get().role == Role.MEMBER


def test_the_invite_page(client_for, body_admin, bob, charlie, org_a):
    url = reverse("tenants:invitation_create", args=[org_a.public_id])
    assert client_for(charlie).get(url).status_code == 404  # outsider
    assert client_for(bob).get(url).status_code == 403  # read-only member
    response = client_for(body_admin).post(url, {"email": "neu@example.org", "role": "member"})
    assert response.status_code == 302
    assert Invitation.objects.pending().filter(email="neu@example.org", role="member").exists()
    response = client_for(body_admin).post(url, {"email": "kaputt", "role": "member"})
    assert response.status_code == 200
    assert re.search(r"gültige E-Mail|valid email", response.content.decode())


def test_ministry_invites_provider_staff_who_get_the_provider_role(
    client, ministry, django_capture_on_commit_callbacks, deliver_outbox
):
    from calloffs.models import ProviderMembership
    from tests.calloffs.factories import ProviderFactory

    provider = ProviderFactory()
    with django_capture_on_commit_callbacks(execute=True):
        _invitation, token = services.invitation_create(
            actor=ministry, email="lead@provider.example", grant=("provider", str(provider.public_id))
        )
    deliver_outbox()
    assert "lead@provider.example" in mail.outbox[-1].to
    sign_up(client, token, "lead@provider.example")
    user = User.objects.get(email="lead@provider.example")
    assert ProviderMembership.objects.get(user=user).provider == provider
    assert not user.memberships.exists() and not user.is_ministry_staff


def test_only_ministry_invites_provider_staff(body_admin):
    with pytest.raises(PermissionDenied):
        services.invitation_create(actor=body_admin, email="x@provider.example", grant=("provider", "x"))


def test_an_invitation_to_an_inactive_provider_fails_and_grants_nothing(client, ministry):
    from calloffs.models import ProviderMembership
    from tests.calloffs.factories import ProviderFactory

    provider = ProviderFactory()
    _invitation, token = services.invitation_create(
        actor=ministry, email="late@provider.example", grant=("provider", str(provider.public_id))
    )
    provider.active = False
    provider.save()
    client.get(reverse("tenants:invitation_accept", args=[token]))
    response = client.post(
        reverse("account_signup"), {"email": "late@provider.example", "password1": PASSWORD, "password2": PASSWORD}
    )
    assert response.status_code == 403
    assert not ProviderMembership.objects.exists()
    assert not User.objects.filter(email="late@provider.example").exists()  # no account without its rights
