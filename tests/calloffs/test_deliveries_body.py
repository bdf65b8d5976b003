"""A body's administration reads the delivery log of its own messages (its call-offs, its incidents'
reminders, its members' invitations), searches it, filters it in the URL and downloads it as CSV;
never another body's messages, never the ones to providers, and it cannot replay. Leak tests."""

from __future__ import annotations

import pytest
from django.urls import reverse

from notifications.models import Audience, Channel, Notification, NotificationState
from notifications.services import mail_enqueue, notifications_create
from notifications.tasks import deliver_notification
from tenants.models import Role
from tests.factories import MembershipFactory
from tests.test_list_search_export import rows_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_b(org_b):
    return MembershipFactory(organisation=org_b, role=Role.ADMIN, user__email="admin-b@example.org").user


@pytest.fixture
def log(org_a, org_b):
    """Messages of both bodies: a call-off mail and an invitation of A, a reminder of B, a webhook to a
    provider about A's call-off, and a password reset (no body)."""

    def mail(org, reference, event_type, recipient, **extra):
        [row] = mail_enqueue(
            recipients=[recipient],
            subject=f"Betreff {reference}",
            body=f"Text zu {reference}",
            event_type=event_type,
            audience=Audience.BODY,
            organisation=org,
            reference=reference,
            **extra,
        )
        return row

    rows = {
        "calloff_a": mail(org_a, "A-2026-0001", "calloff.accepted", "alice@example.org"),
        "invitation_a": mail(org_a, "", "invitation", "neu@example.org", confidential=True),
        "reminder_b": mail(org_b, "V-2026-0002", "incident.reminder", "charlie@example.org"),
        "reset": mail(None, "", "account.password_reset_key", "alice@example.org", confidential=True),
    }
    [rows["provider_a"]] = notifications_create(
        [
            Notification(
                organisation=org_a,
                reference="A-2026-0001",
                event_type="offer.created",
                audience=Audience.PROVIDER,
                channel=Channel.EMAIL,
                recipient="p1@example.org",
                body="Angebot",
            )
        ]
    )
    Notification.objects.filter(pk=rows["reset"].pk).update(audience=Audience.MINISTRY)
    assert deliver_notification(rows["calloff_a"].pk) == NotificationState.DELIVERED
    assert deliver_notification(rows["invitation_a"].pk) == NotificationState.DELIVERED
    for row in rows.values():
        row.refresh_from_db()
    return rows


def listed(client, **params) -> str:
    response = client.get(reverse("calloffs:deliveries"), params)
    assert response.status_code == 200
    return response.content.decode()


def detail_url(row) -> str:
    return reverse("calloffs:delivery_detail", args=[row.public_id])


def test_a_body_admin_reads_its_own_messages_only(client_for, body_admin, log):
    page = listed(client_for(body_admin))
    assert log["calloff_a"].recipient in page and "neu@example.org" in page
    assert "charlie@example.org" not in page  # body B's reminder
    assert "p1@example.org" not in page  # the provider's message about A's call-off
    assert log["reset"].webhook_id not in page
    assert "Erneut zustellen" not in page  # replay is the ministry's
    assert 'name="audience"' not in page
    assert [
        r[1] for r in rows_of(client_for(body_admin).get(reverse("calloffs:deliveries"), {"export": "csv"}))[1:]
    ] == [
        "",
        "A-2026-0001",
    ]


def test_the_body_admin_opens_a_message_with_its_attempts(client_for, body_admin, log):
    response = client_for(body_admin).get(detail_url(log["calloff_a"]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Text zu A-2026-0001" in page and "zugestellt" in page and "Erneut zustellen" not in page
    invitation = client_for(body_admin).get(detail_url(log["invitation_a"])).content.decode()
    assert "wurde nach der Zustellung gelöscht" in invitation


def test_search_filters_and_csv_like_the_other_lists(client_for, body_admin, ministry, log, org_a, org_b):
    admin = client_for(body_admin)
    assert "alice@example.org" in listed(admin, q="A-2026-0001")
    assert "neu@example.org" not in listed(admin, q="A-2026-0001")
    assert "neu@example.org" in listed(admin, q=org_a.ags)
    pending = listed(admin, state="pending")
    assert "alice@example.org" not in pending and "Keine Benachrichtigung entspricht dieser Suche." in pending
    rows = rows_of(admin.get(reverse("calloffs:deliveries"), {"q": "A-2026", "export": "csv"}))
    assert rows[0][:4] == ["Erstellt am", "Bezug", "Stelle", "AGS"]
    assert [(r[1], r[2], r[3]) for r in rows[1:]] == [("A-2026-0001", org_a.name, org_a.ags)]
    # The ministry searches every body by name or AGS; the filters stay in the URL (and the CSV link).
    staff = client_for(ministry)
    page = listed(staff, q=org_b.name)
    assert "charlie@example.org" in page and "alice@example.org" not in page
    assert f"q={org_b.name.replace(' ', '+')}&amp;export=csv" in page
    by_ags = rows_of(staff.get(reverse("calloffs:deliveries"), {"q": org_b.ags, "export": "csv"}))
    assert [r[1] for r in by_ags[1:]] == ["V-2026-0002"]
    delivered = rows_of(staff.get(reverse("calloffs:deliveries"), {"state": "delivered", "export": "csv"}))
    assert sorted(r[6] for r in delivered[1:]) == ["alice@example.org", "neu@example.org"]


def test_it_checks_ownership(client_for, admin_b, log):
    """The other body's administration: A's messages are absent from its list and CSV, and a 404 to open."""
    client = client_for(admin_b)
    page = listed(client)
    assert "charlie@example.org" in page
    assert "A-2026-0001" not in page and "neu@example.org" not in page
    assert listed(client, q="A-2026-0001").count("A-2026-0001") == 1  # only the search field echoes it
    csv_rows = rows_of(client.get(reverse("calloffs:deliveries"), {"q": "A-2026-0001", "export": "csv"}))
    assert csv_rows[1:] == []
    for row in ("calloff_a", "invitation_a", "provider_a", "reset"):
        assert client.get(detail_url(log[row])).status_code == 404, row


@pytest.mark.parametrize("persona", ["alice", "bob", "provider"])
def test_members_without_the_admin_role_and_providers_get_404(client_for, log, setup, persona, request):
    user = setup.staff[0] if persona == "provider" else request.getfixturevalue(persona)
    client = client_for(user)
    assert client.get(reverse("calloffs:deliveries")).status_code == 404
    assert client.get(detail_url(log["calloff_a"])).status_code == 404


def test_replay_stays_with_the_ministry(client_for, body_admin, ministry, log):
    row = log["calloff_a"]
    assert client_for(body_admin).post(reverse("calloffs:delivery_replay", args=[row.public_id])).status_code == 404
    row.refresh_from_db()
    assert row.state == NotificationState.DELIVERED
    page = client_for(ministry).get(detail_url(row)).content.decode()
    assert "Erneut zustellen" in page


def test_the_body_page_leads_its_administration_to_the_log(client_for, body_admin, alice, org_a):
    page_url = reverse("tenants:organisation_detail", args=[org_a.public_id])
    assert reverse("calloffs:deliveries") in client_for(body_admin).get(page_url).content.decode()
    assert reverse("calloffs:deliveries") not in client_for(alice).get(page_url).content.decode()
