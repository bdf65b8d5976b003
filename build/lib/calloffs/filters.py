"""django-filter FilterSets of the calloffs app, shared by the HTML lists and the API (STYLE §5)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters.fields import IsoDateTimeField

from digisos import plausible
from tenants.models import Regierungsbezirk

from .models import CallOff, CallOffState, Priority, Provider


class UtcIsoDateTimeField(IsoDateTimeField):
    """ISO 8601, normalised to UTC: PostgreSQL refuses offsets beyond ±15:59 that ISO (and
    Python) allow, e.g. +22:31 (found by Schemathesis)."""

    def to_python(self, value):
        parsed = super().to_python(value)
        if parsed is not None and timezone.is_aware(parsed):
            try:
                parsed = parsed.astimezone(UTC)
            except OverflowError as exc:
                raise ValidationError(self.error_messages["invalid"], code="invalid") from exc
        return parsed


class UtcIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UtcIsoDateTimeField


class CallOffFilterSet(django_filters.FilterSet):
    """``state`` (repeatable), ``priority``, and ``updated_since`` (ISO 8601, inclusive) for
    incremental sync: a client stores the largest ``updated_at`` it has seen and asks for the
    call-offs changed since then."""

    # distinct=False: a filter on the call-off's own column cannot repeat a row (django-filter's default
    # DISTINCT only made the provider's poll count and sort every column).
    state = django_filters.MultipleChoiceFilter(
        choices=CallOffState.choices, label=_("Status"), help_text="Repeat for several states.", distinct=False
    )
    priority = django_filters.ChoiceFilter(choices=Priority.choices, label=_("Priorität"))
    updated_since = UtcIsoDateTimeFilter(
        field_name="updated_at",
        lookup_expr="gte",
        label=_("Geändert seit"),
        help_text="ISO 8601 date-time with time zone, e.g. 2025-04-01T08:00:00+02:00 (inclusive).",
    )

    class Meta:
        model = CallOff
        fields = ["state", "priority", "updated_since"]


class CallOffListFilterSet(django_filters.FilterSet):
    """The HTML list of call-offs (and its CSV download): a search by call-off number, body name
    or AGS, and filters that stay in the URL. Applied to the call-offs the user may see; the
    ministry also filters by region, provider and filing date."""

    q = django_filters.CharFilter(
        method="search", label=_("Suche (Abrufnummer, Stelle oder AGS)"), max_length=100, strip=True
    )
    state = django_filters.ChoiceFilter(choices=CallOffState.choices, label=_("Status"), empty_label=_("Alle"))
    priority = django_filters.ChoiceFilter(choices=Priority.choices, label=_("Priorität"), empty_label=_("Alle"))
    regierungsbezirk = django_filters.ChoiceFilter(
        field_name="organisation__regierungsbezirk",
        choices=Regierungsbezirk.choices,
        label=_("Regierungsbezirk"),
        empty_label=_("Alle"),
    )
    provider = django_filters.ModelChoiceFilter(
        queryset=Provider.objects.order_by("short_name"),
        to_field_name="public_id",
        label=_("Dienstleister"),
        empty_label=_("Alle"),
    )
    date_from = django_filters.DateFilter(
        field_name="submitted_at",
        method="filed_from",
        label=_("Gestellt ab"),
        widget=plausible.DATE_WIDGET,
        input_formats=plausible.DATE_FORMATS,
        validators=[plausible.validate_date],
    )
    date_to = django_filters.DateFilter(
        field_name="submitted_at",
        method="filed_to",
        label=_("Gestellt bis"),
        widget=plausible.DATE_WIDGET,
        input_formats=plausible.DATE_FORMATS,
        validators=[plausible.validate_date],
    )
    MINISTRY_ONLY = ("regierungsbezirk", "provider", "date_from", "date_to")

    class Meta:
        model = CallOff
        fields = ["q", "state", "priority", "regierungsbezirk", "provider", "date_from", "date_to"]

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
            Q(number__icontains=value) | Q(organisation__name__icontains=value) | Q(organisation__ags__startswith=value)
        )

    def filed_from(self, queryset, name, value):
        return queryset.filter(submitted_at__gte=_day_start(value))

    def filed_to(self, queryset, name, value):
        return queryset.filter(submitted_at__lt=_day_start(value + timedelta(days=1)))


def _day_start(day):
    return timezone.make_aware(datetime.combine(day, time.min))
