"""The measures panel of the ministry's situation picture (registered in AftercareConfig.ready through
calloffs.situation.panels): open critical and high measures per district (Kreis), with how many of
them are overdue; drills left out, as everywhere in the situation picture. Two queries at any volume
(grouped by body, folded into districts here)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from calloffs.permissions import is_ministry
from calloffs.situation.map import kreis_key, kreis_names
from calloffs.situation.panels import SituationPanel

from ..models import Severity
from .models import Measure

SHOWN = (Severity.CRITICAL, Severity.HIGH)


@dataclass
class DistrictRow:
    name: str
    critical: int = 0
    high: int = 0
    overdue: int = 0
    required: int = 0

    @property
    def total(self) -> int:
        return self.critical + self.high


def open_measures_by_district(today=None) -> list[DistrictRow]:
    today = today or timezone.localdate()
    grouped = (
        Measure.objects.open()
        .filter(finding__severity__in=SHOWN, calloff__is_drill=False)
        .values("organisation__ags", "finding__severity")
        .annotate(
            n=Count("id"),
            overdue=Count("id", filter=Q(due_date__lt=today)),
            required=Count("id", filter=Q(required_for_reconnection=True)),
        )
        .order_by()
    )
    names = kreis_names()
    rows: dict[str, DistrictRow] = {}
    for row in grouped:
        key = kreis_key(row["organisation__ags"]) or ""
        name = names.get(key, key) if key else _("Ohne Kreiszuordnung")
        district = rows.setdefault(key, DistrictRow(name=name))
        if row["finding__severity"] == Severity.CRITICAL:
            district.critical += row["n"]
        else:
            district.high += row["n"]
        district.overdue += row["overdue"]
        district.required += row["required"]
    return sorted(rows.values(), key=lambda r: (-r.critical, -r.high, r.name.removeprefix("Kreis ")))


def measure_panels(user) -> list[SituationPanel]:
    if not is_ministry(user):
        return []
    rows = open_measures_by_district()
    return [
        SituationPanel(
            key="open-measures",
            title=_("Offene kritische und hohe Maßnahmen nach Kreis"),
            template="aftercare/situation_measures.html",
            context={
                "rows": rows,
                "critical": sum(r.critical for r in rows),
                "high": sum(r.high for r in rows),
                "overdue": sum(r.overdue for r in rows),
            },
            order=15,
        )
    ]
