"""Writes to incidents. Each public function is atomic and row-locks what it changes.

``incident_open_or_attach`` and ``timeline_add`` are called inside the call-off services'
transactions, so they are not durable; the others are entry points of views and tasks.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connections, router, transaction
from django.db.models import Model, Q
from django.db.models.signals import post_save, pre_save
from django.utils import timezone
from django.utils.translation import gettext as _

from digisos import plausible
from digisos.insert_sql import insert_one, insert_sql
from digisos.uploads import ALL_TYPES as ATTACHMENT_TYPES
from digisos.uploads import RefusedUpload, check_upload
from tenants.models import Mandate, Membership, Organisation, Role
from tenants.services import audit

from .models import (
    ChecklistTick,
    FirstHourStep,
    Incident,
    IncidentAttachment,
    IncidentStatus,
    MajorIncident,
    MajorIncidentStatus,
    ObligationKind,
    ReportingObligation,
    TimelineEntry,
)
from .models.reporting import DEADLINES, FINAL_REPORT_AFTER_NOTIFICATION, REMINDER_BEFORE
from .visibility import INTERNAL

#: The incident lifecycle: forward one step at a time, or straight to closed from recovered.
STATUS_ORDER = [
    IncidentStatus.OPEN,
    IncidentStatus.CONTAINED,
    IncidentStatus.ERADICATED,
    IncidentStatus.RECOVERED,
    IncidentStatus.CLOSED,
]


def can_edit(user, organisation: Organisation) -> bool:
    """Callers and admins of the body, and ministry staff, keep the record; members only read."""
    return (
        user.is_ministry_staff
        or Membership.objects.filter(user=user, organisation=organisation, role__in=[Role.CALLER, Role.ADMIN]).exists()
    )


def _require_edit(user, organisation: Organisation) -> None:
    if not can_edit(user, organisation):
        raise PermissionDenied


# No savepoint of its own: its callers run it inside their transaction and let any error end it.
@transaction.atomic(savepoint=False)
def incident_open_or_attach(
    *,
    organisation: Organisation,
    incident: Incident | None,
    title: str,
    category: str,
    became_aware_at,
    operations_halted: bool,
    affected_systems: str,
    actor,
    became_aware_assumed: bool = False,
    is_drill: bool = False,
    locked: bool = False,
) -> Incident:
    """Return the given open incident of the body, or open a new one (with its reporting clocks).

    locked: the caller read ``incident`` of this body in this transaction with a lock
    (select_for_update): it is not read again.

    became_aware_assumed: the caller did not say since when the incident is known, so became_aware_at
    is the filing time (the incident page says "angenommen" until the body corrects it).
    is_drill: the record of a drill: always a new one (a drill never joins a real incident, nor a real
    call-off a drill's record), and no reporting clock starts."""
    plausible.check_field("became_aware_at", plausible.check_past_datetime, became_aware_at)
    if incident is not None and not is_drill:
        if not (locked and incident.organisation_id == organisation.pk):
            incident = Incident.objects.select_for_update(no_key=True).get(pk=incident.pk, organisation=organisation)
        if incident.is_drill:  # a real call-off or incident never goes into a drill's record
            raise ValidationError(
                {"incident": _("Dieser Vorgang ist eine Übung; ein echter Sicherheitsvorfall gehört nicht dazu.")}
            )
        if incident.status != IncidentStatus.CLOSED:
            return incident
    incident = Incident(
        organisation=organisation,
        title=title[:200],
        category=category,
        first_detected_at=became_aware_at,
        became_aware_at=became_aware_at or timezone.now(),
        became_aware_assumed=became_aware_assumed or became_aware_at is None,
        operations_halted=operations_halted,
        affected_systems=affected_systems,
        created_by=actor if getattr(actor, "pk", None) else None,
        is_drill=is_drill,
    )
    _insert_with_obligations(incident, [] if is_drill else _first_obligations(incident))
    return incident


_NEW_INCIDENT = "new_incident"


def _insert_with_obligations(incident: Incident, obligations: list[ReportingObligation]) -> None:
    """Insert a new incident and its first reporting obligations (obligations_sync(created=True)).

    On PostgreSQL in one statement: the incident's INSERT … RETURNING is a data-modifying WITH of the
    obligations' INSERT, which takes the new id from it (a mass-incident day opens an incident with
    nearly every filing: one round trip less each, issue 19). The incident is saved as save() saves it
    (its fields' pre_save, pre_save and post_save sent), the obligations as bulk_create writes them (no
    signals). Elsewhere (SQLite: no INSERT in a WITH) the two statements as before."""
    db = connections[router.db_for_write(Incident)]
    meta = Incident._meta
    # Incident.save is Django's own (nothing would run an override here): otherwise the two statements.
    custom_save = type(incident).save is not Model.save
    if db.vendor != "postgresql" or not obligations or meta.db_returning_fields != [meta.pk] or custom_save:
        incident.save(force_insert=True, using=db.alias)
        ReportingObligation.objects.using(db.alias).bulk_create(obligations)
        return
    quote = db.ops.quote_name
    pre_save.send(sender=Incident, instance=incident, raw=False, using=db.alias, update_fields=None)
    incident_sql, incident_params = insert_sql(db, Incident, [incident], returning=meta.db_returning_fields)
    new_id = f"SELECT {quote(meta.pk.column)} FROM {quote(_NEW_INCIDENT)}"  # noqa: S608  # nosec B608 - our names
    o_meta = ReportingObligation._meta
    returning = [o_meta.pk, o_meta.get_field("incident")]
    obligation_sql, obligation_params = insert_sql(
        db, ReportingObligation, obligations, returning=returning, fixed={"incident_id": new_id}
    )
    with db.cursor() as cursor:
        cursor.execute(
            f"WITH {quote(_NEW_INCIDENT)} AS ({incident_sql}) {obligation_sql}",
            (*incident_params, *obligation_params),
        )
        rows = cursor.fetchall()
    incident.pk = rows[0][1]
    incident._state.adding, incident._state.db = False, db.alias
    for obligation, (pk, _incident_id) in zip(obligations, rows, strict=True):
        obligation.pk = pk
        obligation.incident = incident
        obligation._state.adding, obligation._state.db = False, db.alias
    post_save.send(sender=Incident, instance=incident, created=True, update_fields=None, raw=False, using=db.alias)


def timeline_add(*, incident: Incident, source: str, text: str, author=None, at=None, scope: str = "") -> TimelineEntry:
    """``scope``: who outside the body sees the entry (see TimelineEntry.scope and incidents.visibility)."""
    return insert_one(  # TimelineEntry.objects.create, its INSERT compiled once per connection (issue 19)
        TimelineEntry(
            incident=incident,
            source=source,
            text=text,
            author=author if getattr(author, "pk", None) else None,
            at=at or timezone.now(),
            scope=scope,
        )
    )


def _applicable_kinds(incident: Incident) -> set[str]:
    kinds = {ObligationKind.CERT_NRW}
    if incident.personal_data_affected is not False:  # unknown counts: ransomware is almost always a breach
        kinds.add(ObligationKind.GDPR_NOTIFICATION)
    if incident.nis2_in_scope:
        kinds |= {ObligationKind.NIS2_EARLY_WARNING, ObligationKind.NIS2_NOTIFICATION, ObligationKind.NIS2_FINAL_REPORT}
    return kinds


def _due_at(incident: Incident, kind: str, existing: dict[str, ReportingObligation]) -> datetime:
    if kind == ObligationKind.NIS2_FINAL_REPORT:
        notification = existing.get(ObligationKind.NIS2_NOTIFICATION)
        base = (
            notification.done_at
            if notification and notification.done_at
            else incident.became_aware_at + DEADLINES[ObligationKind.NIS2_NOTIFICATION]
        )
        return base + FINAL_REPORT_AFTER_NOTIFICATION
    return incident.became_aware_at + DEADLINES[kind]


def obligations_sync(*, incident: Incident, created: bool = False) -> list[ReportingObligation]:
    """Create the obligations that apply and (re)compute the clocks of the open ones.

    Obligations that no longer apply (e.g. personal data turned out not to be affected) are
    waived with a reason, never deleted: the record shows what was considered.
    ``created``: the incident was created in this transaction a moment ago, so it has none yet
    (nothing to read back); the new ones are written in one statement.
    A drill's record has no legal reporting duty: nothing is created, no clock runs.
    """
    if incident.is_drill:
        return []
    if created:
        first = _first_obligations(incident)
        ReportingObligation.objects.bulk_create(first)
        return sorted(first, key=lambda o: o.due_at)
    existing = {o.kind: o for o in ReportingObligation.objects.select_for_update().filter(incident=incident)}
    applicable = _applicable_kinds(incident)
    now = timezone.now()
    new: list[ReportingObligation] = []
    # Final report depends on the notification, so handle kinds in a stable order.
    for kind in sorted(applicable, key=lambda k: k == ObligationKind.NIS2_FINAL_REPORT):
        due = _due_at(incident, kind, existing)
        remind = due - REMINDER_BEFORE[kind]
        obligation = existing.get(kind)
        if obligation is None:
            existing[kind] = ReportingObligation(incident=incident, kind=kind, due_at=due, remind_at=remind)
            new.append(existing[kind])
        elif obligation.is_open or obligation.waived_at:
            fields = []
            if obligation.waived_at and obligation.waived_reason == AUTO_WAIVE_REASON:
                obligation.waived_at, obligation.waived_reason = None, ""
                fields += ["waived_at", "waived_reason"]
            if obligation.due_at != due:
                obligation.due_at, obligation.remind_at, obligation.reminded_at = due, remind, None
                fields += ["due_at", "remind_at", "reminded_at"]
            if fields:
                obligation.save(update_fields=fields)
    ReportingObligation.objects.bulk_create(new)
    for kind, obligation in existing.items():
        if kind not in applicable and obligation.is_open:
            obligation.waived_at, obligation.waived_reason = now, AUTO_WAIVE_REASON
            obligation.save(update_fields=["waived_at", "waived_reason"])
    return sorted(existing.values(), key=lambda o: o.due_at)


def _first_obligations(incident: Incident) -> list[ReportingObligation]:
    """The obligations of an incident that has none yet (just created: nothing to read), unsaved."""
    new: dict[str, ReportingObligation] = {}
    # Final report depends on the notification, so handle kinds in a stable order.
    for kind in sorted(_applicable_kinds(incident), key=lambda k: k == ObligationKind.NIS2_FINAL_REPORT):
        due = _due_at(incident, kind, new)
        new[kind] = ReportingObligation(incident=incident, kind=kind, due_at=due, remind_at=due - REMINDER_BEFORE[kind])
    return list(new.values())


AUTO_WAIVE_REASON = "Nach den Angaben im Vorfall nicht (mehr) erforderlich."

INCIDENT_EDITABLE_FIELDS = (
    "title",
    "category",
    "first_detected_at",
    "became_aware_at",
    "affected_systems",
    "operations_halted",
    "personal_data_affected",
    "nis2_in_scope",
    "criminal_complaint_filed",
)


@transaction.atomic(durable=True)
def incident_update(*, incident: Incident, actor, **changes) -> Incident:
    """Change the record's facts; the reporting clocks follow (awareness time, personal data, NIS-2)."""
    incident = Incident.objects.select_for_update(no_key=True).get(pk=incident.pk)
    _require_edit(actor, incident.organisation)
    unknown = set(changes) - set(INCIDENT_EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    changed = {k: v for k, v in changes.items() if getattr(incident, k) != v}
    # Saving an awareness time, changed or not, confirms an assumed one (the body has looked at it).
    confirms = incident.became_aware_assumed and changes.get("became_aware_at") is not None
    if not changed and not confirms:
        return incident
    if "became_aware_at" in changed and changed["became_aware_at"] is None:
        raise ValidationError({"became_aware_at": _("Der Zeitpunkt der Kenntnisnahme ist erforderlich.")})
    for key in ("first_detected_at", "became_aware_at"):
        if key in changed:
            plausible.check_field(key, plausible.check_past_datetime, changed[key])
    for key, value in changed.items():
        setattr(incident, key, value)
    update_fields = [*changed, "updated_at"]
    if confirms:
        incident.became_aware_assumed = False
        update_fields.append("became_aware_assumed")
        changed.setdefault("became_aware_at", incident.became_aware_at)
    incident.save(update_fields=update_fields)
    obligations_sync(incident=incident)
    labels = ", ".join(str(Incident._meta.get_field(k).verbose_name) for k in changed)
    if confirms:
        labels += " " + _("(bisher angenommen, jetzt angegeben)")
    timeline_add(
        incident=incident, source=TimelineEntry.Source.BODY, author=actor, text=_("Angaben geändert: %s") % labels
    )
    audit(
        actor=actor,
        action="incident.updated",
        organisation=incident.organisation,
        target=str(incident.public_id),
        fields=sorted(changed),
        became_aware_at=incident.became_aware_at.isoformat() if "became_aware_at" in changed else None,
        became_aware_was_assumed=confirms,
    )
    return incident


@transaction.atomic(durable=True)
def checklist_set(*, incident: Incident, step: str, done: bool, actor) -> ChecklistTick:
    """Tick (done=True) or untick one step of the first-hour checklist. The incident row is locked,
    so two people ticking at once are serialised; each change writes a timeline entry (seen by
    whoever sees the body's own entries, the engaged provider too: it wants to know what was done)
    and an audit entry. Setting a step to what it already is changes nothing and writes nothing."""
    if step not in FirstHourStep.values:
        raise ValidationError({"step": _("Unbekannter Schritt der Checkliste.")})
    incident = Incident.objects.select_for_update(no_key=True).get(pk=incident.pk)
    _require_edit(actor, incident.organisation)
    tick, _created = ChecklistTick.objects.get_or_create(incident=incident, step=step)
    if tick.done == done:
        return tick
    tick.done = done
    tick.changed_at = timezone.now()
    tick.changed_by = actor
    tick.save(update_fields=["done", "changed_at", "changed_by"])
    label = FirstHourStep(step).label
    text = _("Checkliste erste Stunde – erledigt: %s") if done else _("Checkliste erste Stunde – wieder offen: %s")
    timeline_add(
        incident=incident, source=TimelineEntry.Source.BODY, author=actor, text=text % label, at=tick.changed_at
    )
    audit(
        actor=actor,
        action="incident.checklist_ticked" if done else "incident.checklist_unticked",
        organisation=incident.organisation,
        target=str(incident.public_id),
        step=step,
    )
    return tick


@transaction.atomic(durable=True)
def incident_set_status(*, incident: Incident, actor, status: str, note: str = "") -> Incident:
    incident = Incident.objects.select_for_update(no_key=True).get(pk=incident.pk)
    _require_edit(actor, incident.organisation)
    if status not in STATUS_ORDER:
        raise ValidationError(_("Unbekannter Status."))
    old, new = STATUS_ORDER.index(incident.status), STATUS_ORDER.index(status)
    if new <= old:
        raise ValidationError(_("Der Status kann nur vorwärts gesetzt werden."))
    old_label = incident.get_status_display()
    incident.status = status
    incident.save(update_fields=["status", "updated_at"])
    text = _("Status: %(old)s → %(new)s") % {"old": old_label, "new": incident.get_status_display()}
    timeline_add(
        incident=incident,
        source=TimelineEntry.Source.BODY,
        author=actor,
        text=f"{text}. {note}".strip() if note else text,
    )
    return incident


@transaction.atomic(durable=True)
def incident_add_note(*, incident: Incident, actor, text: str, at=None) -> TimelineEntry:
    incident = Incident.objects.select_for_update(no_key=True).get(pk=incident.pk)
    _require_edit(actor, incident.organisation)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Bitte einen Text eingeben.")})
    plausible.check_field("at", plausible.check_past_datetime, at)
    return timeline_add(incident=incident, source=TimelineEntry.Source.BODY, author=actor, text=text, at=at)


@transaction.atomic(durable=True)
def attachment_add(
    *, incident: Incident, actor, uploaded_file, content_type: str = "", shared_with_provider: bool = False
) -> IncidentAttachment:
    """``content_type`` is ignored (the client's claim is read from the upload and checked against
    the content); the stored type is the one the content has. An attachment stays with the body
    unless it is ``shared_with_provider`` (then the engaged provider sees it and its timeline entry)."""
    incident = Incident.objects.select_for_update(no_key=True).get(pk=incident.pk)
    _require_edit(actor, incident.organisation)
    try:  # the type is the content's, on the allow-list; the declared type and the name must agree
        content_type = check_upload(uploaded_file, allowed=ATTACHMENT_TYPES)
    except RefusedUpload as exc:
        raise ValidationError({"file": exc.message}) from exc
    digest = hashlib.sha256()
    for chunk in uploaded_file.chunks():
        digest.update(chunk)
    uploaded_file.seek(0)
    entry = timeline_add(
        incident=incident,
        source=TimelineEntry.Source.BODY,
        author=actor,
        text=_("Anlage hinzugefügt: %(name)s (SHA-256 %(hash)s)")
        % {"name": uploaded_file.name, "hash": digest.hexdigest()},
        scope="" if shared_with_provider else INTERNAL,
    )
    attachment = IncidentAttachment.objects.create(
        incident=incident,
        timeline_entry=entry,
        file=uploaded_file,
        name=uploaded_file.name[:255],
        content_type=content_type,
        size=uploaded_file.size,
        sha256=digest.hexdigest(),
        uploaded_by=actor,
        shared_with_provider=shared_with_provider,
        shared_at=entry.created_at if shared_with_provider else None,
    )
    audit(
        actor=actor,
        action="incident.attachment_added",
        organisation=incident.organisation,
        target=attachment.name,
        attachment=str(attachment.public_id),
        incident=str(incident.public_id),
        shared_with_provider=shared_with_provider,
    )
    return attachment


@transaction.atomic(durable=True)
def attachment_set_shared(*, attachment: IncidentAttachment, actor, shared: bool) -> IncidentAttachment:
    """Share an attachment with the engaged provider, or take the share back (audited, with a
    timeline entry the body sees)."""
    attachment = IncidentAttachment.objects.select_for_update().select_related("incident").get(pk=attachment.pk)
    incident = attachment.incident
    _require_edit(actor, incident.organisation)
    if attachment.shared_with_provider == shared:
        return attachment
    attachment.shared_with_provider = shared
    attachment.shared_at = timezone.now() if shared else None
    attachment.save(update_fields=["shared_with_provider", "shared_at"])
    if attachment.timeline_entry_id:
        TimelineEntry.objects.filter(pk=attachment.timeline_entry_id).update(scope="" if shared else INTERNAL)
    text = (
        _("Anlage für den beauftragten Dienstleister freigegeben: %(name)s")
        if shared
        else _("Freigabe der Anlage für den Dienstleister aufgehoben: %(name)s")
    ) % {"name": attachment.name}
    timeline_add(incident=incident, source=TimelineEntry.Source.BODY, author=actor, text=text, scope=INTERNAL)
    audit(
        actor=actor,
        action="incident.attachment_shared" if shared else "incident.attachment_unshared",
        organisation=incident.organisation,
        target=attachment.name,
        attachment=str(attachment.public_id),
        incident=str(incident.public_id),
    )
    return attachment


@transaction.atomic(durable=True)
def obligation_mark_done(
    *, obligation: ReportingObligation, actor, reference: str, done_at=None
) -> ReportingObligation:
    obligation = ReportingObligation.objects.select_for_update().select_related("incident").get(pk=obligation.pk)
    _require_edit(actor, obligation.incident.organisation)
    if not obligation.is_open:
        raise ValidationError(_("Diese Meldung ist bereits erledigt."))
    reference = (reference or "").strip()
    if not reference:
        raise ValidationError({"reference": _("Bitte das Aktenzeichen oder die Referenz der Meldung angeben.")})
    plausible.check_field("done_at", plausible.check_past_datetime, done_at)
    done_at = min(done_at or timezone.now(), timezone.now())
    obligation.done_at, obligation.done_by, obligation.reference = done_at, actor, reference
    obligation.save(update_fields=["done_at", "done_by", "reference"])
    late = done_at > obligation.due_at
    text = _("Meldung erledigt: %(kind)s, Referenz %(ref)s") % {"kind": obligation.get_kind_display(), "ref": reference}
    if late:
        text += " " + _("(nach Fristablauf)")
    timeline_add(incident=obligation.incident, source=TimelineEntry.Source.BODY, author=actor, text=text, at=done_at)
    if obligation.kind == ObligationKind.NIS2_NOTIFICATION:
        obligations_sync(incident=obligation.incident)  # the final report's clock starts now
    return obligation


# --- Major incidents -------------------------------------------------------------------------


def _require_ministry(actor) -> None:
    if not getattr(actor, "is_ministry_staff", False):
        raise PermissionDenied


@transaction.atomic(durable=True)
def major_incident_declare(
    *, actor, title: str, description: str = "", origin: Organisation | None = None
) -> MajorIncident:
    _require_ministry(actor)
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("Bitte eine Bezeichnung angeben.")})
    major = MajorIncident.objects.create(title=title, description=description, origin=origin, declared_by=actor)
    audit(actor=actor, action="major_incident.declared", organisation=origin, target=title)
    return major


