"""The one write: save the profile (atomic, durable, the body's row locked, audited without its contents)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from tenants.models import Organisation
from tenants.services import audit

from .models import ReadinessProfile
from .permissions import can_edit

FIELDS = (
    "critical_systems",
    "backup_concept",
    "last_restore_test",
    "admin_contacts",
    "remote_access",
    "remote_access_mfa",
    "external_providers",
    "insurance_hotline",
    "dpo_contact",
    "management_contact",
)


@transaction.atomic(durable=True)
def readiness_profile_save(*, organisation: Organisation, actor, **values) -> ReadinessProfile:
    """Create or change the profile; saving counts as a review (the 6-month clock starts again)."""
    if not can_edit(actor, organisation):
        raise PermissionDenied
    unknown = set(values) - set(FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    Organisation.objects.select_for_update().filter(pk=organisation.pk).values_list("pk").first()
    profile = ReadinessProfile.objects.select_for_update().filter(organisation=organisation).first()
    created = profile is None
    profile = profile or ReadinessProfile(organisation=organisation)
    changed = [name for name in FIELDS if name in values and getattr(profile, name) != values[name]]
    for name, value in values.items():
        setattr(profile, name, value.strip() if isinstance(value, str) else value)
    profile.version += 1
    profile.reviewed_at, profile.updated_by = timezone.now(), actor
    profile.full_clean(exclude=["organisation", "updated_by"], validate_unique=False)
    profile.save()
    # The contents stay with the body: the log names the fields changed, not their values.
    audit(
        actor=actor,
        action="readiness.created" if created else "readiness.saved",
        organisation=organisation,
        target=organisation.name,
        version=profile.version,
        changed=changed,
        score=profile.score(),
    )
    return profile
