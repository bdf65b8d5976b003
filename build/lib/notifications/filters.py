"""django-filter FilterSet of the delivery log (STYLE §5): the HTML list and its CSV download."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import Audience, Channel, Notification, NotificationState


class DeliveryFilterSet(django_filters.FilterSet):
    """Search by reference (a call-off or incident number), body name or AGS, or recipient; filters
    by state and channel, and for the ministry by audience. All of it stays in the URL."""

    q = django_filters.CharFilter(
        method="search", label=_("Suche (Abrufnummer, Stelle, AGS oder Empfänger)"), max_length=100, strip=True
    )
    state = django_filters.ChoiceFilter(choices=NotificationState.choices, label=_("Status"), empty_label=_("Alle"))
    channel = django_filters.ChoiceFilter(choices=Channel.choices, label=_("Kanal"), empty_label=_("Alle"))
    audience = django_filters.ChoiceFilter(choices=Audience.choices, label=_("Empfängerkreis"), empty_label=_("Alle"))
    MINISTRY_ONLY = ("audience",)

    class Meta:
        model = Notification
        fields = ["q", "state", "channel", "audience"]

    def __init__(self, *args, ministry: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not ministry:
            for name in self.MINISTRY_ONLY:
                del self.filters[name]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(reference__icontains=value)
            | Q(organisation__name__icontains=value)
            | Q(organisation__ags__startswith=value)
            | Q(recipient__icontains=value)
        )
