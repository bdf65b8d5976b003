"""Every write of the aftercare app (STYLE.md §2): keyword-only, one durable transaction, the rows
re-read and locked, the actor's engagement checked here (not in views), an audit entry per change,
side effects (the ministry alert's e-mails) written to the outbox in the same transaction.

Only the accepting provider of a call-off writes its findings and indicators, while it is engaged
(calloffs.visibility.engaged_calloffs).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from calloffs.models import AlertKind, CallOff
from calloffs.services.common import alert_ministry
from calloffs.visibility import timeline_scope
from digisos.plausible import check_order, check_past_datetime
from incidents.models import TimelineEntry
from incidents.services import timeline_add
from tenants.services import audit

from .errors import InvalidInput
from .locks import lock_engaged as _lock_engaged
from .models import (
    NOT_ACROSS_BODIES,
    Finding,
    FindingCategory,
    Indicator,
    IndicatorKind,
    IndicatorValue,
    Severity,
    Sighting,
    Tlp,
)
from .remediation import services as remediation
from .validation import check_cve, normalise_indicator, parse_cvss

#: The fields of a finding that can be written (create and update).
FINDING_FIELDS = (
    "title",
    "description",
    "category",
    "affected_systems",
    "cve_id",
    "cvss_vector",
    "severity",
    "recommendation",
    "root_cause",
)
#: The fields of an indicator that can be changed after it was recorded (a new value is a new indicator).
INDICATOR_UPDATE_FIELDS = ("tlp", "description", "first_seen", "last_seen")

LIMITS = {"title": 200, "description": 20000, "affected_systems": 5000, "recommendation": 20000}


def _invalid(exc: ValidationError, field: str) -> InvalidInput:
    return InvalidInput(" ".join(exc.messages), field=field)


# --- Findings -----------------------------------------------------------------------------------


def _clean_finding(data: dict) -> dict:
    """Check and complete a finding's fields (all of them, as they will be stored)."""
    out = dict(data)
    for field, limit in LIMITS.items():
        out[field] = (out.get(field) or "").strip()
        if len(out[field]) > limit:
            raise InvalidInput(_("Höchstens {n} Zeichen.").format(n=limit), field=field)
    if not out["title"]:
        raise InvalidInput(_("Bitte einen Titel angeben."), field="title")
    if not out["description"]:
        raise InvalidInput(_("Bitte den Befund beschreiben."), field="description")
    if out.get("category") not in FindingCategory.values:
        raise InvalidInput(_("Bitte eine Kategorie auswählen."), field="category")
    try:
        out["cve_id"] = check_cve(out.get("cve_id", ""))
    except ValidationError as exc:
        raise _invalid(exc, "cve_id") from exc
    if out["category"] == FindingCategory.UNPATCHED and not out["cve_id"]:
        raise InvalidInput(_("Bei einer ungepatchten Schwachstelle bitte die CVE-Kennung angeben."), field="cve_id")
    vector = (out.get("cvss_vector") or "").strip()
    if vector:
        try:
            cvss = parse_cvss(vector)
        except ValidationError as exc:
            raise _invalid(exc, "cvss_vector") from exc
        given = out.get("severity") or ""
        if given and given != cvss.severity:
            raise InvalidInput(
                _("Der Schweregrad ergibt sich aus dem CVSS-Basiswert {score}: „{severity}“.").format(
                    score=cvss.score, severity=Severity(cvss.severity).label
                ),
                field="severity",
            )
        out.update(cvss_vector=cvss.vector, cvss_score=cvss.score, severity=cvss.severity)
    else:
        out.update(cvss_vector="", cvss_score=None)
        if out.get("severity") not in Severity.values:
            raise InvalidInput(
                _("Bitte einen Schweregrad wählen oder einen CVSS-Basisvektor angeben."), field="severity"
            )
    out["root_cause"] = bool(out.get("root_cause"))
    return out


def _root_cause_entry(*, finding: Finding, calloff: CallOff, actor) -> None:
    timeline_add(
        incident=finding.incident,
        source=TimelineEntry.Source.PROVIDER,
        text=_("Ursache festgestellt: {title} ({category})").format(
            title=finding.title, category=finding.get_category_display()
        ),
        author=actor,
        scope=timeline_scope(calloff),
    )


