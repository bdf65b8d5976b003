"""Who hears of what: the notification rows of the transactional outbox.

``notifications_for_event`` runs inside ``record_event`` and ``notifications_for_alert`` inside
``alert_ministry``, so the rows are written in the same transaction as the state change they
announce (rolled back with it) and handed to Celery only once it commits. A broker that is down
at that moment loses nothing: the outbox sweep re-enqueues what is due and not picked up.

* Providers hear of an offer (with its respond-by time), its withdrawal (expired or withdrawn),
  a manual assignment, a cancellation and an SLA breach: webhook, e-mail, and SMS when urgent.
* Bodies hear of acceptance (lead and phone), state changes, milestones and SLA breaches: by
  e-mail to callers and admins and, because the body's own infrastructure may be down, to the
  out-of-band contacts of the call-off and of the body (e-mail and SMS).
* Ministry staff hear of every ministry alert (unassigned, ceiling thresholds, SLA breaches,
  deliveries that keep failing, stuck timers) by e-mail.

Payloads carry no more personal data than needed: no names or phone numbers of the body's
people go into a webhook (the provider reads them through the authenticated API).

A drill (Übung) says so in every message: ``"drill": true`` in every webhook payload (false for a
real call-off), "ÜBUNG" before every subject and SMS and atop every e-mail (``_marked``).
"""

from __future__ import annotations

import logging
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import F, Value
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from digisos.compiled_query import CompiledRows
from digisos.wire import rfc3339
from notifications.models import Audience, Channel, Notification, source_of
from notifications.services import notifications_create
from tenants.models import EmergencyContact, Membership, Role
from tenants.models import User as _User

from ..contract_terms import terms
from ..models import (
    CallOff,
    CallOffDocument,
    CallOffEvent,
    EventKind,
    MinistryAlert,
    Provider,
)

logger = logging.getLogger(__name__)

SITUATION_MAX = 280
SMS_MAX = 320
#: The mark of a drill in every message, the same word in every language (as on the pages and PDFs).
DRILL_MARK = "ÜBUNG"
#: Provider contacts that get an SMS for an urgent event, in the order of their position.
PROVIDER_SMS_CONTACTS = 3


class EventType:
    OFFER_CREATED = "offer.created"
    OFFER_WITHDRAWN = "offer.withdrawn"
    CALLOFF_ASSIGNED = "calloff.assigned"
    CALLOFF_ACCEPTED = "calloff.accepted"
    CALLOFF_CANCELLED = "calloff.cancelled"
    CALLOFF_STATE_CHANGED = "calloff.state_changed"
    CALLOFF_UNASSIGNED = "calloff.unassigned"
    CALLOFF_MILESTONE = "calloff.milestone"
    CALLOFF_NOTE = "calloff.note"
    CALLOFF_LEAD = "calloff.lead_reported"
    SLA_BREACHED = "sla.breached"
    DOCUMENT_ISSUED = "document.issued"


def _local(value: datetime | None) -> str:
    return timezone.localtime(value).strftime("%d.%m.%Y %H:%M") if value else "–"


def _short(text: str, limit: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def api_url(calloff: CallOff) -> str:
    return f"{settings.SITE_URL}/api/v1/calloffs/{calloff.public_id}/"


def document_api_url(document: CallOffDocument) -> str:
    """Where the assigned provider fetches exactly this version (GET, with its API key)."""
    return f"{settings.SITE_URL}/api/v1/calloffs/{document.calloff.public_id}/documents/{document.public_id}.pdf"


def portal_url(calloff: CallOff) -> str:
    return settings.SITE_URL + reverse("calloffs:detail", args=[calloff.public_id])


def webhook_payload(*, event_type: str, calloff: CallOff, event: CallOffEvent, extra: dict | None = None) -> dict:
    """The Standard Webhooks envelope: type, timestamp, data. Only what a provider needs."""
    body = calloff.organisation
    data = {
        "calloff": {"id": str(calloff.public_id), "number": calloff.number, "url": api_url(calloff)},
        "drill": calloff.is_drill,
        "body": {"name": body.name, "ags": body.ags or "", "kind": body.kind},
        "priority": calloff.priority,
        "category": calloff.category,
        "situation": _short(calloff.situation, SITUATION_MAX),
        "state": calloff.state,
        "respond_by": None,
        "event": {"kind": event.kind, "at": event.at},
    }
    data.update(extra or {})
    envelope = {"type": event_type, "timestamp": event.at, "data": data}
    # Stored as JSON: make datetimes and UUIDs plain strings now, so every retry sends the same bytes.
    return _plain(envelope)


def _plain(value):
    encoder = DjangoJSONEncoder()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, datetime):
        return rfc3339(value)  # the API's format too (digisos.wire)
    return encoder.default(value)


