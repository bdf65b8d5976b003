"""The home page's sections about measures (calloffs.home.register_section): overdue measures of the
user's bodies, loudly, first on the page; measures waiting for the provider's verification. A fixed
number of queries whatever the number of rows (capped lists, related rows joined)."""

from __future__ import annotations

from django.utils import timezone

from calloffs.home import LIMIT, HomeSection
from calloffs.visibility import engaged_calloffs
from tenants.selectors import roles_of

from .models import Measure, MeasureState


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
    calloffs = engaged_calloffs(user)
    if calloffs.query.is_empty():
        return sections
    waiting = Measure.objects.filter(calloff__in=calloffs.values("pk"), state=MeasureState.DONE)
    rows = list(waiting.select_related("organisation", "calloff").order_by("done_at", "id")[:LIMIT])
    if rows:
        sections.append(
            HomeSection(
                key="measures-verify",
                template="aftercare/home/verify.html",
                context={"measures": rows, "count": waiting.count() if len(rows) == LIMIT else len(rows)},
                order=20,
            )
        )
    return sections