@transaction.atomic(durable=True)
def finding_create(*, calloff: CallOff, actor, **fields) -> Finding:
    calloff = _lock_engaged(calloff=calloff, actor=actor)
    unknown = set(fields) - set(FINDING_FIELDS)
    if unknown:
        raise InvalidInput(_("Unbekannte Angaben: {names}").format(names=", ".join(sorted(unknown))))
    data = _clean_finding({field: fields.get(field) for field in FINDING_FIELDS})
    now = timezone.now()
    finding = Finding.objects.create(
        calloff=calloff,
        incident_id=calloff.incident_id,
        organisation_id=calloff.organisation_id,
        created_by=actor,
        created_at=now,
        updated_at=now,
        **data,
    )
    audit(
        actor=actor,
        action="finding.created",
        organisation=calloff.organisation,
        target=str(finding.public_id),
        calloff=calloff.number,
        severity=finding.severity,
        root_cause=finding.root_cause,
    )
    if finding.root_cause:
        _root_cause_entry(finding=finding, calloff=calloff, actor=actor)
    remediation.measure_for_finding(finding=finding, calloff=calloff, actor=actor, now=now)
    return finding


@transaction.atomic(durable=True)
def finding_update(*, finding: Finding, actor, **changes) -> Finding:
    unknown = set(changes) - set(FINDING_FIELDS)
    if unknown:
        raise InvalidInput(_("Unbekannte Angaben: {names}").format(names=", ".join(sorted(unknown))))
    # The call-off first, then the row (the order of finding_create, so two writers never deadlock).
    calloff = _lock_engaged(calloff=finding.calloff, actor=actor)
    finding = Finding.objects.select_for_update().get(pk=finding.pk, calloff_id=calloff.pk)
    current = {field: getattr(finding, field) for field in FINDING_FIELDS}
    if "cvss_vector" in changes and "severity" not in changes:
        current["severity"] = ""  # derived again from the new vector (or to be chosen without one)
    data = _clean_finding({**current, **changes})
    changed = [field for field in (*FINDING_FIELDS, "cvss_score") if data[field] != getattr(finding, field)]
    if not changed:
        return finding
    became_root_cause = data["root_cause"] and not finding.root_cause
    for field in changed:
        setattr(finding, field, data[field])
    finding.updated_at = max(timezone.now(), finding.created_at)
    finding.save(update_fields=[*changed, "updated_at"])
    audit(
        actor=actor,
        action="finding.updated",
        organisation=calloff.organisation,
        target=str(finding.public_id),
        calloff=calloff.number,
        fields=changed,
    )
    if became_root_cause:
        _root_cause_entry(finding=finding, calloff=calloff, actor=actor)
    if "severity" in changed:
        remediation.reschedule_for_finding(finding=finding, actor=actor)
    return finding


# --- Indicators ---------------------------------------------------------------------------------


def _clean_seen(first_seen, last_seen) -> None:
    for field, value in (("first_seen", first_seen), ("last_seen", last_seen)):
        try:
            check_past_datetime(value)
        except ValidationError as exc:
            raise _invalid(exc, field) from exc
    try:
        check_order(first_seen, last_seen, start_label=_("Erstmals gesehen"))
    except ValidationError as exc:
        raise _invalid(exc, "last_seen") from exc


def _clean_text(value: str, *, field: str, limit: int) -> str:
    value = (value or "").strip()
    if len(value) > limit:
        raise InvalidInput(_("Höchstens {n} Zeichen.").format(n=limit), field=field)
    return value


