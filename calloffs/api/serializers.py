"""Serializers of the provider API: output serializers read prefetched data only (the list
costs a constant number of queries); input serializers only validate, the services decide.

Field names are English and stable; ``id`` is always the public UUID.
"""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from digisos import plausible
from digisos.wire import WireDateTimeField, WireModelSerializer, WireSerializer, rfc3339
from incidents.models import Category
from readiness.models import (
    CRITICAL_SYSTEMS_MAX,
    NETWORK_OVERVIEW_TYPES,
    SYSTEM_DESCRIPTION_MAX,
    SYSTEM_NAME_MAX,
    ProtectionNeed,
    ReadinessProfile,
    RemoteAccess,
)

from ..models import (
    AttachmentKind,
    CallOff,
    CallOffAttachment,
    CallOffDocument,
    CallOffEvent,
    CallOffService,
    CallOffState,
    DocumentKind,
    DocumentState,
    Priority,
    RoleRate,
    ServiceModule,
    TimeEntry,
)

DATETIME = WireDateTimeField()
MILESTONE_KINDS = ("callback_made", "remote_started", "onsite_arrived", "contained", "note")
UPDATE_KIND_CHOICES = [(kind, kind) for kind in MILESTONE_KINDS]


# --- Output -----------------------------------------------------------------------------------


DRILL_HELP = "True for a drill (Übung): the real path and SLA clocks, measured; nothing is billed."


class DrillFlagField(serializers.BooleanField):
    """``drill`` on an object of a call-off: taken from the call-off the view already loaded (serializer
    context ``calloff``), so no query per item."""

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", DRILL_HELP)
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, value) -> bool:
        return bool(self.context["calloff"].is_drill)


class BodySerializer(WireSerializer):
    name = serializers.CharField()
    ags = serializers.CharField(allow_null=True, help_text="Official municipality key (AGS), if any.")
    kind = serializers.CharField(help_text="Kind of body, e.g. gemeinde, kreis, landesbetrieb.")
    regierungsbezirk = serializers.CharField(allow_blank=True)


class BodyDetailSerializer(BodySerializer):
    street = serializers.CharField(allow_blank=True)
    postcode = serializers.CharField(allow_blank=True)
    city = serializers.CharField(allow_blank=True)


class OfferSerializer(WireSerializer):
    id = serializers.UUIDField(source="public_id")
    offered_at = WireDateTimeField()
    respond_by = WireDateTimeField(help_text="Accept or decline before this moment.")


class SlaSerializer(WireSerializer):
    """Deadlines (set at acceptance from the contract's SLA terms) and the moments reported."""

    callback_due_at = WireDateTimeField(allow_null=True)
    remote_start_due_at = WireDateTimeField(allow_null=True)
    onsite_due_at = WireDateTimeField(allow_null=True)
    callback_made_at = WireDateTimeField(allow_null=True)
    remote_started_at = WireDateTimeField(allow_null=True)
    onsite_arrived_at = WireDateTimeField(allow_null=True)
    contained_at = WireDateTimeField(allow_null=True)


