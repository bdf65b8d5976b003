"""Reads of the readiness app: aggregates for the ministry (how ready the bodies are, never what their
profiles say), and the profile with the version valid at a moment, for the party that may see it
(who that is, calloffs decides: calloffs.visibility.provider_sees_profile)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, OuterRef, Q, Subquery
from django.utils import timezone

from tenants.models import Organisation

from .models import REVIEW_INTERVAL, ReadinessProfile, ReadinessProfileVersion, RemoteAccess


@dataclass(frozen=True)
class Overview:
    bodies: int
    with_profile: int
    complete: int
    stale: int
    without_mfa: int

    def share(self, part: int) -> int:
        """Percent of the eligible bodies."""
        return round(part * 100 / self.bodies) if self.bodies else 0

    @property
    def complete_share(self) -> int:
        return self.share(self.complete)

    @property
    def with_profile_share(self) -> int:
        return self.share(self.with_profile)

    @property
    def stale_share(self) -> int:
        return self.share(self.stale)

    @property
    def without_mfa_share(self) -> int:
        return self.share(self.without_mfa)


def _complete() -> Q:
    """ReadinessProfile.missing() == [] as a condition (MFA counts as answered without remote access)."""
    condition = Q(remote_access_mfa__isnull=False) | Q(remote_access=RemoteAccess.NONE)
    for name in ReadinessProfile.ENTRIES:
        if name == "remote_access_mfa":
            continue
        if name == "critical_systems":  # at least one row: the derived protection need is set exactly then
            condition &= ~Q(critical_systems_protection="")
            continue
        field = ReadinessProfile._meta.get_field(name)
        condition &= Q(**{f"{name}__isnull": False}) if field.null else ~Q(**{name: ""})
    return condition


def overview(now=None) -> Overview:
    """Two aggregate queries, whatever the number of bodies; no profile's contents leave the database."""
    now = now or timezone.now()
    counts = ReadinessProfile.objects.aggregate(
        with_profile=Count("id"),
        complete=Count("id", filter=_complete()),
        stale=Count("id", filter=Q(reviewed_at__lt=now - REVIEW_INTERVAL)),
        without_mfa=Count("id", filter=Q(remote_access_mfa=False) & ~Q(remote_access__in=["", RemoteAccess.NONE])),
    )
    return Overview(bodies=Organisation.objects.eligible_on().count(), **counts)


def _version_number_at(at):
    return Subquery(
        ReadinessProfileVersion.objects.filter(organisation_id=OuterRef("organisation_id"), saved_at__lte=at)
        .order_by("-number")
        .values("number")[:1]
    )


def profile_with_version_at(*, organisation_id: int, at) -> ReadinessProfile | None:
    """The body's current profile, with ``version_at``: the number of the version that was valid at
    ``at`` (None if the profile did not exist yet then). Two queries (the profile, its critical
    systems). The caller decides who may see it."""
    return (
        ReadinessProfile.objects.filter(organisation_id=organisation_id)
        .select_related("network_overview")
        .prefetch_related("systems")
        .annotate(version_at=_version_number_at(at))
        .first()
    )


def network_overview_of(*, organisation_id: int):
    """The body's current network overview (None without one). The caller decides who may see it."""
    profile = (
        ReadinessProfile.objects.filter(organisation_id=organisation_id, network_overview__isnull=False)
        .select_related("network_overview")
        .first()
    )
    return profile.network_overview if profile else None


def version_at(*, organisation_id: int, at) -> ReadinessProfileVersion | None:
    """The version of the body's profile that was valid at ``at`` (the newest saved until then)."""
    return (
        ReadinessProfileVersion.objects.filter(organisation_id=organisation_id, saved_at__lte=at)
        .order_by("-number")
        .first()
    )
