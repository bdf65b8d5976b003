"""django-filter FilterSets of the tenants app (STYLE §5): the list of bodies and its CSV download."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import Organisation, OrganisationKind, Regierungsbezirk


class OrganisationListFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Suche (Name oder AGS)"), max_length=100)
    kind = django_filters.ChoiceFilter(choices=OrganisationKind.choices, label=_("Art"), empty_label=_("Alle"))
    regierungsbezirk = django_filters.ChoiceFilter(
        choices=Regierungsbezirk.choices, label=_("Regierungsbezirk"), empty_label=_("Alle")
    )

    class Meta:
        model = Organisation
        fields = ["q", "kind", "regierungsbezirk"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(ags__startswith=value) | Q(official_name__icontains=value))