@transaction.atomic(durable=True)
def major_incident_link(
    *, major: MajorIncident, actor, organisations, category: str, became_aware_at=None
) -> list[Incident]:
    """Link the affected bodies' incidents to the major incident, in bulk.

    A body's open incident is linked; a body without one gets a new incident, so that its
    reporting clocks start and it appears in the situation picture at once. A drill's record is
    never linked (nor counted as the body's open incident): the body then gets a real one.
    """
    _require_ministry(actor)
    plausible.check_field("became_aware_at", plausible.check_past_datetime, became_aware_at)
    major = MajorIncident.objects.select_for_update(no_key=True).get(pk=major.pk)
    if major.status != MajorIncidentStatus.ACTIVE:
        raise ValidationError(_("Diese Großschadenslage ist beendet."))
    now = became_aware_at or timezone.now()
    linked = []
    for organisation in organisations:
        incident = (
            Incident.objects.select_for_update(no_key=True)
            .real()
            .filter(organisation=organisation)
            .exclude(status=IncidentStatus.CLOSED)
            .order_by("-became_aware_at")
            .first()
        )
        if incident is None:
            incident = incident_open_or_attach(
                organisation=organisation,
                incident=None,
                title=major.title,
                category=category,
                became_aware_at=now,
                operations_halted=False,
                affected_systems="",
                actor=actor,
            )
        if incident.is_drill:  # unreachable through .real(); the CHECK constraint holds it as well
            raise ValidationError(_("Eine Übung kann keiner Großschadenslage zugeordnet werden."))
        if incident.major_incident_id != major.pk:
            incident.major_incident = major
            incident.save(update_fields=["major_incident", "updated_at"])
            timeline_add(
                incident=incident,
                source=TimelineEntry.Source.SYSTEM,
                author=actor,
                text=_("Der Großschadenslage „%s“ zugeordnet.") % major.title,
            )
        linked.append(incident)
    audit(actor=actor, action="major_incident.linked", target=major.title, count=len(linked))
    return linked