class CallOffListSerializer(WireModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    state = serializers.ChoiceField(choices=CallOffState.choices)
    priority = serializers.ChoiceField(choices=Priority.choices)
    category = serializers.ChoiceField(choices=Category.choices)
    body = BodySerializer(source="organisation")
    assigned = serializers.SerializerMethodField(help_text="True once this provider is assigned.")
    offer = serializers.SerializerMethodField(help_text="The offer open to this provider now, else null.")
    drill = serializers.BooleanField(
        source="is_drill",
        read_only=True,
        help_text="True for a drill (Übung): the real path and SLA clocks, measured; nothing is billed.",
    )

    class Meta:
        model = CallOff
        fields = [
            "id",
            "number",
            "drill",
            "state",
            "priority",
            "category",
            "body",
            "assigned",
            "offer",
            "submitted_at",
            "accepted_at",
            "updated_at",
        ]

    def _provider_id(self) -> int:
        return self.context["request"].auth.provider_id

    def get_assigned(self, obj) -> bool:
        return obj.provider_id == self._provider_id()

    @extend_schema_field(OfferSerializer(allow_null=True))
    def get_offer(self, obj):
        offers = getattr(obj, "open_offers_for_provider", None)
        if offers is None:  # not prefetched: the single-object paths
            offers = [o for o in obj.offers.all() if o.provider_id == self._provider_id() and o.state == "open"]
        if not offers:
            return None
        # Built by hand (no serializer instance per row): this runs 50 times per list page.
        offer = offers[0]
        return {
            "id": str(offer.public_id),
            "offered_at": DATETIME.to_representation(offer.offered_at),
            "respond_by": DATETIME.to_representation(offer.respond_by),
        }


#: The columns of one list row (CallOffViewSet.list): the call-off, its body, this provider's open offer.
LIST_VALUES = (
    "public_id",
    "number",
    "is_drill",
    "state",
    "priority",
    "category",
    "provider_id",
    "submitted_at",
    "accepted_at",
    "updated_at",
    "organisation__name",
    "organisation__ags",
    "organisation__kind",
    "organisation__regierungsbezirk",
    "my_offer__public_id",
    "my_offer__offered_at",
    "my_offer__respond_by",
)


def calloff_list_rows(rows, *, provider_id: int) -> list[dict]:
    """The list representation built straight from ``LIST_VALUES`` rows: the same output as
    CallOffListSerializer (tests/api compare the two), at a fraction of the cost."""
    dt = rfc3339  # what WireDateTimeField.to_representation gives, without its per-call lookups

    out = []
    for row in rows:
        offer_id = row["my_offer__public_id"]
        out.append(
            {
                "id": str(row["public_id"]),
                "number": row["number"],
                "drill": row["is_drill"],
                "state": row["state"],
                "priority": row["priority"],
                "category": row["category"],
                "body": {
                    "name": row["organisation__name"],
                    "ags": row["organisation__ags"],
                    "kind": row["organisation__kind"],
                    "regierungsbezirk": row["organisation__regierungsbezirk"],
                },
                "assigned": row["provider_id"] == provider_id,
                "offer": None
                if offer_id is None
                else {
                    "id": str(offer_id),
                    "offered_at": dt(row["my_offer__offered_at"]),
                    "respond_by": dt(row["my_offer__respond_by"]),
                },
                "submitted_at": dt(row["submitted_at"]),
                "accepted_at": dt(row["accepted_at"]) if row["accepted_at"] else None,
                "updated_at": dt(row["updated_at"]),
            }
        )
    return out


class CallOffServiceSerializer(WireModelSerializer):
    code = serializers.CharField(source="service_module.code")
    name = serializers.CharField(source="service_module.name")
    unit = serializers.CharField(source="service_module.unit", help_text="hour, day or flat")
    estimated_quantity = serializers.DecimalField(
        max_digits=10, decimal_places=2, help_text="Estimated hours (or days, or 1 for a flat rate)."
    )

    class Meta:
        model = CallOffService
        fields = ["code", "name", "unit", "estimated_quantity"]


class EventSerializer(WireModelSerializer):
    kind = serializers.CharField()
    old_state = serializers.CharField(allow_blank=True)
    new_state = serializers.CharField(allow_blank=True)

    class Meta:
        model = CallOffEvent
        fields = ["at", "kind", "old_state", "new_state", "reason"]


class ContactSerializer(WireSerializer):
    callback_phone = serializers.CharField()
    callback_email = serializers.CharField(allow_blank=True)
    place_of_performance = serializers.CharField(allow_blank=True)


class LeadSerializer(WireSerializer):
    lead_name = serializers.CharField(allow_blank=True)
    lead_phone = serializers.CharField(allow_blank=True)
    eta_remote = WireDateTimeField(allow_null=True)
    eta_onsite = WireDateTimeField(allow_null=True)


class RoleSerializer(WireModelSerializer):
    class Meta:
        model = RoleRate
        fields = ["name", "hourly_rate"]


class ServiceModuleSerializer(WireModelSerializer):
    class Meta:
        model = ServiceModule
        fields = ["code", "name", "unit", "price"]


class ContractSerializer(WireSerializer):
    reference = serializers.CharField()
    title = serializers.CharField()
    roles = RoleSerializer(source="role_rates", many=True, help_text="Valid values of a time entry's role.")
    service_modules = ServiceModuleSerializer(many=True, help_text="Valid values of a time entry's service_module.")


#: The render job's states as the API names them: a provider waits, fetches, or waits for a retry.
API_DOCUMENT_STATE = {
    DocumentState.PENDING: "pending",
    DocumentState.STARTED: "pending",
    DocumentState.READY: "issued",
    DocumentState.FAILED: "failed",
}
#: The values of a document's ``state`` in the API (named DocumentStateEnum in the schema).
API_DOCUMENT_STATES = ["pending", "issued", "failed"]


class DocumentSerializer(WireSerializer):
    """One version of a call-off document (the order, a proof of work). Fetch it from ``url`` once
    ``state`` is ``issued``; the webhook ``document.issued`` says when."""

    id = serializers.UUIDField(source="public_id")
    drill = DrillFlagField()
    kind = serializers.ChoiceField(choices=DocumentKind.choices)
    version = serializers.IntegerField(min_value=1)
    state = serializers.SerializerMethodField()
    sha256 = serializers.SerializerMethodField(help_text="Hex SHA-256 of the PDF; null until issued.")
    size = serializers.SerializerMethodField(help_text="Bytes; null until issued.")
    issued_at = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField(help_text="GET with your API key; null until issued.")

    @extend_schema_field(serializers.ChoiceField(choices=API_DOCUMENT_STATES))
    def get_state(self, obj: CallOffDocument) -> str:
        return API_DOCUMENT_STATE[obj.state]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_sha256(self, obj: CallOffDocument):
        return obj.sha256 if obj.is_ready else None

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_size(self, obj: CallOffDocument):
        return obj.size if obj.is_ready else None

    @extend_schema_field(WireDateTimeField(allow_null=True))
    def get_issued_at(self, obj: CallOffDocument):
        return rfc3339(obj.rendered_at) if obj.is_ready and obj.rendered_at else None

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_url(self, obj: CallOffDocument):
        from ..services.notify import document_api_url

        return document_api_url(obj) if obj.is_ready else None


class CallOffDetailSerializer(CallOffListSerializer):
    body = BodyDetailSerializer(source="organisation")
    contract = ContractSerializer()
    services = CallOffServiceSerializer(many=True)
    sla = serializers.SerializerMethodField()
    events = serializers.SerializerMethodField()
    contact = serializers.SerializerMethodField(
        help_text="The body's call-back contact; only once this provider has accepted (else null)."
    )
    lead = serializers.SerializerMethodField(help_text="This provider's lead; null unless assigned.")
    documents = serializers.SerializerMethodField(
        help_text="The call-off's documents (every version, newest first per kind); empty unless assigned."
    )

    class Meta(CallOffListSerializer.Meta):
        fields = [
            *CallOffListSerializer.Meta.fields,
            "situation",
            "detected_at",
            "affected",
            "operations_halted",
            "contract",
            "services",
            "sla",
            "contact",
            "lead",
            "completion_summary",
            "events",
            "documents",
        ]

    @extend_schema_field(SlaSerializer)
    def get_sla(self, obj):
        return SlaSerializer(obj).data

    @extend_schema_field(EventSerializer(many=True))
    def get_events(self, obj):
        """The trail as far as it concerns this provider: its own steps and general ones, never
        another provider's offers, declines or reasons."""
        provider_id = self._provider_id()
        events = [e for e in obj.events.all() if e.provider_id in (None, provider_id)]
        return EventSerializer(events, many=True).data

    @extend_schema_field(ContactSerializer(allow_null=True))
    def get_contact(self, obj):
        if not self.get_assigned(obj):
            return None
        return ContactSerializer(obj).data

    @extend_schema_field(LeadSerializer(allow_null=True))
    def get_lead(self, obj):
        if not self.get_assigned(obj):
            return None
        return LeadSerializer(obj).data

    @extend_schema_field(DocumentSerializer(many=True))
    def get_documents(self, obj):
        """Need-to-know: only the assigned provider reads the documents (as in the portal)."""
        if not self.get_assigned(obj):
            return []
        documents = sorted(obj.documents.all(), key=lambda d: (d.kind, -d.version))
        return DocumentSerializer(documents, many=True, context={**self.context, "calloff": obj}).data


class TimeEntrySerializer(WireModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    role = serializers.CharField(source="role.name")
    service_module = serializers.CharField(source="service_module.code", allow_null=True, default=None)
    confirmed = serializers.SerializerMethodField()
    drill = DrillFlagField()

    class Meta:
        model = TimeEntry
        fields = [
            "id",
            "drill",
            "date",
            "hours",
            "person",
            "role",
            "service_module",
            "description",
            "value",
            "confirmed",
            "confirmed_at",
        ]

    def get_confirmed(self, obj) -> bool:
        return obj.confirmed_at is not None


class AttachmentSerializer(WireModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    kind = serializers.ChoiceField(choices=AttachmentKind.choices)
    filename = serializers.CharField(source="original_name")
    drill = DrillFlagField()

    class Meta:
        model = CallOffAttachment
        fields = ["id", "drill", "kind", "filename", "content_type", "size", "sha256", "created_at"]


class DeclineResultSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    number = serializers.CharField()
    drill = serializers.BooleanField(read_only=True, help_text=DRILL_HELP)
    declined = serializers.BooleanField(default=True, help_text="Always true; the call-off is no longer visible.")


class NetworkOverviewSerializer(serializers.Serializer):
    filename = serializers.CharField(source="original_name", help_text="The file name the body uploaded.")
    content_type = serializers.ChoiceField(
        choices=[(t, t) for t in NETWORK_OVERVIEW_TYPES], help_text="Decided by the file's content."
    )
    size = serializers.IntegerField(min_value=1, help_text="Bytes.")
    sha256 = serializers.CharField(min_length=64, max_length=64, help_text="SHA-256 (hex) of the file.")
    uploaded_at = WireDateTimeField()
    url = serializers.SerializerMethodField(help_text="Where to download it (this API, the same key).")

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, overview) -> str:
        calloff = self.context["calloff"]
        path = reverse("api_v1:calloff-readiness-network-overview", kwargs={"id": calloff.public_id})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class CriticalSystemSerializer(serializers.Serializer):
    """One critical system or service of the body."""

    name = serializers.CharField(max_length=SYSTEM_NAME_MAX)
    description = serializers.CharField(
        allow_blank=True, max_length=SYSTEM_DESCRIPTION_MAX, help_text="What depends on it (may be empty)."
    )
    protection = serializers.ChoiceField(
        choices=list(ProtectionNeed.choices),
        help_text="Protection need (Schutzbedarf) after BSI-Standard 200-2: normal, hoch or sehr_hoch.",
    )


class ReadinessProfileSerializer(serializers.Serializer):
    """The body's readiness profile, for the provider that accepted the call-off (need to know)."""

    drill = DrillFlagField(
        help_text="True when the call-off this profile was read for is a drill (Übung). A drill hands over the "
        "body's real profile (and network overview), as intended: it rehearses the real hand-over."
    )
    version = serializers.IntegerField(
        min_value=1, help_text="The profile's current version; each saved change adds one."
    )
    version_at_acceptance = serializers.IntegerField(
        allow_null=True,
        min_value=1,
        source="version_at",
        help_text="The version valid when the call-off was accepted (named in the order PDF); null if the "
        "body had no profile then.",
    )
    reviewed_at = WireDateTimeField(help_text="When the body last saved or reviewed the profile.")
    score = serializers.IntegerField(min_value=0, max_value=100, help_text="Completeness in percent.")
    missing = serializers.ListField(
        child=serializers.ChoiceField(choices=[(name, name) for name in ReadinessProfile.ENTRIES]),
        source="missing_fields",
        help_text="The entries not filled in yet.",
    )
    critical_systems = CriticalSystemSerializer(
        many=True,
        max_length=CRITICAL_SYSTEMS_MAX,
        help_text="The body's critical systems and services in its order, each with its protection need.",
    )
    critical_systems_protection = serializers.ChoiceField(
        choices=list(ProtectionNeed.choices),
        allow_blank=True,
        help_text="Derived: the highest protection need (Schutzbedarf, BSI IT-Grundschutz) of the critical "
        "systems (normal, hoch or sehr_hoch); empty when the body has listed none.",
    )
    backup_concept = serializers.CharField(allow_blank=True)
    last_restore_test = serializers.DateField(allow_null=True, help_text="Last successful restore test.")
    admin_contacts = serializers.CharField(
        allow_blank=True, help_text="Who has admin rights; how to reach them out of band."
    )
    remote_access = serializers.ChoiceField(
        choices=list(RemoteAccess.choices),
        allow_blank=True,
        help_text="How the body's network is reached from outside; empty: not stated.",
    )
    remote_access_mfa = serializers.BooleanField(allow_null=True, help_text="Remote access with MFA; null: not stated.")
    external_providers = serializers.CharField(allow_blank=True, help_text="External IT providers and their contracts.")
    insurance_insurer = serializers.CharField(allow_blank=True, help_text="The cyber insurer.")
    insurance_policy_number = serializers.CharField(allow_blank=True, help_text="The cyber insurance policy number.")
    insurance_hotline = serializers.CharField(allow_blank=True, help_text="Hotline of the cyber insurance.")
    dpo_contact = serializers.CharField(allow_blank=True, help_text="Data protection officer (name, phone).")
    management_contact = serializers.CharField(
        allow_blank=True, help_text="Mayor's or management's out-of-band contact."
    )
    network_overview = NetworkOverviewSerializer(
        allow_null=True,
        help_text="The network plan the body uploaded (download: `url`); null if it has not uploaded one.",
    )


class EventCreatedSerializer(WireModelSerializer):
    kind = serializers.CharField()
    drill = DrillFlagField()

    class Meta:
        model = CallOffEvent
        fields = ["at", "kind", "reason", "drill"]


class WebhookEndpointSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    url = serializers.URLField(max_length=500)
    description = serializers.CharField(max_length=200, allow_blank=True, required=False, default="")
    active = serializers.BooleanField(required=False, default=True)
    previous_secret_valid_until = WireDateTimeField(source="previous_valid_until", read_only=True, allow_null=True)
    created_at = WireDateTimeField(read_only=True)


class WebhookEndpointWithSecretSerializer(WebhookEndpointSerializer):
    secret = serializers.CharField(
        read_only=True, help_text="Standard Webhooks signing secret (whsec_…); returned only on create and rotation."
    )


class WebhookEndpointUpdateSerializer(serializers.Serializer):
    url = serializers.URLField(max_length=500, required=False)
    description = serializers.CharField(max_length=200, allow_blank=True, required=False)
    active = serializers.BooleanField(required=False)


# --- Input ------------------------------------------------------------------------------------


class AcceptInputSerializer(WireSerializer):
    """Its fields built once (FieldsBuiltOnce): validated on every accept (issue 19)."""

    lead_name = serializers.CharField(max_length=200)
    lead_phone = serializers.CharField(max_length=30)
    eta_remote = plausible.ApiPlannedDateTimeField(
        required=False, allow_null=True, help_text="Planned; between now and one year ahead."
    )
    eta_onsite = plausible.ApiPlannedDateTimeField(
        required=False, allow_null=True, help_text="Planned; between now and one year ahead."
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=4000, default="")


class DeclineInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=4000)


class UpdateInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=UPDATE_KIND_CHOICES)
    text = serializers.CharField(required=False, allow_blank=True, max_length=4000, default="")
    at = plausible.ApiPastDateTimeField(
        required=False,
        allow_null=True,
        help_text="When it happened (from 2000-01-01, at most 5 minutes ahead of the server's clock); default: now.",
    )


class TimeEntryInputSerializer(serializers.Serializer):
    date = plausible.ApiPastDateField(help_text="Not in the future, not before the call-off was filed.")
    hours = plausible.api_decimal_field(
        plausible.HOURS_PER_DAY,
        help_text="Above 0, at most 24; one person's entries of a day for this call-off add up to at most 24.",
    )
    person = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        default="",
        help_text="Who worked (name or initials). Without it, the role's entries of a day count as one person.",
    )
    role = serializers.CharField(max_length=100, help_text="A role name of the contract (see contract.roles).")
    service_module = serializers.CharField(
        max_length=20, required=False, allow_null=True, default=None, help_text="A service module code, optional."
    )
    description = serializers.CharField(max_length=4000)


class AttachmentInputSerializer(serializers.Serializer):
    file = serializers.FileField(allow_empty_file=False, use_url=False)
    kind = serializers.ChoiceField(choices=AttachmentKind.choices)


class CompleteInputSerializer(serializers.Serializer):
    summary = serializers.CharField(max_length=10000)