# --- Recipients -------------------------------------------------------------------------------


def _recipient_rows(organisation_id: int):
    """One statement for both: the body's callers and admins (kind 0, by membership) and its
    emergency contacts (kind 1, by position): (kind, e-mail, phone, place, id)."""
    members = (
        Membership.objects.filter(
            organisation_id=organisation_id, role__in=[Role.CALLER, Role.ADMIN], user__is_active=True
        )
        .annotate(kind=Value(0), address=F("user__email"), phone=Value(""), place=Value(0))
        .values_list("kind", "address", "phone", "place", "id")
    )
    contacts = (
        EmergencyContact.objects.filter(organisation_id=organisation_id)
        .order_by()
        .annotate(kind=Value(1), address=F("email"), phone=F("mobile"), place=F("position"))
        .values_list("kind", "address", "phone", "place", "id")
    )
    return members.union(contacts, all=True).order_by("kind", "place", "id")


#: The statement of ``_recipient_rows`` compiled once per connection (issue 19: building and
#: compiling the union was most of the recipients' cost), run with the body's id.
_RECIPIENT_ROWS = CompiledRows(_recipient_rows, organisation_id=-419_021)


def body_recipients(calloff: CallOff, *, sms: bool) -> list[tuple[str, str]]:
    """(channel, address) of the body: callers and admins by e-mail, the call-off's out-of-band
    e-mail and phone, and the body's emergency contacts (e-mail and mobile). Deduplicated."""
    found: dict[tuple[str, str], None] = {}
    rows = _RECIPIENT_ROWS.all(organisation_id=calloff.organisation_id)
    for kind, email, _phone, _place, _id in rows:
        if kind == 0:
            found[(Channel.EMAIL, email.lower())] = None
    if calloff.callback_email:
        found[(Channel.EMAIL, calloff.callback_email.lower())] = None
    for kind, email, _phone, _place, _id in rows:
        if kind == 1 and email:
            found[(Channel.EMAIL, email.lower())] = None
    if sms:
        if calloff.callback_phone:
            found[(Channel.SMS, calloff.callback_phone)] = None
        for kind, _email, phone, _place, _id in rows:
            if kind == 1 and phone:
                found[(Channel.SMS, phone)] = None
    return list(found)


def ministry_recipients() -> list[str]:
    return sorted(
        {
            e.lower()
            for e in _User.objects.filter(is_ministry_staff=True, is_active=True).values_list("email", flat=True)
        }
    )


# --- Creating rows ------------------------------------------------------------------------------


def _create(rows: list[Notification]) -> list[Notification]:
    return notifications_create(rows)


def _marked(rows: list[Notification], calloff: CallOff | None) -> list[Notification]:
    """The rows of a drill carry the mark where a person reads first: subject and SMS begin with
    ÜBUNG, an e-mail opens with a line saying it is a drill (webhooks: ``"drill": true``)."""
    if calloff is None or not calloff.is_drill:
        return rows
    for row in rows:
        if row.channel == Channel.EMAIL:
            row.subject = _short(f"{DRILL_MARK}: {row.subject}", 200)
            row.body = _("{mark} – dies ist eine Übung, kein Notfall.").format(mark=DRILL_MARK) + "\n\n" + row.body
        elif row.channel == Channel.SMS:
            row.body = _short(f"{DRILL_MARK}: {row.body}", SMS_MAX)
    return rows


def _about(calloff: CallOff | None, *, source: str = "") -> dict:
    """The generic fields of a row about a call-off: topic, body, reference, link, source."""
    if calloff is None:
        return {"source": source}
    return {
        "topic": calloff,
        "organisation_id": calloff.organisation_id,
        "reference": calloff.number,
        "link": reverse("calloffs:detail", args=[calloff.public_id]),
        "source": source,
    }


def _event_source(event: CallOffEvent) -> str:
    return source_of(event)


