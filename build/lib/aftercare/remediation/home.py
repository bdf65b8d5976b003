"""The home page's sections about measures (calloffs.home.register_section): overdue measures of the
user's bodies, loudly, first on the page; measures waiting for the check: the provider's of the
body's work, a body admin's of what the provider carried out (a billable service). A fixed
number of queries whatever the number of rows (capped lists, related rows joined)."""

from __future__ import annotations

from django.utils import timezone

from calloffs.home import LIMIT, HomeSection
from calloffs.visibility import engaged_calloffs
from tenants.models import Role
from tenants.selectors import roles_of

from .models import Measure, MeasureState, OwnerKind


def _waiting_section(waiting, key: str) -> HomeSection | None:
    rows = list(waiting.select_related("organisation", "calloff").order_by("done_at", "id")[:LIMIT])
    if not rows:
        return None
    return HomeSection(
        key=key,
        template="aftercare/home/verify.html",
        context={"measures": rows, "count": waiting.count() if len(rows) == LIMIT else len(rows)},
        order=20,
    )


def measure_sections(user) -> list[HomeSection]:
    sections = []
    bodies = list(roles_of(user))
    if bodies:
        overdue = Measure.objects.overdue(timezone.localdate()).filter(organisation_id__in=bodies)
        rows = list(overdue.select_related("organisation", "incident", "finding").order_by("due_date", "id")[:LIMIT])
        if rows:
            sections.append(
                HomeSection(
                    key="measures-overdue",
                    template="aftercare/home/overdue.html",
                    context={"measures": rows, "count": overdue.count() if len(rows) == LIMIT else len(rows)},
                    order=10,
                )
            )
    admin_of = [org for org, role in roles_of(user).items() if role == Role.ADMIN]
    if admin_of:
        waiting = Measure.objects.filter(
            organisation_id__in=admin_of, state=MeasureState.DONE, owner_kind=OwnerKind.PROVIDER
        ).exclude(done_by_id=user.pk)
        sections.append(_waiting_section(waiting, "measures-verify-body"))
    calloffs = engaged_calloffs(user)
    if not calloffs.query.is_empty():
        waiting = Measure.objects.filter(calloff__in=calloffs.values("pk"), state=MeasureState.DONE).exclude(
            owner_kind=OwnerKind.PROVIDER
        )
        sections.append(_waiting_section(waiting, "measures-verify"))
    return [section for section in sections if section is not None]
