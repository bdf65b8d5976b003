"""The situation picture (Lagebild) across NRW: ministry staff only."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from incidents.models import IncidentStatus, TimelineEntry

from ..situation import figures
from ..situation.map import attribution, kreis_names, legend, nrw_map, swatch
from ..situation.panels import panels
from ..situation.svg import PALETTE, Bar, bar_chart


@login_required
def situation(request):
    if not request.user.is_ministry_staff:
        raise Http404
    data = figures.situation()
    state_labels = dict(figures.states())
    open_states = [s for s in state_labels if any(k[0] == s for k in data.calloffs_by_state_priority)]
    matrix = [
        (state_labels[state], [data.calloffs_by_state_priority.get((state, p), 0) for p, _l in figures.priorities()])
        for state in open_states
    ]
    charts = {
        "incidents": bar_chart(
            [
                Bar(label, data.incidents_by_status.get(value, 0), colour=PALETTE[i % len(PALETTE)])
                for i, (value, label) in enumerate(IncidentStatus.choices)
            ],
            title=_("Sicherheitsvorfälle nach Status"),
        ),
        "regions": bar_chart(
            [Bar(rb, data.calloffs_by_rb.get(rb, 0)) for rb in figures.regions()],
            title=_("Offene Abrufe nach Regierungsbezirk"),
        ),
        "load": bar_chart(
            [Bar(item.provider.short_name, item.engaged, limit=item.capacity, colour=PALETTE[1]) for item in data.load],
            title=_("Auslastung der Dienstleister (Einsätze; Strich = Kapazität)"),
        ),
        "map": nrw_map(
            data.bodies_by_kreis,
            title=_("Karte: Stellen mit offenen Vorfällen nach Kreis"),
            label=_("%(name)s – Stellen mit offenem Vorfall: %(count)s"),
        ),
    }
    names = kreis_names()
    affected_areas = sorted(
        ((names.get(key, key), n) for key, n in data.bodies_by_kreis.items() if n),
        key=lambda row: (-row[1], row[0].removeprefix("Kreis ")),
    )
    map_legend = [
        {**item, "swatch": swatch(item["colour"], affected=item["affected"])} for item in legend(data.bodies_by_kreis)
    ]
    major_timelines = []
    for major in data.majors:
        stamps = TimelineEntry.objects.filter(incident__major_incident=major).values_list("at", flat=True)
        counts = figures.hourly_counts(stamps)
        major_timelines.append(
            (major, bar_chart([Bar(label, n) for label, n in counts], title=_("Einträge je Stunde: %s") % major.title))
        )
    context = {
        "panels": panels(request.user),
        "data": data,
        "now": timezone.now(),
        "affected_areas": affected_areas,
        "map_legend": map_legend,
        "charts": charts,
        "matrix": matrix,
        "priorities": figures.priorities(),
        "attribution": attribution(),
        "major_timelines": major_timelines,
        "sla": [
            (name, data.breaches_24h.get(name, 0), data.expired_offers_24h.get(name, 0))
            for name in sorted({n for n in [*data.breaches_24h, *data.expired_offers_24h] if n})
        ],
    }
    return render(request, "calloffs/situation.html", context)
