"""Messages of the aftercare app through the notifications outbox (written in the caller's
transaction, delivered after it commits): ``indicator.matched`` to the provider that recorded an
indicator value at one body, when the value was also recorded at another body and TLP allows it
(the rules are in aftercare.matching). Need to know: the provider's own call-off and indicator, the
number of bodies, the other body's name only where its TLP allows, and the TLP level under which
the message itself is shared."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from calloffs.services.notify import api_url
from digisos.wire import rfc3339
from notifications.models import Audience, Channel, Notification, source_of
from notifications.services import notifications_create

from .models import Indicator, Sighting, Tlp

INDICATOR_MATCHED = "indicator.matched"


def indicator_api_url(indicator: Indicator) -> str:
    return f"{api_url(indicator.calloff)}indicators/{indicator.public_id}/"


def notify_indicator_matched(
    *, indicator: Indicator, sighting: Sighting, level: str, bodies: int, other_body: str | None
) -> list[Notification]:
    """Tell the provider of ``indicator``'s call-off that its value was also recorded at another body
    (``sighting``): by webhook to its active endpoints and by e-mail."""
    calloff = indicator.calloff
    provider = calloff.provider
    now = timezone.now()
    payload = {
        "type": INDICATOR_MATCHED,
        "timestamp": rfc3339(now),
        "data": {
            "calloff": {"id": str(calloff.public_id), "number": calloff.number, "url": api_url(calloff)},
            "indicator": {
                "id": str(indicator.public_id),
                "kind": indicator.kind,
                "value": indicator.value,
                "tlp": indicator.tlp,
                "url": indicator_api_url(indicator),
            },
            "match": {"bodies": bodies, "other_body": other_body, "tlp": level},
        },
    }
    where = other_body or _("einer anderen Stelle in NRW")
    subject = _("Indikator auch bei einer anderen Stelle erfasst – Abruf {number}").format(number=calloff.number)
    text = _(
        "Der Indikator {kind} „{value}“, den Sie im Abruf {number} ({body}) erfasst haben, wurde jetzt auch bei "
        "{where} erfasst (insgesamt bei {bodies} Stellen). Möglicherweise derselbe Angreifer: bitte prüfen Sie "
        "Ihre Analyse und Ihre Empfehlungen an die Stelle. Das Ministerium ist informiert.\n\n"
        "Diese Nachricht ist {tlp} eingestuft; geben Sie sie nur entsprechend weiter.\n\n{link}"
    ).format(
        kind=indicator.get_kind_display(),
        value=indicator.value,
        number=calloff.number,
        body=calloff.organisation.name,
        where=where,
        bodies=bodies,
        tlp=Tlp(level).label,
        link=settings.SITE_URL + reverse("aftercare:incident", args=[calloff.incident.public_id]),
    )
    common = {
        "topic": calloff,
        "organisation_id": calloff.organisation_id,
        "reference": calloff.number,
        "link": reverse("aftercare:incident", args=[calloff.incident.public_id]),
        "source": source_of(sighting),
        "event_type": INDICATOR_MATCHED,
        "audience": Audience.PROVIDER,
    }
    rows = [
        Notification(**common, channel=Channel.WEBHOOK, endpoint=endpoint, recipient=endpoint.url, payload=payload)
        for endpoint in provider.webhook_endpoints.filter(active=True).order_by("id")
    ]
    if provider.email:
        rows.append(
            Notification(**common, channel=Channel.EMAIL, recipient=provider.email, subject=subject[:200], body=text)
        )
    return notifications_create(rows)
