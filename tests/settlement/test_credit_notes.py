"""Credit notes: only the ministry issues them; the provider learns of one (webhook and e-mail)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from calloffs.errors import NotPermitted
from notifications.models import Channel, Notification
from settlement import services
from settlement.models import Statement, StatementKind

pytestmark = pytest.mark.django_db


def others(setup, approved, alice, bob, body_admin, charlie):
    """Every persona but the ministry: the body's caller, reader and admin, another body's caller,
    the statement's provider and another provider."""
    return {
        "caller": alice,
        "reader": bob,
        "body admin": body_admin,
        "other body": charlie,
        "provider": approved.staff,
        "other provider": setup.staff[1],
    }


def test_a_credit_note_reaches_the_provider_by_webhook_and_e_mail(approved, ministry, p1_endpoint):
    credit = services.statement_credit(statement=approved.statement, actor=ministry, reason="Doppelt abgerechnet")

    hook = Notification.objects.get(channel=Channel.WEBHOOK, event_type="statement.credited")
    assert hook.endpoint == p1_endpoint and hook.reference == credit.number
    data = hook.payload["data"]
    assert hook.payload["type"] == "statement.credited"
    assert data["statement"]["number"] == credit.number and data["statement"]["kind"] == StatementKind.CREDIT_NOTE
    assert data["statement"]["gross_total"] == str(approved.statement.gross_total)
    assert (data["corrects"]["id"], data["corrects"]["number"]) == (
        str(approved.statement.public_id),
        approved.statement.number,
    )
    assert data["corrects"]["url"].endswith(f"/api/v1/statements/{approved.statement.public_id}/")
    mail = Notification.objects.get(channel=Channel.EMAIL, event_type="statement.credited")
    assert mail.recipient == approved.provider.email and mail.reference == credit.number
    assert approved.statement.number in mail.subject and "Doppelt abgerechnet" in mail.body


def test_only_the_ministry_may_credit_in_the_services(approved, setup, alice, bob, body_admin, charlie):
    for persona, actor in others(setup, approved, alice, bob, body_admin, charlie).items():
        with pytest.raises(NotPermitted):
            services.statement_credit(statement=approved.statement, actor=actor, reason="Korrektur")
        assert not Statement.objects.filter(kind=StatementKind.CREDIT_NOTE).exists(), persona
    assert not Notification.objects.filter(event_type="statement.credited").exists()


def test_only_the_ministry_may_credit_in_the_portal(approved, setup, alice, bob, body_admin, charlie, client_for):
    url = reverse("settlement:detail", args=[approved.statement.public_id])
    readers = {"caller", "reader", "body admin", "provider"}  # see the statement: refused (403)
    for persona, actor in others(setup, approved, alice, bob, body_admin, charlie).items():
        response = client_for(actor).post(url, {"action": "credit", "credit-reason": "Korrektur"})
        assert response.status_code == (403 if persona in readers else 404), persona  # outsiders: 404
        assert not Statement.objects.filter(kind=StatementKind.CREDIT_NOTE).exists(), persona


def test_only_the_ministry_may_approve_in_the_portal(work, setup, alice, bob, body_admin, charlie, client_for):
    w = work()
    w.add(1)
    statement = services.statement_submit(
        calloff=w.calloff,
        provider=w.provider,
        actor=w.staff,
        period_start=timezone.localdate() - timedelta(days=5),
        period_end=timezone.localdate(),
    )
    statement = services.statement_confirm(statement=statement, actor=alice)
    url = reverse("settlement:detail", args=[statement.public_id])
    personas = {"caller": alice, "reader": bob, "body admin": body_admin, "provider": w.staff}
    for persona, actor in personas.items():
        assert client_for(actor).post(url, {"action": "approve"}).status_code == 403, persona
    for persona, actor in {"other body": charlie, "other provider": setup.staff[1]}.items():
        assert client_for(actor).post(url, {"action": "approve"}).status_code == 404, persona
    assert Statement.objects.get(pk=statement.pk).state == "confirmed"
