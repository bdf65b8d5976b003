"""The writes of the readiness app: saving the profile (a new version per change), uploading or
removing its network overview (a new version too), the checked read of that file, and the reminders to review the
profile every six months. Atomic, durable, the rows locked, audited without the contents."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from digisos.uploads import RefusedUpload, check_upload, clean_filename, open_if_unchanged, upload_sha256
from tenants.mail import queue_mail
from tenants.models import Membership, Organisation, Role
from tenants.services import audit

from .models import (
    CRITICAL_SYSTEMS_MAX,
    NETWORK_OVERVIEW_TYPES,
    REVIEW_INTERVAL,
    SYSTEM_DESCRIPTION_MAX,
    SYSTEM_NAME_MAX,
    CriticalSystem,
    NetworkOverview,
    ProtectionNeed,
    ReadinessProfile,
    ReadinessProfileVersion,
)
from .permissions import can_edit

#: What the form and the service write: every entry of the profile.
FIELDS = ReadinessProfile.ITEMS


def clean_critical_systems(rows) -> list[dict]:
    """The rows as {"name", "description", "protection"} (stripped, in order), or ValidationError on
    ``critical_systems`` (German): more than CRITICAL_SYSTEMS_MAX rows, a name missing or too long, a
    description too long, a protection need that is not normal / hoch / sehr_hoch."""
    if isinstance(rows, str) or not isinstance(rows, list | tuple):
        raise TypeError("critical_systems: a list of rows")
    if len(rows) > CRITICAL_SYSTEMS_MAX:
        raise ValidationError(
            {
                "critical_systems": _("Höchstens {max} kritische Systeme und Dienste (es sind {count}).").format(
                    max=CRITICAL_SYSTEMS_MAX, count=len(rows)
                )
            }
        )
    cleaned, errors = [], []
    for number, row in enumerate(rows, start=1):
        name = str(row.get("name") or "").strip()
        description = str(row.get("description") or "").strip()
        protection = row.get("protection") or ""
        if not name or len(name) > SYSTEM_NAME_MAX:
            errors.append(
                _("System {number}: bitte einen Namen mit höchstens {max} Zeichen angeben.").format(
                    number=number, max=SYSTEM_NAME_MAX
                )
            )
        if len(description) > SYSTEM_DESCRIPTION_MAX:
            errors.append(
                _("System {number}: die Beschreibung darf höchstens {max} Zeichen lang sein.").format(
                    number=number, max=SYSTEM_DESCRIPTION_MAX
                )
            )
        if protection not in ProtectionNeed.values:
            errors.append(
                _("System {number}: bitte den Schutzbedarf wählen (normal, hoch oder sehr hoch).").format(number=number)
            )
        cleaned.append({"name": name, "description": description, "protection": protection})
    if errors:
        raise ValidationError({"critical_systems": errors})
    return cleaned


@transaction.atomic(durable=True)
def readiness_profile_save(*, organisation: Organisation, actor, **values) -> ReadinessProfile:
    """Create or change the profile; saving counts as a review (the 6-month clock starts again).

    ``critical_systems``: the rows ({"name", "description", "protection"}, in order; they replace the
    ones before); the profile's ``critical_systems_protection`` becomes their highest protection need.
    A change of any entry makes a new version (number + 1, a copy of the entries with the rows); a
    save that changes nothing is a review only and keeps the version."""
    if not can_edit(actor, organisation):
        raise PermissionDenied
    unknown = set(values) - set(FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    systems = clean_critical_systems(values.pop("critical_systems")) if "critical_systems" in values else None
    profile, created = _locked_profile(organisation)
    values = {name: value.strip() if isinstance(value, str) else value for name, value in values.items()}
    changed = [name for name in FIELDS if name in values and getattr(profile, name) != values[name]]
    if systems is not None and [row.as_dict() for row in profile.critical_systems] != systems:
        changed = ["critical_systems", *changed]
        values["critical_systems_protection"] = ProtectionNeed.highest(row["protection"] for row in systems)
    for name, value in values.items():
        setattr(profile, name, value)
    now = timezone.now()
    new_version = created or bool(changed)
    if new_version:
        profile.version += 1
    profile.reviewed_at, profile.updated_by = now, actor
    profile.full_clean(exclude=["organisation", "updated_by"], validate_unique=False)
    profile.save()
    if "critical_systems" in changed:
        profile.systems.all().delete()
        CriticalSystem.objects.bulk_create(
            CriticalSystem(profile=profile, position=position, **row) for position, row in enumerate(systems)
        )
    if new_version:
        _record_version(profile, actor=actor, at=now, changed=changed)
    # The contents stay with the body: the log names the fields changed, not their values.
    audit(
        actor=actor,
        action="readiness.created" if created else ("readiness.saved" if changed else "readiness.reviewed"),
        organisation=organisation,
        target=organisation.name,
        version=profile.version,
        changed=changed,
        score=profile.score(),
    )
    return profile


def _locked_profile(organisation: Organisation) -> tuple[ReadinessProfile, bool]:
    """The body's profile, locked (a new, unsaved one if there is none yet: the organisation row is
    locked first, so two first saves cannot both create one), and whether it is new."""
    Organisation.objects.select_for_update().filter(pk=organisation.pk).values_list("pk").first()
    profile = (
        ReadinessProfile.objects.select_for_update(of=("self",))
        .select_related("network_overview")
        .filter(organisation=organisation)
        .first()
    )
    if profile is None:
        return ReadinessProfile(organisation=organisation), True
    return profile, False


def _record_version(profile: ReadinessProfile, *, actor, at, changed: list[str]) -> ReadinessProfileVersion:
    return ReadinessProfileVersion.objects.create(
        organisation_id=profile.organisation_id,
        number=profile.version,
        saved_at=at,
        saved_by=actor,
        contents=profile.contents(),
        changed=changed,
    )


# --- The network overview (an upload of its own) --------------------------------------------------


class NetworkOverviewAltered(Exception):
    """The stored file no longer has the SHA-256 recorded at upload: it is not handed out."""

    message = gettext_lazy(
        "Die gespeicherte Netzübersicht stimmt nicht mehr mit ihrer Prüfsumme (SHA-256) überein und wird nicht "
        "ausgeliefert. Der Vorgang ist protokolliert; bitte wenden Sie sich an den Betrieb."
    )


@transaction.atomic(durable=True)
def readiness_network_overview_upload(*, organisation: Organisation, actor, upload: UploadedFile) -> ReadinessProfile:
    """Store a network overview (PDF, PNG or JPEG, decided by the content; at most
    READINESS_NETWORK_OVERVIEW_MAX_BYTES) and make it the profile's current one: a new version
    (``changed`` = ["network_overview"]). The file before it stays stored (the version that named it
    can be read back). A refused file changes nothing: ValidationError on ``file`` (German)."""
    if not can_edit(actor, organisation):
        raise PermissionDenied
    limit = settings.READINESS_NETWORK_OVERVIEW_MAX_BYTES
    if upload.size is None or upload.size > limit:
        raise ValidationError(
            {"file": _("Die Datei ist zu groß (höchstens {limit} MB).").format(limit=_megabytes(limit))}
        )
    if upload.size == 0:
        raise ValidationError({"file": _("Die Datei ist leer.")})
    try:
        content_type = check_upload(upload, allowed=NETWORK_OVERVIEW_TYPES)
    except RefusedUpload as exc:
        raise ValidationError({"file": exc.message}) from exc
    profile, created = _locked_profile(organisation)
    previous = profile.network_overview
    overview = NetworkOverview(
        organisation=organisation,
        original_name=clean_filename(upload.name),
        content_type=content_type,
        size=upload.size,
        sha256=upload_sha256(upload),
        uploaded_by=actor,
    )
    overview.file.save("upload", upload, save=False)
    try:
        overview.save()
        now = overview.uploaded_at
        profile.network_overview = overview
        profile.version += 1
        profile.updated_by = actor
        if created:
            profile.reviewed_at = now
        profile.save()
        _record_version(profile, actor=actor, at=now, changed=["network_overview"])
        audit(
            actor=actor,
            action="readiness.network_overview_uploaded",
            organisation=organisation,
            target=organisation.name,
            version=profile.version,
            network_overview=str(overview.public_id),
            replaced=str(previous.public_id) if previous else "",
            sha256=overview.sha256,
            size=overview.size,
            content_type=content_type,
            score=profile.score(),
        )
    except Exception:
        overview.file.delete(save=False)
        raise
    return profile


@transaction.atomic(durable=True)
def readiness_network_overview_remove(*, organisation: Organisation, actor, overview_id) -> ReadinessProfile:
    """Take the network overview out of the profile: a new version without it (``changed`` =
    ["network_overview"]), counted as missing for completeness again. ``overview_id`` is the public id
    of the overview the person confirmed to remove: if the profile names another one by now (replaced
    meanwhile) or none, nothing changes (ValidationError, German). From then on nobody can download it
    (the body, the accepting provider, the API all serve the profile's current overview only); the file
    stays stored unchanged for the earlier versions that name it, as a replaced one does."""
    if not can_edit(actor, organisation):
        raise PermissionDenied
    profile, created = _locked_profile(organisation)
    current = None if created else profile.network_overview
    if current is None:
        raise ValidationError({"overview": _("Das Profil enthält keine Netzübersicht (mehr).")})
    if str(current.public_id) != str(overview_id):
        raise ValidationError(
            {
                "overview": _(
                    "Die Netzübersicht wurde inzwischen ersetzt. Bitte prüfen Sie die aktuelle Datei, bevor Sie sie "
                    "entfernen."
                )
            }
        )
    now = timezone.now()
    profile.network_overview = None
    profile.version += 1
    profile.updated_by = actor
    profile.save(update_fields=["network_overview", "version", "updated_by"])
    _record_version(profile, actor=actor, at=now, changed=["network_overview"])
    audit(
        actor=actor,
        action="readiness.network_overview_removed",
        organisation=organisation,
        target=organisation.name,
        version=profile.version,
        network_overview=str(current.public_id),
        sha256=current.sha256,
        score=profile.score(),
    )
    return profile


def _megabytes(limit: int) -> str:
    return f"{limit / 1_000_000:.1f}".replace(".", ",").removesuffix(",0")


def readiness_network_overview_open(*, overview: NetworkOverview, actor, via: str):
    """The stored file, opened at its start, after its SHA-256 was computed again and found equal to
    the recorded one (NetworkOverviewAltered otherwise, audited). Audits the download (``via``:
    "portal", "calloff" or "api"). The caller has decided that ``actor`` may see it."""
    file, actual = open_if_unchanged(overview.file, overview.sha256)
    if file is None:
        audit(
            actor=actor,
            action="readiness.network_overview_altered",
            organisation=overview.organisation,
            target=overview.original_name,
            network_overview=str(overview.public_id),
            expected=overview.sha256,
            actual=actual,
        )
        raise NetworkOverviewAltered()
    audit(
        actor=actor,
        action="readiness.network_overview_downloaded",
        organisation=overview.organisation,
        target=overview.original_name,
        network_overview=str(overview.public_id),
        sha256=overview.sha256,
        via=via,
    )
    return file


# --- Reminders to review the profile (every six months) ------------------------------------------


def _admin_emails(organisation_id: int) -> list[str]:
    rows = Membership.objects.filter(organisation_id=organisation_id, role=Role.ADMIN, user__is_active=True)
    return sorted({email for email in rows.values_list("user__email", flat=True) if email})


@transaction.atomic(durable=True)
def readiness_reviews_remind(*, now=None, batch: int = 100) -> int:
    """Remind the administrators of each body whose profile is due for review (not saved or
    reviewed for REVIEW_INTERVAL), once per due review, through the outbox (tenants.mail →
    notifications). Idempotent: the reminder is written in the transaction that sets
    ``review_reminded_for`` to the reviewed_at it is about, by compare-and-set on the row; a second
    sweep, or one running beside it, finds nothing to do. Saving the profile again starts a new
    review period, whose reminder is due six months later. Returns how many bodies were reminded."""
    now = now or timezone.now()
    due = list(
        ReadinessProfile.objects.filter(reviewed_at__lte=now - REVIEW_INTERVAL)
        .filter(Q(review_reminded_for__isnull=True) | Q(review_reminded_for__lt=F("reviewed_at")))
        .select_for_update(skip_locked=True, of=("self",))
        .select_related("organisation")
        .order_by("reviewed_at")[:batch]
    )
    reminded = 0
    for profile in due:
        flipped = (
            ReadinessProfile.objects.filter(pk=profile.pk, reviewed_at=profile.reviewed_at)
            .filter(Q(review_reminded_for__isnull=True) | Q(review_reminded_for__lt=F("reviewed_at")))
            .update(review_reminded_for=profile.reviewed_at)
        )
        if flipped != 1:
            continue
        organisation = profile.organisation
        recipients = _admin_emails(organisation.pk)
        if recipients:
            text = render_to_string(
                "emails/readiness_review_reminder.txt",
                {
                    "organisation": organisation,
                    "profile": profile,
                    "missing": profile.missing(),
                    "score": profile.score(),
                    "link": settings.SITE_URL + reverse("readiness:profile", args=[organisation.public_id]),
                },
            )
            subject, _sep, body = text.partition("\n")
            queue_mail(
                recipients=recipients,
                subject=subject.strip(),
                body=body.strip(),
                event_type="readiness.review_due",
                organisation=organisation,
            )
        audit(
            actor=None,
            action="readiness.review_reminded",
            organisation=organisation,
            target=organisation.name,
            version=profile.version,
            reviewed_at=profile.reviewed_at.isoformat(),
            recipients=len(recipients),
        )
        reminded += 1
    return reminded
