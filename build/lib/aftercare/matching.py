"""Matching indicators across bodies: the early warning that no single municipality can raise.

When an indicator value is recorded at a second (third, …) body, the ministry is told once (a
ministry alert with its e-mails through the outbox), and the providers of the other bodies that
had recorded it are told where the TLP of both sides allows (``indicator.matched``, aftercare.notify).

Who is told what (TLP 2.0, as the state CERT would apply it):

- TLP:RED and TLP:AMBER+STRICT take no part at all (NOT_ACROSS_BODIES): RED stays with the
  incident's parties, AMBER+STRICT within the body's organisation, so not even the fact of a match
  (value and bodies' names) reaches the ministry.
- TLP:AMBER reaches the ministry (a recipient of the body's information with a need to know), but
  not the other body's provider: TLP:AMBER may be passed on only within the recipient's own
  organisation and to its clients, and a provider engaged by another body is neither. The ministry's
  alert says which providers were not told, so it can pass the warning on itself where it judges so.
- TLP:CLEAR and TLP:GREEN (community-wide) on BOTH sides (the new indicator and every indicator
  of the other body with the value): the other body's provider is told that the value it recorded
  was also seen elsewhere. It learns nothing it did not have (its own value) except that fact.
- The other body's identity is a victim's identity: the provider is told the new body's name only
  when the new indicator is TLP:CLEAR (disclosure not limited, which the body can set itself);
  otherwise "another body in NRW".
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from calloffs.models import AlertKind, CallOff
from calloffs.services.common import alert_ministry
from tenants.services import audit

from .models import NOT_ACROSS_BODIES, Indicator, IndicatorValue, Sighting, Tlp
from .notify import notify_indicator_matched

#: Levels under which the provider of another body may be told of a match (both sides must have one).
TELLS_OTHER_PROVIDER = (Tlp.CLEAR, Tlp.GREEN)
#: Levels of the new indicator under which the other body's provider may learn the new body's name.
NAMES_THE_BODY = (Tlp.CLEAR,)
#: From least to most restrictive.
RESTRICTIVENESS = [Tlp.CLEAR, Tlp.GREEN, Tlp.AMBER, Tlp.AMBER_STRICT, Tlp.RED]


def matchable(tlp: str) -> bool:
    return tlp not in NOT_ACROSS_BODIES


def strictest(levels) -> str:
    return max(levels, key=RESTRICTIVENESS.index)


def tlp_changed(*, indicator: Indicator, was_matchable: bool, calloff: CallOff, actor) -> None:
    """After an indicator's level changed: released for matching only now, or withdrawn from it."""
    now_matchable = matchable(indicator.tlp)
    if now_matchable and not was_matchable:
        match(indicator=indicator, calloff=calloff, actor=actor)
    elif was_matchable and not now_matchable:
        unmatch(indicator=indicator, calloff=calloff, actor=actor)


def match(*, indicator: Indicator, calloff: CallOff, actor) -> Sighting | None:
    """Record that the indicator's body has seen its value; if this makes the value one seen at more
    than one body, tell the ministry once and the other bodies' providers where TLP allows. The value
    row is locked, so two bodies recording the same value at the same moment raise one alert, not
    none and not two."""
    if not matchable(indicator.tlp) or calloff.is_drill:  # a drill's indicators are made up: never matched
        return None
    value_row, _created = IndicatorValue.objects.get_or_create(kind=indicator.kind, value=indicator.value)
    value_row = IndicatorValue.objects.select_for_update().get(pk=value_row.pk)
    sighting, created = Sighting.objects.get_or_create(
        indicator_value=value_row, organisation_id=indicator.organisation_id, defaults={"first_indicator": indicator}
    )
    if not created:
        return sighting
    others = list(
        Sighting.objects.filter(indicator_value=value_row)
        .exclude(pk=sighting.pk)
        .select_related("organisation")
        .order_by("created_at", "id")
    )
    if not others:
        return sighting
    told, not_told = _tell_other_providers(indicator=indicator, sighting=sighting, others=others, actor=actor)
    bodies = ", ".join(s.organisation.name for s in [*others, sighting])
    message = _(
        "Derselbe Indikator ({kind}: {value}) wurde bei mehreren Stellen erfasst: {bodies}. "
        "Zuletzt im Abruf {number} ({body}). Möglicherweise derselbe Angreifer – bitte prüfen Sie, "
        "ob weitere Stellen gewarnt werden sollten."
    ).format(
        kind=indicator.get_kind_display(),
        value=indicator.value,
        bodies=bodies,
        number=calloff.number,
        body=calloff.organisation.name,
    )
    if told:
        message += " " + _("Informiert wurde der Dienstleister von: {bodies}.").format(bodies=", ".join(told))
    if not_told:
        message += " " + _(
            "Nicht informiert (die TLP-Stufe erlaubt es nicht), der Dienstleister von: {bodies}."
        ).format(bodies=", ".join(not_told))
    alert_ministry(kind=AlertKind.OTHER, message=message, calloff=calloff)
    sighting.alerted = True
    sighting.save(update_fields=["alerted"])
    audit(
        actor=actor,
        action="indicator.matched",
        organisation=calloff.organisation,
        target=str(indicator.public_id),
        bodies=len(others) + 1,
        kind=indicator.kind,
        providers_told=len(told),
    )
    return sighting


