"""Serializers of the aftercare endpoints of the provider API (input and output apart)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from digisos.plausible import ApiPastDateTimeField, check_order
from digisos.wire import WireModelSerializer

from ..models import Finding, FindingCategory, Indicator, IndicatorKind, Severity, Tlp
from ..validation import MAX_VALUE


class FindingSerializer(WireModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)

    class Meta:
        model = Finding
        fields = [
            "id",
            "title",
            "description",
            "category",
            "affected_systems",
            "cve_id",
            "cvss_vector",
            "cvss_score",
            "severity",
            "recommendation",
            "root_cause",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class FindingInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=20000)
    category = serializers.ChoiceField(choices=FindingCategory.choices)
    affected_systems = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    cve_id = serializers.CharField(
        max_length=20, required=False, allow_blank=True, default="", help_text="e.g. CVE-2023-27997"
    )
    cvss_vector = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        default="",
        help_text="CVSS 3.1 or 4.0 base vector; score and severity are computed from it.",
    )
    severity = serializers.ChoiceField(
        choices=Severity.choices,
        required=False,
        help_text="Required without `cvss_vector`; with one it must match the score (or be left out).",
    )
    recommendation = serializers.CharField(max_length=20000, required=False, allow_blank=True, default="")
    root_cause = serializers.BooleanField(required=False, default=False)


class FindingUpdateSerializer(FindingInputSerializer):
    """PATCH: only the fields sent change."""

    def __init__(self, *args, **kwargs):
        kwargs["partial"] = True
        super().__init__(*args, **kwargs)


class IndicatorSerializer(WireModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)

    class Meta:
        model = Indicator
        fields = ["id", "kind", "value", "tlp", "description", "first_seen", "last_seen", "created_at", "updated_at"]
        read_only_fields = fields


class _SeenMixin:
    def validate(self, attrs):
        try:
            check_order(attrs.get("first_seen"), attrs.get("last_seen"), start_label=_("Erstmals gesehen"))
        except Exception as exc:  # django ValidationError → DRF's
            raise serializers.ValidationError({"last_seen": list(getattr(exc, "messages", [str(exc)]))}) from exc
        return attrs


class IndicatorInputSerializer(_SeenMixin, serializers.Serializer):
    kind = serializers.ChoiceField(choices=IndicatorKind.choices)
    value = serializers.CharField(max_length=MAX_VALUE, help_text="Normalised on the way in (lower case, …).")
    tlp = serializers.ChoiceField(choices=Tlp.choices, required=False, default=Tlp.AMBER)
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    first_seen = ApiPastDateTimeField(required=False, allow_null=True, default=None)
    last_seen = ApiPastDateTimeField(required=False, allow_null=True, default=None)


class IndicatorUpdateSerializer(_SeenMixin, serializers.Serializer):
    """PATCH: TLP, description and first/last seen (type and value stay; a new value is a new indicator)."""

    tlp = serializers.ChoiceField(choices=Tlp.choices, required=False)
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    first_seen = ApiPastDateTimeField(required=False, allow_null=True)
    last_seen = ApiPastDateTimeField(required=False, allow_null=True)
