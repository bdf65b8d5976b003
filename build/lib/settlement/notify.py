"""Messages about a statement, written into the notifications outbox inside the step's
transaction: webhooks ``statement.confirmed``, ``statement.disputed``, ``statement.approved``,
``statement.credited`` (a credit note cancelled an approved statement) to the provider's endpoints
(Standard Webhooks, signed by the outbox), e-mails to whoever acts next."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from calloffs.money import format_eur
from calloffs.services.notify import ministry_recipients
from digisos.wire import rfc3339
from notifications.models import Audience, Channel, Notification
from notifications.services import mail_enqueue, notifications_create
from tenants.models import Role
from tenants.selectors import active_member_emails

from .models import Statement

#: The events a provider's webhook endpoints receive.
WEBHOOK_EVENTS = ("statement.confirmed", "statement.disputed", "statement.approved", "statement.credited")


def api_url(statement: Statement) -> str:
    return f"{settings.SITE_URL}/api/v1/statements/{statement.public_id}/"


def portal_path(statement: Statement) -> str:
    return reverse("settlement:detail", args=[statement.public_id])


def portal_url(statement: Statement) -> str:
    return settings.SITE_URL + portal_path(statement)


def webhook_payload(statement: Statement, *, event: str, at: datetime) -> dict:
    """Plain JSON (strings for amounts and times), so every retry sends the same bytes."""
    calloff = statement.calloff
    disputed = [
        {"time_entry": str(item.time_entry.public_id), "reason": item.dispute_reason}
        for item in statement.items.select_related("time_entry").filter(dispute="open")
    ]
    corrects = statement.corrects
    return {
        "type": event,
        "timestamp": rfc3339(at),
        "data": {
            # A credit note: the approved statement it cancels (None for a statement).
            "corrects": {"id": str(corrects.public_id), "number": corrects.number, "url": api_url(corrects)}
            if corrects is not None
            else None,
            "statement": {
                "id": str(statement.public_id),
                "number": statement.number,
                "kind": statement.kind,
                "state": statement.state,
                "net_total": str(statement.net_total),
                "vat_total": str(statement.vat_total),
                "gross_total": str(statement.gross_total),
                "url": api_url(statement),
            },
            "calloff": {
                "id": str(calloff.public_id),
                "number": calloff.number,
                "url": f"{settings.SITE_URL}/api/v1/calloffs/{calloff.public_id}/",
            },
            "disputed_entries": disputed,
        },
    }


def _body_emails(statement: Statement) -> list[str]:
    return active_member_emails(organisation_id=statement.calloff.organisation_id, roles=[Role.CALLER, Role.ADMIN])


def _texts(statement: Statement, event: str) -> tuple[str, str]:
    params = {
        "number": statement.number,
        "calloff": statement.calloff.number,
        "body": statement.calloff.organisation.name,
        "provider": statement.provider.legal_name,
        "amount": format_eur(statement.gross_total),
        "corrects": statement.corrects.number if statement.corrects_id else "",
        "reason": statement.note,
    }
    subjects = {
        "statement.submitted": _("Leistungsnachweis {number} zur Bestätigung"),
        "statement.corrected": _("Leistungsnachweis {number}: Antwort auf Ihre Beanstandung"),
        "statement.confirmed": _("Leistungsnachweis {number} bestätigt"),
        "statement.disputed": _("Leistungsnachweis {number} beanstandet"),
        "statement.approved": _("Leistungsnachweis {number} freigegeben"),
        "statement.credited": _("Gutschrift {number} zum Leistungsnachweis {corrects}"),
    }
    texts = {
        "statement.submitted": _(
            "{provider} hat zum Abruf {calloff} den Leistungsnachweis {number} über {amount} eingereicht. "
            "Bitte prüfen Sie die Positionen und bestätigen oder beanstanden Sie sie."
        ),
        "statement.corrected": _(
            "{provider} hat Ihre Beanstandung des Leistungsnachweises {number} (Abruf {calloff}) beantwortet; "
            "neuer Betrag: {amount}. Bitte prüfen Sie erneut."
        ),
        "statement.confirmed": _(
            "{body} hat den Leistungsnachweis {number} (Abruf {calloff}) über {amount} bestätigt. "
            "Er wartet auf die Freigabe durch das Ministerium."
        ),
        "statement.disputed": _(
            "{body} hat Positionen des Leistungsnachweises {number} (Abruf {calloff}) beanstandet. "
            "Bitte berichtigen Sie sie oder begründen Sie, warum sie bleiben."
        ),
        "statement.approved": _(
            "Der Leistungsnachweis {number} (Abruf {calloff}) über {amount} ist freigegeben. "
            "Die XRechnung kann erstellt werden."
        ),
        "statement.credited": _(
            "Das Ministerium hat den freigegebenen Leistungsnachweis {corrects} (Abruf {calloff}) durch die "
            "Gutschrift {number} über {amount} storniert. Grund: {reason}\n\nDie Stunden können Sie in einem "
            "neuen Leistungsnachweis abrechnen."
        ),
    }
    body = texts[event].format(**params) + "\n\n" + _("Zum Leistungsnachweis: {url}").format(url=portal_url(statement))
    return subjects[event].format(**params), body + "\n\n-- \nDigi-SOS"


def _mail(statement: Statement, *, event: str, recipients: list[str], audience: str) -> None:
    subject, body = _texts(statement, event)
    mail_enqueue(
        recipients=recipients,
        subject=subject,
        body=body,
        event_type=event,
        audience=audience,
        organisation=statement.calloff.organisation,
        reference=statement.number,
        link=portal_path(statement),
        source=event,
    )


def statement_notifications(statement: Statement, *, event: str, at: datetime) -> None:
    """Write the rows of one step (inside the caller's transaction)."""
    provider = statement.provider
    if event in WEBHOOK_EVENTS:
        payload = webhook_payload(statement, event=event, at=at)
        rows = [
            Notification(
                event_type=event,
                audience=Audience.PROVIDER,
                channel=Channel.WEBHOOK,
                endpoint=endpoint,
                recipient=endpoint.url,
                payload=payload,
                organisation_id=statement.calloff.organisation_id,
                reference=statement.number,
                source=event,
            )
            for endpoint in provider.webhook_endpoints.filter(active=True).order_by("id")
        ]
        notifications_create(rows)
        if provider.email:
            _mail(statement, event=event, recipients=[provider.email], audience=Audience.PROVIDER)
    if event in ("statement.submitted", "statement.corrected"):
        _mail(statement, event=event, recipients=_body_emails(statement), audience=Audience.BODY)
    if event == "statement.confirmed":
        _mail(statement, event=event, recipients=ministry_recipients(), audience=Audience.MINISTRY)
