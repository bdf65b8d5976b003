"""One time format on the wire (API responses and webhook payloads): RFC 3339 in UTC with seconds
and ``Z``, e.g. ``2026-10-30T05:00:00Z`` (docs/PROVIDER_API.md). Input still accepts any offset."""

from __future__ import annotations

import copy
from datetime import UTC, datetime

from rest_framework import serializers

WIRE_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def rfc3339(value: datetime) -> str:
    """An aware datetime as it goes on the wire (sub-second digits are dropped)."""
    return value.astimezone(UTC).strftime(WIRE_FORMAT)


class WireDateTimeField(serializers.DateTimeField):
    """DRF's DateTimeField, written in the wire format whatever the request's time zone."""

    def to_representation(self, value):
        if not value or isinstance(value, str):
            return value or None
        return rfc3339(self.enforce_timezone(value))


def _field_copy(field: serializers.Field) -> serializers.Field:
    """An unbound copy of a prototype field: shallow for a plain field (binding it sets only the copy's
    own attributes: name, parent, label, source), deep, as DRF copies declared fields, for a nested
    serializer or a field with a child field (the child is bound to its parent)."""
    if isinstance(field, serializers.BaseSerializer) or hasattr(field, "child") or hasattr(field, "child_relation"):
        return copy.deepcopy(field)
    return copy.copy(field)


class FieldsBuiltOnce:
    """A serializer whose fields are built once per class (a ModelSerializer's model introspection,
    the deep copies of the declared fields) and copied for each instance (_field_copy), as DRF's own
    get_fields would build them anew: issue 19, building the fields of the API accept's answer (a
    dozen serializers) was ~20 % of its CPU. Only for a serializer whose fields depend on its class
    alone, not on the instance, data or context (none of ours overrides get_fields)."""

    def get_fields(self):
        cls = type(self)
        prototypes = cls.__dict__.get("_field_prototypes")
        if prototypes is None:
            prototypes = super().get_fields()  # unbound; never handed out themselves
            cls._field_prototypes = prototypes
        return {name: _field_copy(field) for name, field in prototypes.items()}


class WireSerializer(FieldsBuiltOnce, serializers.Serializer):
    """A Serializer of the API whose fields are built once per class (FieldsBuiltOnce)."""


class WireModelSerializer(FieldsBuiltOnce, serializers.ModelSerializer):
    """A ModelSerializer whose model datetimes are written in the wire format; its fields are built
    once per class (FieldsBuiltOnce)."""

    serializer_field_mapping = {**serializers.ModelSerializer.serializer_field_mapping}


def _use_wire_datetimes() -> None:
    from django.db import models

    WireModelSerializer.serializer_field_mapping[models.DateTimeField] = WireDateTimeField


_use_wire_datetimes()
