"""Serializers of the statement API (input: shapes and plausible ranges; rules are the services')."""

from __future__ import annotations

from decimal import Decimal

from rest_framework import serializers

from digisos import plausible
from digisos.wire import WireModelSerializer

from ..models import Statement, StatementItem, StatementLine

NIGHT_HOURS = plausible.NumberRange(Decimal("0"), Decimal("24"))


class StatementItemSerializer(serializers.ModelSerializer):
    time_entry = serializers.UUIDField(source="time_entry.public_id", read_only=True)

    class Meta:
        model = StatementItem
        fields = [
            "time_entry",
            "date",
            "role_name",
            "person",
            "description",
            "hours",
            "night_hours",
            "onsite",
            "hourly_rate",
            "dispute",
            "dispute_reason",
            "answer",
        ]


class StatementLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = StatementLine
        fields = ["position", "kind", "date", "description", "quantity", "unit", "unit_price", "percent", "amount"]


class StatementSerializer(WireModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    calloff = serializers.SerializerMethodField()
    corrects = serializers.UUIDField(source="corrects.public_id", read_only=True, allow_null=True, default=None)
    items = StatementItemSerializer(many=True, read_only=True)
    lines = StatementLineSerializer(many=True, read_only=True)

    class Meta:
        model = Statement
        fields = [
            "id",
            "number",
            "kind",
            "state",
            "calloff",
            "corrects",
            "period_start",
            "period_end",
            "payer",
            "vat_percent",
            "net_total",
            "vat_total",
            "gross_total",
            "submitted_at",
            "confirmed_at",
            "approved_at",
            "items",
            "lines",
        ]

    def get_calloff(self, obj) -> dict:
        return {"id": str(obj.calloff.public_id), "number": obj.calloff.number}


class StatementCreateInputSerializer(serializers.Serializer):
    period_start = plausible.ApiPastDateField()
    period_end = plausible.ApiPastDateField(help_text="Not before period_start, not in the future.")
    night_hours = serializers.DictField(
        child=plausible.api_decimal_field(NIGHT_HOURS),
        required=False,
        default=dict,
        help_text="Hours at night per time entry id (at most the entry's hours); night surcharge of the contract.",
    )
    onsite = serializers.ListField(
        child=serializers.UUIDField(),
        required=False,
        default=list,
        max_length=1000,
        help_text="Ids of time entries worked on site (travel flat rate once per day and person).",
    )

    def validate(self, attrs):
        if len(attrs.get("night_hours", {})) > 1000:
            raise serializers.ValidationError({"night_hours": "At most 1000 entries."})
        if attrs["period_end"] < attrs["period_start"]:
            raise serializers.ValidationError({"period_end": "Before period_start."})
        return attrs


class AnswerItemSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=["correct", "keep"])
    note = serializers.CharField(max_length=2000)
    hours = plausible.api_decimal_field(NIGHT_HOURS, required=False)
    night_hours = plausible.api_decimal_field(NIGHT_HOURS, required=False)
    onsite = serializers.BooleanField(required=False)


class AnswerInputSerializer(serializers.Serializer):
    answers = serializers.DictField(
        child=AnswerItemSerializer(), help_text="Per disputed time entry id: correct (new hours) or keep, with a note."
    )

    def validate_answers(self, value):
        if len(value) > 1000:
            raise serializers.ValidationError("At most 1000 answers.")
        return value
