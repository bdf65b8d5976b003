"""Aggregates for the ministry: how ready the bodies are, never what their profiles say."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from tenants.models import Organisation

from .models import ReadinessProfile


@dataclass(frozen=True)
class Overview:
    bodies: int
    with_profile: int
    complete: int
    stale: int
    without_mfa: int

    def share(self, part: int) -> int:
        return round(part * 100 / self.bodies) if self.bodies else 0


def overview() -> Overview:
    """One pass over the profiles (a few hundred rows); the contents are not rendered anywhere."""
    now = timezone.now()
    profiles = list(ReadinessProfile.objects.all())
    return Overview(
        bodies=Organisation.objects.eligible_on().count(),
        with_profile=len(profiles),
        complete=sum(1 for p in profiles if not p.missing()),
        stale=sum(1 for p in profiles if p.is_stale(now)),
        without_mfa=sum(1 for p in profiles if p.lacks_mfa),
    )