#: Inside ``webhook_endpoints_known()``: provider id → its active webhook endpoints (id, url), as
#: read a moment ago in the same transaction; None outside.
_known_endpoints: ContextVar[dict[int, list[tuple[int, str]]] | None] = ContextVar(
    "digisos_known_webhook_endpoints", default=None
)


@contextmanager
def webhook_endpoints_known(endpoints: dict[int, list[tuple[int, str]]]):
    """Within the block, the outbox rows of these providers (every one a key, ``[]``: none) are
    addressed to the endpoints given, not read again (the filing reads them with the providers'
    engagements, calloffs.services.offers.engagements_and_webhooks). Only for the caller's own
    transaction: nothing is kept beyond the block."""
    token = _known_endpoints.set(endpoints)
    try:
        yield
    finally:
        _known_endpoints.reset(token)


def _active_webhook_endpoints(provider: Provider) -> list[tuple[int, str]]:
    known = _known_endpoints.get()
    if known is not None and provider.pk in known:
        return known[provider.pk]
    return list(provider.webhook_endpoints.filter(active=True).order_by("id").values_list("id", "url"))


def _provider_rows(
    *,
    provider: Provider,
    calloff: CallOff,
    event: CallOffEvent,
    event_type: str,
    subject: str,
    text: str,
    sms_text: str | None = None,
    extra: dict | None = None,
) -> list[Notification]:
    common = {**_about(calloff, source=_event_source(event)), "event_type": event_type, "audience": Audience.PROVIDER}
    rows: list[Notification] = []
    payload = webhook_payload(event_type=event_type, calloff=calloff, event=event, extra=extra)
    for endpoint_id, url in _active_webhook_endpoints(provider):
        rows.append(
            Notification(**common, channel=Channel.WEBHOOK, endpoint_id=endpoint_id, recipient=url, payload=payload)
        )
    if provider.email:
        rows.append(Notification(**common, channel=Channel.EMAIL, recipient=provider.email, subject=subject, body=text))
    if sms_text:
        phones = terms().contact_phones.get(provider.pk, ())[:PROVIDER_SMS_CONTACTS]
        for phone in dict.fromkeys(phones):
            rows.append(Notification(**common, channel=Channel.SMS, recipient=phone, body=_short(sms_text, SMS_MAX)))
    return rows


def _body_rows(
    *, calloff: CallOff, event: CallOffEvent, event_type: str, subject: str, text: str, sms_text: str | None = None
) -> list[Notification]:
    common = {**_about(calloff, source=_event_source(event)), "event_type": event_type, "audience": Audience.BODY}
    rows = []
    for channel, address in body_recipients(calloff, sms=bool(sms_text)):
        if channel == Channel.EMAIL:
            rows.append(Notification(**common, channel=channel, recipient=address, subject=subject, body=text))
        else:
            rows.append(Notification(**common, channel=channel, recipient=address, body=_short(sms_text, SMS_MAX)))
    return rows


def _footer(calloff: CallOff) -> str:
    return "\n\n" + _("Zum Abruf: {url}").format(url=portal_url(calloff)) + "\n\n-- \nDigi-SOS"


def _offer_texts(calloff: CallOff, respond_by) -> tuple[str, str, str]:
    body = calloff.organisation
    subject = _("Neues Angebot {number} ({priority}): {body}").format(
        number=calloff.number, priority=calloff.priority, body=body.name
    )
    text = _(
        "Ihnen wird der Abruf {number} angeboten.\n\nStelle: {body}\nPriorität: {priority}\nArt: {category}\n"
        "Lage: {situation}\n\nBitte bis {respond_by} annehmen oder ablehnen; danach geht das Angebot an den "
        "nächsten Dienstleister der Rangfolge."
    ).format(
        number=calloff.number,
        body=body.name,
        priority=calloff.get_priority_display(),
        category=calloff.get_category_display(),
        situation=_short(calloff.situation, SITUATION_MAX),
        respond_by=_local(respond_by),
    )
    sms = _("Digi-SOS: Angebot {number} ({priority}, {body}). Antwort bis {respond_by}. {url}").format(
        number=calloff.number,
        priority=calloff.priority,
        body=body.name,
        respond_by=_local(respond_by),
        url=portal_url(calloff),
    )
    return subject, text + _footer(calloff), sms


def notifications_for_event(event: CallOffEvent) -> list[Notification]:
    """Write the outbox rows for one call-off event (inside the caller's transaction)."""
    builder = _BUILDERS.get(event.kind)
    if builder is None:
        return []
    return _create(_marked(builder(event, event.calloff), event.calloff))


