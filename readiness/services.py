"""The writes of the readiness app: saving the profile (a new version per change) and the reminders
to review it every six months. Atomic, durable, the rows locked, audited without the contents."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from tenants.mail import queue_mail
from tenants.models import Membership, Organisation, Role
from tenants.services import audit

from .models import REVIEW_INTERVAL, ReadinessProfile, ReadinessProfileVersion
from .permissions import can_edit

#: What the form and the service write: every entry of the profile.
FIELDS = ReadinessProfile.ITEMS


@transaction.atomic(durable=True)
def readiness_profile_save(*, organisation: Organisation, actor, **values) -> ReadinessProfile:
    """Create or change the profile; saving counts as a review (the 6-month clock starts again).

    A change of any entry makes a new version (number + 1, a copy of the entries); a save that
    changes nothing is a review only and keeps the version."""
    if not can_edit(actor, organisation):
        raise PermissionDenied
    unknown = set(values) - set(FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    Organisation.objects.select_for_update().filter(pk=organisation.pk).values_list("pk").first()
    profile = ReadinessProfile.objects.select_for_update().filter(organisation=organisation).first()
    created = profile is None
    profile = profile or ReadinessProfile(organisation=organisation)
    values = {name: value.strip() if isinstance(value, str) else value for name, value in values.items()}
    changed = [name for name in FIELDS if name in values and getattr(profile, name) != values[name]]
    for name, value in values.items():
        setattr(profile, name, value)
    now = timezone.now()
    new_version = created or bool(changed)
    if new_version:
        profile.version += 1
    profile.reviewed_at, profile.updated_by = now, actor
    profile.full_clean(exclude=["organisation", "updated_by"], validate_unique=False)
    profile.save()
    if new_version:
        ReadinessProfileVersion.objects.create(
            organisation=organisation,
            number=profile.version,
            saved_at=now,
            saved_by=actor,
            contents=profile.contents(),
            changed=changed,
        )
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
