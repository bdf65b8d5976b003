"""The aftercare panels of the ministry's situation picture (registered in AftercareConfig.ready
through calloffs.situation.panels, so calloffs never imports this app):

- root causes across all incidents: how many incidents had a finding of each category marked as
  the root cause (the initial access vectors NRW-wide: where prevention pays off);
- indicators seen at more than one body: the values where the TLP of every indicator behind them
  allows it, otherwise only their type and the number of bodies.

Why not every value the ministry may read: the situation picture is the overview that is shown in
the crisis team's room and read out in briefings with people of other organisations, so it is
treated like a disclosure beyond the ministry. TLP:CLEAR and TLP:GREEN may go to the community;
TLP:AMBER only to those who need to know it (TLP 2.0), so its value stays on the ministry's working
list ("Indikatoren bei mehreren Stellen"), which the panel links to. TLP:AMBER+STRICT and TLP:RED
take no part in matching at all (aftercare.models.NOT_ACROSS_BODIES).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from calloffs.permissions import is_ministry
from calloffs.situation.panels import SituationPanel
from calloffs.situation.svg import PALETTE, Bar, bar_chart

from .models import NOT_ACROSS_BODIES, Finding, FindingCategory, Indicator, Tlp
from .selectors import matched_values

#: Levels whose values the situation picture shows (may be shared with the community, TLP 2.0).
SHOWN_IN_OVERVIEW = (Tlp.CLEAR, Tlp.GREEN)
#: From least to most restrictive: the value's level is that of its most restrictive indicator.
RESTRICTIVENESS = [Tlp.CLEAR, Tlp.GREEN, Tlp.AMBER, Tlp.AMBER_STRICT, Tlp.RED]
#: How many values the panel lists (the working list has them all).
SHARED_LIMIT = 20


@dataclass(frozen=True)
class RootCauseRow:
    category: str
    label: str
    incidents: int
    findings: int


@dataclass(frozen=True)
class SharedIndicatorRow:
    kind_label: str
    #: None when the TLP of one of its indicators does not allow showing it here.
    value: str | None
    bodies: int
    tlp_label: str


def root_causes() -> list[RootCauseRow]:
    """Per finding category: the incidents with a root-cause finding of it, and those findings."""
    counts = (
        Finding.objects.filter(root_cause=True, incident__is_drill=False)  # drills are not part of the situation
        .values("category")
        .annotate(incidents=Count("incident", distinct=True), findings=Count("id"))
        .order_by()
    )
    labels = dict(FindingCategory.choices)
    rows = [
        RootCauseRow(
            category=row["category"],
            label=str(labels.get(row["category"], row["category"])),
            incidents=row["incidents"],
            findings=row["findings"],
        )
        for row in counts
    ]
    return sorted(rows, key=lambda row: (-row.incidents, row.label))


def incidents_with_root_cause() -> int:
    return Finding.objects.filter(root_cause=True, incident__is_drill=False).values("incident_id").distinct().count()


def shared_indicators(limit: int = SHARED_LIMIT) -> tuple[int, list[SharedIndicatorRow]]:
    """(how many values were seen at more than one body, the first ``limit`` of them as rows)."""
    values = matched_values()
    total = values.count()
    values = list(values[:limit])
    if not values:
        return total, []
    pairs = Q()
    for value in values:
        pairs |= Q(kind=value.kind, value=value.value)
    levels: dict[tuple[str, str], set[str]] = {}
    for kind, value, tlp in (
        Indicator.objects.filter(pairs).exclude(tlp__in=NOT_ACROSS_BODIES).values_list("kind", "value", "tlp")
    ):
        levels.setdefault((kind, value), set()).add(tlp)
    rows = []
    for value in values:
        found = levels.get((value.kind, value.value)) or {Tlp.RED}  # nothing that may cross bodies: hide
        strictest = max(found, key=RESTRICTIVENESS.index)
        rows.append(
            SharedIndicatorRow(
                kind_label=value.get_kind_display(),
                value=value.value if strictest in SHOWN_IN_OVERVIEW else None,
                bodies=value.bodies,
                tlp_label=Tlp(strictest).label,
            )
        )
    return total, rows


def situation_panels(user) -> list[SituationPanel]:
    if not is_ministry(user):
        return []
    causes = root_causes()
    chart = bar_chart(
        [Bar(row.label, row.incidents, colour=PALETTE[i % len(PALETTE)]) for i, row in enumerate(causes)],
        title=_("Vorfälle nach Ursache"),
    )
    total, shared = shared_indicators()
    return [
        SituationPanel(
            key="root-causes",
            title=_("Ursachen der Vorfälle"),
            template="aftercare/situation_root_causes.html",
            context={"rows": causes, "chart": chart, "incidents": incidents_with_root_cause()},
            order=10,
        ),
        SituationPanel(
            key="shared-indicators",
            title=_("Indikatoren bei mehreren Stellen"),
            template="aftercare/situation_indicators.html",
            context={"rows": shared, "total": total, "limit": SHARED_LIMIT},
            order=20,
        ),
    ]
