"""Serializers of the aftercare endpoints of the provider API (input and output apart)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from calloffs.api.serializers import DrillFlagField
from digisos.plausible import ApiPastDateTimeField, check_order
from digisos.wire import WireModelSerializer

from ..models import Finding, FindingCategory, Indicator, IndicatorKind, Measure, Severity, Tlp
from ..remediation.models import DESCRIPTION_MAX, REASON_MAX, REASON_MIN, TITLE_MAX
from ..validation import MAX_VALUE


class FindingSerializer(WireModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    drill = DrillFlagField()

    class Meta:
        model = Finding
        fields = [
            "id",
            "drill",
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
    drill = DrillFlagField()

    class Meta:
        model = Indicator
        fields = [
            "id",
            "drill",
            "kind",
            "value",
            "tlp",
            "description",
            "first_seen",
            "last_seen",
            "created_at",
            "updated_at",
        ]
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


# --- Measures -----------------------------------------------------------------------------------


class MeasureSerializer(WireModelSerializer):
    """A measure as the provider sees it: no names of the body's people (only whether someone is assigned)."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    drill = DrillFlagField()
    finding = serializers.UUIDField(source="finding.public_id", read_only=True)
    severity = serializers.ChoiceField(source="finding.severity", choices=Severity.choices, read_only=True)
    owner_assigned = serializers.SerializerMethodField(help_text="A person at the body is responsible.")
    overdue = serializers.SerializerMethodField()
    overdue_reminders = serializers.IntegerField(
        read_only=True,
        help_text="Overdue reminders sent for the current due date (`measure.due` with `reminder.kind: overdue`; "
        "the n-th carries `reminder.number: n`); 0 until the first, again 0 when the due date changes.",
    )
    days_overdue = serializers.SerializerMethodField(
        help_text="Whole days since `due_date` while the measure is open and overdue, else 0."
    )
    verified_by_body = serializers.BooleanField(
        read_only=True,
        help_text="The second check is the other party's: `true` when a body admin confirmed a measure you "
        "carried out (`owner_kind: provider`), `false` when you confirmed the body's work (or not verified yet).",
    )

    class Meta:
        model = Measure
        fields = [
            "id",
            "drill",
            "finding",
            "title",
            "description",
            "severity",
            "owner_kind",
            "owner_assigned",
            "due_date",
            "overdue",
            "overdue_reminders",
            "days_overdue",
            "required_for_reconnection",
            "state",
            "done_at",
            "done_note",
            "verified_at",
            "verify_note",
            "verified_by_body",
            "returned_at",
            "returned_reason",
            "risk_accepted_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_owner_assigned(self, measure) -> bool:
        return measure.owner_id is not None

    def get_overdue(self, measure) -> bool:
        return measure.is_overdue()

    def get_days_overdue(self, measure) -> int:
        return measure.days_overdue()


class MeasureInputSerializer(serializers.Serializer):
    finding = serializers.UUIDField(help_text="The finding (of this call-off) the measure remedies.")
    title = serializers.CharField(max_length=TITLE_MAX)
    description = serializers.CharField(max_length=DESCRIPTION_MAX, required=False, allow_blank=True, default="")
    required_for_reconnection = serializers.BooleanField(required=False, default=False)


class MeasureUpdateSerializer(serializers.Serializer):
    """PATCH: only the fields sent change (the text not once the measure is finished)."""

    title = serializers.CharField(max_length=TITLE_MAX, required=False)
    description = serializers.CharField(max_length=DESCRIPTION_MAX, required=False, allow_blank=True)
    required_for_reconnection = serializers.BooleanField(required=False)


class MeasureVerifySerializer(serializers.Serializer):
    result = serializers.ChoiceField(
        choices=[("verified", "verified"), ("sent_back", "sent_back")],
        help_text="`verified`: the re-test confirms the measure; `sent_back`: it does not (`note` is the reason).",
    )
    note = serializers.CharField(
        max_length=REASON_MAX,
        required=False,
        allow_blank=True,
        default="",
        help_text=f"Optional with `verified`; with `sent_back` the reason, {REASON_MIN}–{REASON_MAX} characters.",
    )

    def validate(self, attrs):
        if attrs["result"] == "sent_back" and len(attrs["note"].strip()) < REASON_MIN:
            raise serializers.ValidationError({"note": [_("Bitte mindestens {n} Zeichen.").format(n=REASON_MIN)]})
        return attrs