def _offered(event: CallOffEvent, calloff: CallOff) -> list[Notification]:
    respond_by = event.data.get("respond_by")
    if isinstance(respond_by, str):
        respond_by = datetime.fromisoformat(respond_by)
    subject, text, sms = _offer_texts(calloff, respond_by)
    return _provider_rows(
        provider=event.provider,
        calloff=calloff,
        event=event,
        event_type=EventType.OFFER_CREATED,
        subject=subject,
        text=text,
        sms_text=sms,
        extra={
            "respond_by": respond_by,
            "offer": {"id": str(event.data.get("offer", "")), "sequence": event.data.get("sequence")},
        },
    )


def _offer_gone(event: CallOffEvent, calloff: CallOff) -> list[Notification]:
    reason = "expired" if event.kind == EventKind.EXPIRED else "withdrawn"
    subject = _("Angebot {number} ist nicht mehr offen").format(number=calloff.number)
    text = _("Das Angebot zum Abruf {number} ({body}) ist nicht mehr offen: {label}. {reason}").format(
        number=calloff.number, body=calloff.organisation.name, label=event.get_kind_display(), reason=event.reason
    ) + _footer(calloff)
    return _provider_rows(
        provider=event.provider,
        calloff=calloff,
        event=event,
        event_type=EventType.OFFER_WITHDRAWN,
        subject=subject,
        text=text,
        extra={"offer": {"id": str(event.data.get("offer", ""))}, "reason": reason, "reason_text": event.reason},
    )


def _accepted_texts(calloff: CallOff) -> tuple[str, str, str]:
    provider = calloff.provider
    subject = _("Abruf {number} angenommen: {provider}").format(number=calloff.number, provider=provider)
    if calloff.lead_name:
        lead = _("Einsatzleitung: {name}, Telefon {phone}").format(name=calloff.lead_name, phone=calloff.lead_phone)
    else:
        lead = _("Die Einsatzleitung meldet der Dienstleister in Kürze; Notfall-Hotline: {phone}").format(
            phone=provider.hotline
        )
    text = _(
        "Ihr Abruf {number} wurde von {provider} übernommen.\n{lead}\nRemote ab: {remote}\nVor Ort ab: {onsite}"
    ).format(
        number=calloff.number,
        provider=provider.legal_name,
        lead=lead,
        remote=_local(calloff.eta_remote),
        onsite=_local(calloff.eta_onsite),
    ) + _footer(calloff)
    sms = _("Digi-SOS: Abruf {number} übernommen von {provider}. {lead}").format(
        number=calloff.number, provider=provider.short_name, lead=lead
    )
    return subject, text, sms


def _accepted(event: CallOffEvent, calloff: CallOff) -> list[Notification]:
    subject, text, sms = _accepted_texts(calloff)
    rows = _body_rows(
        calloff=calloff, event=event, event_type=EventType.CALLOFF_ACCEPTED, subject=subject, text=text, sms_text=sms
    )
    if event.kind == EventKind.ASSIGNED_MANUALLY and event.provider:
        p_subject = _("Abruf {number} Ihnen zugewiesen ({priority})").format(
            number=calloff.number, priority=calloff.priority
        )
        p_text = _(
            "Das Ministerium hat Ihnen den Abruf {number} ({body}, {priority}) zugewiesen.\n"
            "Diese Zuweisung ist verbindlich; eine Bestätigung durch Sie ist nicht erforderlich.\n"
            "Begründung des Ministeriums: {reason}\nLage: {situation}\n"
            "Bitte melden Sie umgehend Ihre Einsatzleitung."
        ).format(
            number=calloff.number,
            body=calloff.organisation.name,
            priority=calloff.get_priority_display(),
            reason=event.reason,
            situation=_short(calloff.situation, SITUATION_MAX),
        ) + _footer(calloff)
        p_sms = _("Digi-SOS: Abruf {number} ({priority}, {body}) Ihnen zugewiesen. {url}").format(
            number=calloff.number, priority=calloff.priority, body=calloff.organisation.name, url=portal_url(calloff)
        )
        rows += _provider_rows(
            provider=event.provider,
            calloff=calloff,
            event=event,
            event_type=EventType.CALLOFF_ASSIGNED,
            subject=p_subject,
            text=p_text,
            sms_text=p_sms,
            extra={"binding": True, "reason_text": event.reason},
        )
    return rows


