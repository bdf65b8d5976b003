"""django-filter FilterSets of the incidents app (STYLE §5): the incident list and its CSV download."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import Incident, IncidentStatus

OPEN = "open"


class IncidentListFilterSet(django_filters.FilterSet):
    """Search by title, body name or AGS; status (default: every incident not yet closed)."""

    q = django_filters.CharFilter(method="search", label=_("Suche (Titel, Stelle oder AGS)"), max_length=100)
    status = django_filters.ChoiceFilter(
        method="by_status",
        choices=[(OPEN, _("Alle nicht abgeschlossenen")), *IncidentStatus.choices],
        label=_("Status"),
        empty_label=_("Alle"),
    )

    class Meta:
        model = Incident
        fields = ["q", "status"]

    def __init__(self, data=None, *args, **kwargs):
        if data is None or "status" not in data:  # a fresh list shows the open incidents
            data = data.copy() if data is not None else {}
            data["status"] = OPEN
        super().__init__(data, *args, **kwargs)

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(title__icontains=value) | Q(organisation__name__icontains=value) | Q(organisation__ags__startswith=value)
        )

    def by_status(self, queryset, name, value):
        if value == OPEN:
            return queryset.open()
        return queryset.filter(status=value) if value else queryset