@transaction.atomic(durable=True)
def indicator_create(
    *,
    calloff: CallOff,
    actor,
    kind: str,
    value: str,
    tlp: str = Tlp.AMBER,
    description: str = "",
    first_seen=None,
    last_seen=None,
) -> Indicator:
    calloff = _lock_engaged(calloff=calloff, actor=actor)
    if kind not in IndicatorKind.values:
        raise InvalidInput(_("Bitte einen Indikatortyp auswählen."), field="kind")
    if tlp not in Tlp.values:
        raise InvalidInput(_("Bitte eine TLP-Stufe auswählen."), field="tlp")
    try:
        value = normalise_indicator(kind, value)
    except ValidationError as exc:
        raise _invalid(exc, "value") from exc
    description = _clean_text(description, field="description", limit=5000)
    _clean_seen(first_seen, last_seen)
    if Indicator.objects.filter(calloff=calloff, kind=kind, value=value).exists():
        raise InvalidInput(_("Dieser Indikator ist für diesen Abruf bereits erfasst."), field="value")
    now = timezone.now()
    indicator = Indicator.objects.create(
        calloff=calloff,
        incident_id=calloff.incident_id,
        organisation_id=calloff.organisation_id,
        kind=kind,
        value=value,
        tlp=tlp,
        description=description,
        first_seen=first_seen,
        last_seen=last_seen,
        created_by=actor,
        created_at=now,
        updated_at=now,
    )
    audit(
        actor=actor,
        action="indicator.created",
        organisation=calloff.organisation,
        target=str(indicator.public_id),
        calloff=calloff.number,
        kind=kind,
        tlp=tlp,
    )
    _match(indicator=indicator, calloff=calloff, actor=actor)
    return indicator


@transaction.atomic(durable=True)
def indicator_update(*, indicator: Indicator, actor, **changes) -> Indicator:
    unknown = set(changes) - set(INDICATOR_UPDATE_FIELDS)
    if unknown:
        raise InvalidInput(
            _("Typ und Wert eines Indikators sind nicht änderbar; bitte einen neuen Indikator erfassen."),
            field=sorted(unknown)[0],
        )
    # The call-off first, then the row (the order of indicator_create, so two writers never deadlock).
    calloff = _lock_engaged(calloff=indicator.calloff, actor=actor)
    indicator = Indicator.objects.select_for_update().get(pk=indicator.pk, calloff_id=calloff.pk)
    data = {field: getattr(indicator, field) for field in INDICATOR_UPDATE_FIELDS} | changes
    if data["tlp"] not in Tlp.values:
        raise InvalidInput(_("Bitte eine TLP-Stufe auswählen."), field="tlp")
    data["description"] = _clean_text(data["description"], field="description", limit=5000)
    _clean_seen(data["first_seen"], data["last_seen"])
    changed = [field for field in INDICATOR_UPDATE_FIELDS if data[field] != getattr(indicator, field)]
    if not changed:
        return indicator
    was_matchable = indicator.tlp not in NOT_ACROSS_BODIES
    for field in changed:
        setattr(indicator, field, data[field])
    indicator.updated_at = max(timezone.now(), indicator.created_at)
    indicator.save(update_fields=[*changed, "updated_at"])
    audit(
        actor=actor,
        action="indicator.updated",
        organisation=calloff.organisation,
        target=str(indicator.public_id),
        calloff=calloff.number,
        fields=changed,
        tlp=indicator.tlp,
    )
    matchable = indicator.tlp not in NOT_ACROSS_BODIES
    if matchable and not was_matchable:
        _match(indicator=indicator, calloff=calloff, actor=actor)  # released for matching only now
    elif was_matchable and not matchable:
        _unmatch(indicator=indicator, calloff=calloff, actor=actor)  # withdrawn from matching
    return indicator


# --- Matching -----------------------------------------------------------------------------------


def _match(*, indicator: Indicator, calloff: CallOff, actor) -> Sighting | None:
    """Record that the indicator's body has seen its value; if this makes the value one seen at more
    than one body, tell the ministry once (a ministry alert with its e-mails through the outbox).

    TLP:RED and TLP:AMBER+STRICT indicators take no part (NOT_ACROSS_BODIES): RED stays with the
    incident's parties, AMBER+STRICT within the body's organisation, so not even the fact of a match
    (value and bodies' names) reaches the ministry. The value row is locked, so two bodies recording
    the same value at the same moment raise one alert, not none and not two.
    """
    if indicator.tlp in NOT_ACROSS_BODIES:
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
    )
    return sighting


def _unmatch(*, indicator: Indicator, calloff: CallOff, actor) -> None:
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