def _tell_other_providers(*, indicator: Indicator, sighting: Sighting, others: list[Sighting], actor):
    """``indicator.matched`` to the providers that recorded the value at the other bodies, where the
    TLP of both sides allows. Returns the names of the bodies whose providers were told / not told."""
    rows = (
        Indicator.objects.filter(
            organisation_id__in=[o.organisation_id for o in others], kind=indicator.kind, value=indicator.value
        )
        .exclude(tlp__in=NOT_ACROSS_BODIES)
        .exclude(calloff__is_drill=True)  # a drill's made-up indicators tell nobody
        .select_related("calloff__provider", "calloff__organisation")
        .order_by("created_at", "id")
    )
    by_body: dict[int, list[Indicator]] = {}
    for row in rows:
        by_body.setdefault(row.organisation_id, []).append(row)
    told, not_told = [], []
    for other in others:
        theirs = by_body.get(other.organisation_id, [])
        if not theirs:
            continue
        level = strictest([indicator.tlp, *(row.tlp for row in theirs)])
        if level not in TELLS_OTHER_PROVIDER:
            not_told.append(other.organisation.name)
            continue
        first_by_provider: dict[int, Indicator] = {}
        for row in theirs:
            if row.calloff.provider_id is not None:
                first_by_provider.setdefault(row.calloff.provider_id, row)
        for row in first_by_provider.values():
            notify_indicator_matched(
                indicator=row,
                sighting=sighting,
                level=level,
                bodies=len(others) + 1,
                other_body=indicator.calloff.organisation.name if indicator.tlp in NAMES_THE_BODY else None,
            )
            audit(
                actor=actor,
                action="indicator.match_told",
                organisation=row.calloff.organisation,
                target=str(row.public_id),
                provider=str(row.calloff.provider.public_id),
                tlp=level,
                named=indicator.tlp in NAMES_THE_BODY,
            )
        if first_by_provider:
            told.append(other.organisation.name)
    return told, not_told


def unmatch(*, indicator: Indicator, calloff: CallOff, actor) -> None:
    """The indicator was reclassified to a level that takes no part in matching: the body's sighting
    of the value goes (so the ministry's list no longer names the value with this body), unless another
    indicator of the same body with a level that may cross bodies still has the value; then the
    sighting stays and points at that one. An alert already sent cannot be recalled."""
    value_row = IndicatorValue.objects.select_for_update().filter(kind=indicator.kind, value=indicator.value).first()
    if value_row is None:
        return
    sighting = Sighting.objects.filter(indicator_value=value_row, organisation_id=indicator.organisation_id).first()
    if sighting is None:
        return
    still = (
        Indicator.objects.filter(organisation_id=indicator.organisation_id, kind=indicator.kind, value=indicator.value)
        .exclude(pk=indicator.pk)
        .exclude(tlp__in=NOT_ACROSS_BODIES)
        .order_by("created_at", "id")
        .first()
    )
    if still is not None:
        if sighting.first_indicator_id in (None, indicator.pk):
            sighting.first_indicator = still
            sighting.save(update_fields=["first_indicator"])
        return
    sighting.delete()
    audit(
        actor=actor,
        action="indicator.unmatched",
        organisation=calloff.organisation,
        target=str(indicator.public_id),
        kind=indicator.kind,
        tlp=indicator.tlp,
    )