def _state_changed(event: CallOffEvent, calloff: CallOff) -> list[Notification]:
    subject = _("Abruf {number}: {label}").format(number=calloff.number, label=event.get_kind_display())
    text = _("Der Abruf {number} hat den Status „{state}“.{reason}").format(
        number=calloff.number,
        state=calloff.get_state_display(),
        reason=f"\n{event.reason}" if event.reason else "",
    ) + _footer(calloff)
    urgent = event.kind in (EventKind.UNASSIGNED, EventKind.CANCELLED)
    sms = (
        _("Digi-SOS: Abruf {number}: {label}.").format(number=calloff.number, label=event.get_kind_display())
        if urgent
        else None
    )
    event_type = EventType.CALLOFF_UNASSIGNED if event.kind == EventKind.UNASSIGNED else EventType.CALLOFF_STATE_CHANGED
    rows = _body_rows(calloff=calloff, event=event, event_type=event_type, subject=subject, text=text, sms_text=sms)
    if event.kind == EventKind.CANCELLED and calloff.provider_id:
        rows += _provider_rows(
            provider=calloff.provider,
            calloff=calloff,
            event=event,
            event_type=EventType.CALLOFF_CANCELLED,
            subject=_("Abruf {number} storniert").format(number=calloff.number),
            text=_("Der Abruf {number} ({body}) wurde storniert. Grund: {reason}").format(
                number=calloff.number, body=calloff.organisation.name, reason=event.reason
            )
            + _footer(calloff),
            sms_text=_("Digi-SOS: Abruf {number} storniert.").format(number=calloff.number),
            extra={"reason_text": event.reason},
        )
    return rows


def _progress(event: CallOffEvent, calloff: CallOff) -> list[Notification]:
    kinds = {
        EventKind.LEAD_REPORTED: EventType.CALLOFF_LEAD,
        EventKind.NOTE: EventType.CALLOFF_NOTE,
    }
    event_type = kinds.get(event.kind, EventType.CALLOFF_MILESTONE)
    subject = _("Abruf {number}: {label}").format(number=calloff.number, label=event.get_kind_display())
    lines = [
        _("{provider} meldet zu Abruf {number}: {label}.").format(
            provider=calloff.provider, number=calloff.number, label=event.get_kind_display()
        )
    ]
    if event.kind == EventKind.LEAD_REPORTED:
        lines.append(
            _("Einsatzleitung: {name}, Telefon {phone}").format(name=calloff.lead_name, phone=calloff.lead_phone)
        )
    if event.reason:
        lines.append(event.reason)
    return _body_rows(
        calloff=calloff, event=event, event_type=event_type, subject=subject, text="\n".join(lines) + _footer(calloff)
    )


def _sla_breached(event: CallOffEvent, calloff: CallOff) -> list[Notification]:
    milestone = event.data.get("milestone_label") or event.data.get("milestone", "")
    due = event.data.get("due_at")
    if isinstance(due, str):
        due = datetime.fromisoformat(due)
    subject = _("SLA-Frist überschritten: Abruf {number} – {milestone}").format(
        number=calloff.number, milestone=milestone
    )
    text = _("Beim Abruf {number} ist die Frist „{milestone}“ ({due}) von {provider} ohne Meldung verstrichen.").format(
        number=calloff.number, milestone=milestone, due=_local(due), provider=calloff.provider
    ) + _footer(calloff)
    sms = _("Digi-SOS: SLA-Frist {milestone} bei Abruf {number} überschritten (fällig {due}).").format(
        milestone=milestone, number=calloff.number, due=_local(due)
    )
    rows = _body_rows(
        calloff=calloff, event=event, event_type=EventType.SLA_BREACHED, subject=subject, text=text, sms_text=sms
    )
    if calloff.provider_id:
        rows += _provider_rows(
            provider=calloff.provider,
            calloff=calloff,
            event=event,
            event_type=EventType.SLA_BREACHED,
            subject=subject,
            text=text,
            extra={"milestone": event.data.get("milestone"), "due_at": due},
        )
    return rows