@transaction.atomic(durable=True)
def major_incident_close(*, major: MajorIncident, actor) -> MajorIncident:
    _require_ministry(actor)
    major = MajorIncident.objects.select_for_update(no_key=True).get(pk=major.pk)
    if major.status == MajorIncidentStatus.CLOSED:
        return major
    major.status, major.closed_at = MajorIncidentStatus.CLOSED, timezone.now()
    major.save(update_fields=["status", "closed_at"])
    audit(actor=actor, action="major_incident.closed", target=major.title)
    return major


def members_of(organisation: Organisation):
    """The bodies under a Kreis (its children) or served by a shared provider (its mandates)."""
    served = Mandate.objects.in_force().filter(principal=organisation).values("member_id")
    return Organisation.objects.filter(Q(parent=organisation) | Q(pk__in=served)).order_by("name")


def major_incident_timeline(*, major: MajorIncident, limit: int = 200):
    """The merged timeline of all linked incidents, newest first."""
    return (
        TimelineEntry.objects.filter(incident__major_incident=major)
        .select_related("incident__organisation")
        .order_by("-at", "-id")[:limit]
    )


# --- Reminders of reporting deadlines ------------------------------------------------------------


def _reminder_recipients(incident: Incident) -> list[str]:
    """The body's callers and admins, and its out-of-band emergency contacts (own e-mail may be down)."""
    members = Membership.objects.filter(organisation=incident.organisation, role__in=[Role.CALLER, Role.ADMIN])
    emails = {m.user.email for m in members.select_related("user") if m.user.is_active}
    emails |= {c.email for c in incident.organisation.emergency_contacts.all() if c.email}
    return sorted(emails)


