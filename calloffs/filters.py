"""django-filter FilterSets of the calloffs app, shared by the HTML lists and the API (STYLE §5)."""

from __future__ import annotations

from datetime import UTC

import django_filters
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters.fields import IsoDateTimeField

from .models import CallOff, CallOffState, Priority


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

    state = django_filters.MultipleChoiceFilter(
        choices=CallOffState.choices, label=_("Status"), help_text="Repeat for several states."
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