_BUILDERS = {
    EventKind.OFFERED: _offered,
    EventKind.EXPIRED: _offer_gone,
    EventKind.WITHDRAWN: _offer_gone,
    EventKind.ACCEPTED: _accepted,
    EventKind.ASSIGNED_MANUALLY: _accepted,
    EventKind.STARTED: _state_changed,
    EventKind.COMPLETED: _state_changed,
    EventKind.UNASSIGNED: _state_changed,
    EventKind.CANCELLED: _state_changed,
    EventKind.LEAD_REPORTED: _progress,
    EventKind.CALLBACK_MADE: _progress,
    EventKind.REMOTE_STARTED: _progress,
    EventKind.ONSITE_ARRIVED: _progress,
    EventKind.CONTAINED: _progress,
    EventKind.NOTE: _progress,
    EventKind.SLA_BREACHED: _sla_breached,
}


def notifications_for_alert(alert: MinistryAlert) -> list[Notification]:
    """E-mail every active ministry staff member about a ministry alert (inside the transaction)."""
    subject = _("Digi-SOS: {kind}").format(kind=alert.get_kind_display())
    text = alert.message
    if alert.calloff_id:
        text += _footer(alert.calloff)
    else:
        text += "\n\n-- \nDigi-SOS"
    rows = [
        Notification(
            **_about(alert.calloff, source=source_of(alert)),
            event_type=f"ministry.{alert.kind}",
            audience=Audience.MINISTRY,
            channel=Channel.EMAIL,
            recipient=email,
            subject=_short(subject, 200),
            body=text,
        )
        for email in ministry_recipients()
    ]
    return _create(_marked(rows, alert.calloff if alert.calloff_id else None))


def notifications_for_audit_checkpoint(checkpoint: dict, line: str) -> list[Notification]:
    """E-mail a signed checkpoint of the audit chain to the addresses the ministry named
    (settings.AUDIT_CHECKPOINT_EMAIL): a copy of the chain's head outside the database."""
    subject = _("Digi-SOS: Prüfpunkt des Protokolls, Eintrag {sequence}").format(sequence=checkpoint["sequence"])
    text = _(
        "Prüfpunkt der Protokollkette von Digi-SOS (Stand {at}): Eintrag {sequence}.\n\n"
        "Bitte bewahren Sie diese Nachricht unverändert auf. Mit ihr lässt sich später nachweisen, "
        "dass bis zu diesem Eintrag nichts aus dem Protokoll entfernt oder verändert wurde "
        "(manage.py verify_audit_chain --checkpoints mit einer Datei, die diese Zeile enthält)."
        "\n\n{line}\n\n-- \nDigi-SOS"
    ).format(at=_local(datetime.fromisoformat(checkpoint["at"])), sequence=checkpoint["sequence"], line=line)
    rows = [
        Notification(
            event_type="audit.checkpoint",
            audience=Audience.MINISTRY,
            channel=Channel.EMAIL,
            recipient=email,
            subject=_short(subject, 200),
            body=text,
        )
        for email in settings.AUDIT_CHECKPOINT_EMAIL
    ]
    return _create(rows)


def notifications_for_document(document: CallOffDocument) -> list[Notification]:
    """``document.issued`` to the webhook endpoints of the call-off's assigned provider, written in
    the transaction that marks the document ready: the provider learns when to fetch it (and which
    version, with its SHA-256) instead of polling ``order.pdf``. Need-to-know: nobody else, no body data."""
    calloff = document.calloff
    if calloff is None or calloff.provider_id is None or not document.is_ready:
        return []  # an incident's own document (the incident's final report) is not the providers' business
    payload = _plain(
        {
            "type": EventType.DOCUMENT_ISSUED,
            "timestamp": document.rendered_at,
            "data": {
                "calloff": {"id": str(calloff.public_id), "number": calloff.number, "url": api_url(calloff)},
                "drill": calloff.is_drill,
                "document": {
                    "id": str(document.public_id),
                    "kind": document.kind,
                    "version": document.version,
                    "sha256": document.sha256,
                    "size": document.size,
                    "issued_at": document.rendered_at,
                    "url": document_api_url(document),
                },
            },
        }
    )
    common = {
        **_about(calloff, source=source_of(document)),
        "event_type": EventType.DOCUMENT_ISSUED,
        "audience": Audience.PROVIDER,
    }
    endpoints = calloff.provider.webhook_endpoints.filter(active=True).order_by("id")
    return _create(
        [
            Notification(**common, channel=Channel.WEBHOOK, endpoint=endpoint, recipient=endpoint.url, payload=payload)
            for endpoint in endpoints
        ]
    )