def obligations_remind_due(*, now=None, batch: int = 100) -> int:
    """Due reminders (before the deadline) and overdue notices (after it), each written once into the
    outbox in the transaction that sets its stamp: an SMTP failure delays the e-mail (retries with
    backoff, delivery log), it never loses it."""
    from django.template.loader import render_to_string
    from django.urls import reverse

    from notifications.models import Audience, source_of
    from notifications.services import mail_enqueue

    now = now or timezone.now()
    sent = 0
    for field, stamp, template in (
        ("remind_at", "reminded_at", "emails/obligation_reminder.txt"),
        ("due_at", "overdue_notified_at", "emails/obligation_overdue.txt"),
    ):
        with transaction.atomic():
            due = list(
                ReportingObligation.objects.open()
                .filter(**{f"{field}__lte": now, f"{stamp}__isnull": True}, incident__is_drill=False)
                .select_for_update(skip_locked=True)
                .select_related("incident__organisation")[:batch]
            )
            for obligation in due:
                # Compare-and-set: only the sweeper that flips the stamp sends.
                flipped = ReportingObligation.objects.filter(pk=obligation.pk, **{f"{stamp}__isnull": True}).update(
                    **{stamp: now}
                )
                if flipped != 1:
                    continue
                incident = obligation.incident
                text = render_to_string(template, {"obligation": obligation, "incident": incident, "now": now})
                subject, _sep, body = text.partition("\n")
                recipients = _reminder_recipients(incident)
                timeline_add(incident=incident, source=TimelineEntry.Source.SYSTEM, text=subject.strip(), at=now)
                if recipients:
                    mail_enqueue(
                        recipients=recipients,
                        subject=subject.strip(),
                        body=body.strip(),
                        event_type=f"incident.{'reminder' if stamp == 'reminded_at' else 'overdue'}",
                        audience=Audience.BODY,
                        organisation=incident.organisation,
                        topic=incident,
                        reference=incident.title[:100],
                        link=reverse("incidents:detail", args=[incident.public_id]),
                        source=source_of(obligation),
                    )
                sent += 1
    return sent
