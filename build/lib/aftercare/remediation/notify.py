"""Messages about measures, written into the notifications outbox inside the step's transaction
(never send_mail): webhooks ``measure.due`` and ``measure.verified_requested`` to the accepting
provider's endpoints (Standard Webhooks, signed by the outbox) with an e-mail to its address, and
e-mails to the measure's owner and the body's admins. Payloads carry no names of the body's people."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from calloffs.services.notify import DRILL_MARK
from digisos.wire import rfc3339
from notifications.models import Audience, Channel, Notification, source_of
from notifications.services import mail_enqueue, notifications_create
from tenants.models import Membership, Role

from .models import Measure, OwnerKind

MEASURE_DUE = "measure.due"
MEASURE_VERIFIED_REQUESTED = "measure.verified_requested"
#: The events a provider's webhook endpoints receive about measures.
WEBHOOK_EVENTS = (MEASURE_DUE, MEASURE_VERIFIED_REQUESTED)


def api_url(measure: Measure) -> str:
    return f"{settings.SITE_URL}/api/v1/calloffs/{measure.calloff.public_id}/measures/{measure.public_id}/"


def portal_path(measure: Measure) -> str:
    return reverse("aftercare:measure", kwargs={"public_id": measure.public_id})


def portal_url(measure: Measure) -> str:
    return settings.SITE_URL + portal_path(measure)


def reminder_info(measure: Measure, *, at: datetime, overdue: bool, number: int | None = None) -> dict:
    """Which reminder a ``measure.due`` message is: the one before the due date (``due_soon``, one per
    due date) or the ``number``-th while overdue (1 the day after the due date, then one every
    ``overdue_every_days`` of the contract's terms); how many days it is overdue, and the date of the
    next reminder should the measure stay open."""
    today = timezone.localdate(at)
    if overdue:
        number = number or measure.overdue_reminders or 1
        next_on = measure.overdue_next_on
        return {
            "kind": "overdue",
            "number": number,
            "days_overdue": max(1, (today - measure.due_date).days),
            "days_until_due": 0,
            "next_on": next_on.isoformat() if next_on else None,
        }
    return {
        "kind": "due_soon",
        "number": 1,
        "days_overdue": 0,
        "days_until_due": max(0, (measure.due_date - today).days),
        "next_on": (measure.due_date + timedelta(days=1)).isoformat(),
    }


def webhook_payload(
    measure: Measure, *, event: str, at: datetime, overdue: bool = False, number: int | None = None
) -> dict:
    """Plain JSON (strings for dates and times), so every retry sends the same bytes. ``measure.due``
    says which reminder it is (``data.reminder``, see reminder_info)."""
    calloff = measure.calloff
    data = {
        "calloff": {
            "id": str(calloff.public_id),
            "number": calloff.number,
            "url": f"{settings.SITE_URL}/api/v1/calloffs/{calloff.public_id}/",
        },
        "drill": calloff.is_drill,  # as on every call-off payload (calloffs.services.notify)
        "measure": {
            "id": str(measure.public_id),
            "finding": str(measure.finding.public_id),
            "title": measure.title,
            "state": measure.state,
            "severity": measure.finding.severity,
            "owner_kind": measure.owner_kind,
            "due_date": measure.due_date.isoformat(),
            "overdue": overdue,
            # As the API's measure: overdue reminders sent for this due date, whole days overdue.
            "overdue_reminders": measure.overdue_reminders,
            "days_overdue": measure.days_overdue(timezone.localdate(at)),
            "required_for_reconnection": measure.required_for_reconnection,
            "url": api_url(measure),
        },
    }
    if event == MEASURE_DUE:
        data["reminder"] = reminder_info(measure, at=at, overdue=overdue, number=number)
    return {"type": event, "timestamp": rfc3339(at), "data": data}


def body_admin_emails(organisation_id: int) -> list[str]:
    return list(
        Membership.objects.filter(organisation_id=organisation_id, role=Role.ADMIN, user__is_active=True)
        .order_by("user__email")
        .values_list("user__email", flat=True)
    )


def body_recipients(measure: Measure) -> list[str]:
    """The owner (if a person at the body is responsible) and the body's admins."""
    emails = body_admin_emails(measure.organisation_id)
    if measure.owner_kind == OwnerKind.BODY and measure.owner_id and measure.owner.is_active:
        emails.insert(0, measure.owner.email)
    return list(dict.fromkeys(e.lower() for e in emails if e))


def _date(value) -> str:
    return formats.date_format(value, "d.m.Y")


def _footer(measure: Measure) -> str:
    return "\n\n" + _("Zu den Maßnahmen: {url}").format(url=portal_url(measure)) + "\n\n-- \nDigi-SOS"


def _mail(measure: Measure, *, recipients, subject: str, body: str, event: str, audience: str) -> None:
    if measure.calloff.is_drill:  # a drill's messages say so first (calloffs.services.notify._marked)
        subject = f"{DRILL_MARK}: {subject}"
        body = _("{mark} – dies ist eine Übung, kein Notfall.").format(mark=DRILL_MARK) + "\n\n" + body
    mail_enqueue(
        recipients=recipients,
        subject=subject,
        body=body + _footer(measure),
        event_type=event,
        audience=audience,
        organisation=measure.organisation,
        topic=measure,
        reference=measure.calloff.number,
        link=portal_path(measure),
        source=source_of(measure),
    )


def _webhooks(measure: Measure, *, event: str, at: datetime, overdue: bool = False, number: int | None = None) -> None:
    provider = measure.calloff.provider
    payload = webhook_payload(measure, event=event, at=at, overdue=overdue, number=number)
    notifications_create(
        [
            Notification(
                event_type=event,
                audience=Audience.PROVIDER,
                channel=Channel.WEBHOOK,
                endpoint=endpoint,
                recipient=endpoint.url,
                payload=payload,
                organisation_id=measure.organisation_id,
                reference=measure.calloff.number,
                source=source_of(measure),
            )
            for endpoint in provider.webhook_endpoints.filter(active=True).order_by("id")
        ]
    )


def verification_requested(measure: Measure, *, at: datetime) -> None:
    """The measure is marked done: the checker is asked to confirm it. The body's own work goes to the
    accepting provider (webhook ``measure.verified_requested`` and e-mail); what the provider carried
    out goes to the body's admins (the provider does not check its own work)."""
    if measure.owner_kind == OwnerKind.PROVIDER:
        recipients = body_admin_emails(measure.organisation_id)
        if recipients:
            _mail(
                measure,
                recipients=recipients,
                subject=_("Bitte prüfen: Maßnahme vom Dienstleister umgesetzt ({number})").format(
                    number=measure.calloff.number
                ),
                body=_(
                    "{provider} hat die Maßnahme „{title}“ zum Abruf {number} als kostenpflichtige Leistung "
                    "umgesetzt und als erledigt gemeldet. Bitte prüfen Sie als Administration der Stelle die "
                    "Umsetzung und bestätigen Sie sie, oder geben Sie sie mit einer Begründung zurück."
                ).format(
                    provider=measure.calloff.provider.legal_name, title=measure.title, number=measure.calloff.number
                ),
                event=MEASURE_VERIFIED_REQUESTED,
                audience=Audience.BODY,
            )
        return
    _webhooks(measure, event=MEASURE_VERIFIED_REQUESTED, at=at)
    provider = measure.calloff.provider
    if provider.email:
        _mail(
            measure,
            recipients=[provider.email],
            subject=_("Bitte prüfen: Maßnahme umgesetzt ({number})").format(number=measure.calloff.number),
            body=_(
                "{body} hat die Maßnahme „{title}“ zum Abruf {number} als umgesetzt gemeldet. Bitte prüfen Sie "
                "die Umsetzung und bestätigen Sie sie, oder geben Sie sie mit einer Begründung zurück."
            ).format(body=measure.organisation.name, title=measure.title, number=measure.calloff.number),
            event=MEASURE_VERIFIED_REQUESTED,
            audience=Audience.PROVIDER,
        )


def verification_answered(measure: Measure, *, verified: bool, reason: str = "") -> None:
    """The check confirmed the measure or sent it back: the owner and the body's admins hear of it, and
    for the provider's own work the provider too (it carries it on)."""
    by_body = measure.owner_kind == OwnerKind.PROVIDER
    # The checker is the other party: the body (its administration) for the provider's own work.
    checker = measure.organisation.name if by_body else measure.calloff.provider.legal_name
    if verified:
        subject = _("Maßnahme bestätigt: {title}").format(title=measure.title)
        if by_body:
            body = _(
                "Die Administration von {checker} hat die Umsetzung der Maßnahme „{title}“ geprüft und bestätigt "
                "(der Dienstleister hatte sie als kostenpflichtige Leistung umgesetzt)."
            )
        else:
            body = _("{checker} hat die Umsetzung der Maßnahme „{title}“ geprüft und bestätigt.")
        body = body.format(checker=checker, title=measure.title)
    else:
        subject = _("Maßnahme zurückgegeben: {title}").format(title=measure.title)
        if by_body:
            body = _(
                "Die Administration von {checker} hat die Maßnahme „{title}“ nach der Prüfung an den "
                "Dienstleister zurückgegeben. Begründung: {reason}\nDie Maßnahme ist wieder in Arbeit; Frist: {due}."
            )
        else:
            body = _(
                "{checker} hat die Maßnahme „{title}“ nach der Prüfung zurückgegeben. Begründung: {reason}\n"
                "Die Maßnahme ist wieder in Arbeit; Frist: {due}."
            )
        body = body.format(checker=checker, title=measure.title, reason=reason, due=_date(measure.due_date))
    event = "measure.verified" if verified else "measure.returned"
    _mail(measure, recipients=body_recipients(measure), subject=subject, body=body, event=event, audience=Audience.BODY)
    provider = measure.calloff.provider
    if by_body and provider.email:
        _mail(measure, recipients=[provider.email], subject=subject, body=body, event=event, audience=Audience.PROVIDER)


def due(measure: Measure, *, at: datetime, overdue: bool, number: int = 1) -> None:
    """A reminder before the due date, or the ``number``-th notice that it has passed: to the owner and
    the body's admins by e-mail, and ``measure.due`` to the accepting provider (with an e-mail when it
    is the owner)."""
    reminder = reminder_info(measure, at=at, overdue=overdue, number=number)
    if overdue:
        if number > 1:
            subject = _("{n}. Erinnerung: Maßnahme überfällig seit {due}: {title}")
        else:
            subject = _("Maßnahme überfällig seit {due}: {title}")
        subject = subject.format(n=number, due=_date(measure.due_date), title=measure.title)
        body = _(
            "Die Frist der Maßnahme „{title}“ ({body}, Abruf {number}) ist am {due} abgelaufen. Bitte setzen Sie "
            "sie umgehend um oder entscheiden Sie als Administration, das Risiko mit Begründung zu akzeptieren."
        )
        count = ngettext(
            "Dies ist die {n}. Erinnerung; die Maßnahme ist seit {days} Tag überfällig.",
            "Dies ist die {n}. Erinnerung; die Maßnahme ist seit {days} Tagen überfällig.",
            reminder["days_overdue"],
        ).format(n=number, days=reminder["days_overdue"])
        body = f"{body}\n{count}"
        if reminder["next_on"]:
            body += " " + _("Solange sie offen ist, folgt die nächste Erinnerung am {next}.").format(
                next=_date(date.fromisoformat(reminder["next_on"]))
            )
    else:
        subject = _("Erinnerung: Maßnahme fällig am {due}: {title}").format(
            due=_date(measure.due_date), title=measure.title
        )
        if measure.owner_kind == OwnerKind.PROVIDER:
            # The provider carries it out (billable); the second check is then a body admin's.
            body = _(
                "Die Maßnahme „{title}“ ({body}, Abruf {number}) setzt der Dienstleister als kostenpflichtige "
                "Leistung um; sie ist bis zum {due} umzusetzen. Nach der Meldung als umgesetzt prüft und bestätigt "
                "sie die Administration der Stelle."
            )
        else:
            body = _(
                "Die Maßnahme „{title}“ ({body}, Abruf {number}) ist bis zum {due} umzusetzen. Bitte melden Sie sie "
                "im Portal als umgesetzt, damit der beauftragte Dienstleister sie prüfen kann."
            )
    body = body.format(
        title=measure.title, body=measure.organisation.name, number=measure.calloff.number, due=_date(measure.due_date)
    )
    recipients = body_recipients(measure)
    if recipients:
        _mail(measure, recipients=recipients, subject=subject, body=body, event=MEASURE_DUE, audience=Audience.BODY)
    _webhooks(measure, event=MEASURE_DUE, at=at, overdue=overdue, number=number)
    provider = measure.calloff.provider
    if measure.owner_kind == OwnerKind.PROVIDER and provider.email:
        _mail(
            measure,
            recipients=[provider.email],
            subject=subject,
            body=body,
            event=MEASURE_DUE,
            audience=Audience.PROVIDER,
        )


def escalate(measure: Measure, *, today) -> None:
    """A critical or high measure is long overdue: a ministry alert (dashboard and e-mails to the
    ministry's staff, through the outbox), once."""
    from calloffs.models import AlertKind
    from calloffs.services.common import alert_ministry

    message = _(
        "Die Maßnahme „{title}“ ({severity}) von {body} zum Abruf {number} ist seit {due} überfällig "
        "({days} Tage). Die Stelle und ihre Verantwortlichen wurden wiederholt erinnert."
    ).format(
        title=measure.title,
        severity=measure.finding.get_severity_display(),
        body=measure.organisation.name,
        number=measure.calloff.number,
        due=_date(measure.due_date),
        days=(today - measure.due_date).days,
    )
    if measure.calloff.is_drill:
        message = f"{DRILL_MARK}: {message}"
    alert_ministry(kind=AlertKind.OTHER, message=message, calloff=measure.calloff)
