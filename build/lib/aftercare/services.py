"""Every write of the aftercare app (STYLE.md §2): keyword-only, one durable transaction, the rows
re-read and locked, the actor's engagement checked here (not in views), an audit entry per change,
side effects (the ministry alert's e-mails) written to the outbox in the same transaction.

Only the accepting provider of a call-off writes its findings and indicators, while it is engaged
(calloffs.visibility.engaged_calloffs); the body's callers and administrators may choose an
indicator's TLP level (indicator_tlp_set). Matching across bodies is in aftercare.matching.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from calloffs.models import CallOff
from calloffs.permissions import FILING_ROLES
from calloffs.visibility import timeline_scope
from digisos.plausible import check_order, check_past_datetime
from incidents.models import TimelineEntry
from incidents.services import timeline_add
from tenants.selectors import roles_of
from tenants.services import audit

from . import matching
from .errors import InvalidInput, NotPermitted
from .locks import lock_engaged as _lock_engaged
from .models import Finding, FindingCategory, Indicator, IndicatorKind, Severity, Tlp
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


def _root_cause_entry(*, finding: Finding, calloff: CallOff, actor, marked: bool) -> None:
    """The timeline records that the finding became the root cause, or that the mark was taken back;
    the finding keeps a reference to the entry that marks it (the report's mark, report_timeline)."""
    template = (
        _("Ursache festgestellt: {title} ({category})") if marked else _("Ursache zurückgenommen: {title} ({category})")
    )
    entry = timeline_add(
        incident=finding.incident,
        source=TimelineEntry.Source.PROVIDER,
        text=template.format(title=finding.title, category=finding.get_category_display()),
        author=actor,
        scope=timeline_scope(calloff),
    )
    finding.root_cause_entry = entry if marked else None
    finding.save(update_fields=["root_cause_entry"])


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
        _root_cause_entry(finding=finding, calloff=calloff, actor=actor, marked=True)
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
    root_cause_changed = data["root_cause"] != finding.root_cause
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
    if root_cause_changed:
        _root_cause_entry(finding=finding, calloff=calloff, actor=actor, marked=finding.root_cause)
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
    matching.match(indicator=indicator, calloff=calloff, actor=actor)
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
    was_matchable = matching.matchable(indicator.tlp)
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
    matching.tlp_changed(indicator=indicator, was_matchable=was_matchable, calloff=calloff, actor=actor)
    return indicator


@transaction.atomic(durable=True)
def indicator_tlp_set(*, indicator: Indicator, actor, tlp: str, reason: str = "") -> Indicator:
    """The body chooses the TLP level of an indicator of its incident (TLP 2.0: the source of the
    information sets the label, and the body is as much the source as its provider). Its callers and
    administrators may; a read-only member and the ministry see the indicator but may not
    (NotPermitted). Raising it to TLP:RED or TLP:AMBER+STRICT withdraws it from matching, lowering it
    releases it, as when the provider changes it (aftercare.matching.tlp_changed)."""
    if roles_of(actor).get(indicator.organisation_id) not in FILING_ROLES:
        raise NotPermitted(_("Die TLP-Stufe ändern nur die Abrufberechtigten und die Administration der Stelle."))
    if tlp not in Tlp.values:
        raise InvalidInput(_("Bitte eine TLP-Stufe auswählen."), field="tlp")
    reason = _clean_text(reason, field="reason", limit=500)
    # The call-off first, then the row (the order of the provider's writes, so two writers never deadlock).
    calloff = (
        CallOff.objects.select_for_update(of=("self",)).select_related("organisation").get(pk=indicator.calloff_id)
    )
    indicator = Indicator.objects.select_for_update().get(pk=indicator.pk)
    if indicator.tlp == tlp:
        return indicator
    old = indicator.tlp
    was_matchable = matching.matchable(old)
    indicator.tlp = tlp
    indicator.updated_at = max(timezone.now(), indicator.created_at)
    indicator.save(update_fields=["tlp", "updated_at"])
    audit(
        actor=actor,
        action="indicator.tlp_changed",
        organisation=calloff.organisation,
        target=str(indicator.public_id),
        calloff=calloff.number,
        old=old,
        new=tlp,
        by="body",
        reason=reason,
    )
    matching.tlp_changed(indicator=indicator, was_matchable=was_matchable, calloff=calloff, actor=actor)
    return indicator
