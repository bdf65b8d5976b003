"""One time format on the wire (API responses and webhook payloads): RFC 3339 in UTC with seconds
and ``Z``, e.g. ``2026-10-30T05:00:00Z`` (docs/PROVIDER_API.md). Input still accepts any offset."""

from __future__ import annotations

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


class WireModelSerializer(serializers.ModelSerializer):
    """A ModelSerializer whose model datetimes are written in the wire format."""

    serializer_field_mapping = {**serializers.ModelSerializer.serializer_field_mapping}


def _use_wire_datetimes() -> None:
    from django.db import models

    WireModelSerializer.serializer_field_mapping[models.DateTimeField] = WireDateTimeField


_use_wire_datetimes()
