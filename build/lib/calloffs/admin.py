"""Django admin for support staff. Everything is read-only here: states change only through the
services (STYLE.md §2), so call-offs, offers, events and published rankings can be looked at but not
edited; the contract, its terms and the providers are maintained on the portal's contract pages
(/abrufe/vertrag/, calloffs.contract.services), which check the rules and write the audit trail."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from digisos.admin_site import ReadOnlyAdmin, ReadOnlyInline

from .errors import CallOffError
from .models import (
    CallOff,
    CallOffEvent,
    CallOffNumberSequence,
    CallOffService,
    FrameworkContract,
    MinistryAlert,
    Offer,
    Provider,
    ProviderContact,
    ProviderMembership,
    ProviderRank,
    RankingVersion,
    RoleRate,
    ServiceModule,
    SLATerm,
    TimeEntry,
)
from .services import ministry_alert_acknowledge


class ServiceModuleInline(ReadOnlyInline):
    model = ServiceModule
    fields = ["position", "code", "name", "unit", "price"]
    readonly_fields = fields


class RoleRateInline(ReadOnlyInline):
    model = RoleRate
    fields = ["name", "hourly_rate"]
    readonly_fields = fields


class SLATermInline(ReadOnlyInline):
    model = SLATerm
    fields = ["priority", "accept_minutes", "callback_minutes", "remote_start_minutes", "onsite_minutes"]
    readonly_fields = fields


@admin.register(FrameworkContract)
class FrameworkContractAdmin(ReadOnlyAdmin):
    list_display = ["reference", "title", "status", "start_date", "end_date", "ceiling"]
    list_filter = ["status"]
    search_fields = ["reference", "title"]
    inlines = [ServiceModuleInline, RoleRateInline, SLATermInline]
    readonly_fields = ["public_id", "created_at", "updated_at"]


class ProviderContactInline(ReadOnlyInline):
    model = ProviderContact
    fields = ["position", "name", "role", "phone", "email"]
    readonly_fields = fields


class ProviderMembershipInline(ReadOnlyInline):
    model = ProviderMembership
    fields = ["user", "created_at"]
    readonly_fields = fields


@admin.register(Provider)
class ProviderAdmin(ReadOnlyAdmin):
    list_display = ["short_name", "legal_name", "hotline", "capacity", "active"]
    list_filter = ["active"]
    search_fields = ["legal_name", "short_name", "email"]
    inlines = [ProviderContactInline, ProviderMembershipInline]
    readonly_fields = ["public_id", "created_at", "updated_at"]


class ProviderRankInline(ReadOnlyInline):
    model = ProviderRank
    fields = ["rank", "provider", "service_module", "regierungsbezirk"]
    readonly_fields = fields
    ordering = ["service_module", "regierungsbezirk", "rank"]


@admin.register(RankingVersion)
class RankingVersionAdmin(ReadOnlyAdmin):
    """Published rankings are immutable; publish a new version through the ministry's pages."""

    list_display = ["contract", "number", "created_at", "created_by", "reason"]
    list_filter = ["contract"]
    inlines = [ProviderRankInline]


class CallOffServiceInline(ReadOnlyInline):
    model = CallOffService
    fields = ["service_module", "estimated_quantity", "unit_price", "value"]
    readonly_fields = fields


class OfferInline(ReadOnlyInline):
    model = Offer
    fields = ["sequence", "provider", "rank", "state", "offered_at", "respond_by", "responded_at", "decline_reason"]
    readonly_fields = fields


class CallOffEventInline(ReadOnlyInline):
    model = CallOffEvent
    fields = ["at", "kind", "actor", "provider", "old_state", "new_state", "reason"]
    readonly_fields = fields


class TimeEntryInline(ReadOnlyInline):
    model = TimeEntry
    fields = ["date", "role", "hours", "value", "description", "confirmed_at"]
    readonly_fields = fields


@admin.register(CallOff)
class CallOffAdmin(ReadOnlyAdmin):
    list_display = ["number", "organisation", "priority", "state", "provider", "submitted_at", "exceeds_ceiling"]
    list_filter = ["state", "priority", "exceeds_ceiling", "contract", "organisation__regierungsbezirk"]
    search_fields = ["number", "organisation__name", "public_id"]
    list_select_related = ["organisation", "provider"]
    date_hierarchy = "submitted_at"
    inlines = [CallOffServiceInline, OfferInline, TimeEntryInline, CallOffEventInline]
    # Everything, and in particular ``state``, is read-only: transitions go through services.
    readonly_fields = [f.name for f in CallOff._meta.fields if f.name != "id"]


@admin.register(CallOffEvent)
class CallOffEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "calloff", "kind", "actor", "provider", "old_state", "new_state"]
    list_filter = ["kind"]
    search_fields = ["calloff__number"]
    list_select_related = ["calloff", "actor", "provider"]


@admin.register(TimeEntry)
class TimeEntryAdmin(ReadOnlyAdmin):
    list_display = ["calloff", "provider", "date", "role", "hours", "value", "confirmed_at"]
    list_filter = ["provider"]
    search_fields = ["calloff__number"]
    list_select_related = ["calloff", "provider", "role"]


@admin.register(CallOffNumberSequence)
class CallOffNumberSequenceAdmin(ReadOnlyAdmin):
    list_display = ["year", "last_value"]


@admin.register(MinistryAlert)
class MinistryAlertAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "kind", "calloff", "message", "acknowledged_at", "acknowledged_by"]
    list_filter = ["kind", ("acknowledged_at", admin.EmptyFieldListFilter)]
    list_select_related = ["calloff", "acknowledged_by"]
    actions = ["acknowledge"]

    @admin.action(description=_("Zur Kenntnis nehmen"))
    def acknowledge(self, request, queryset):
        done = 0
        for alert in queryset:
            try:
                ministry_alert_acknowledge(alert=alert, actor=request.user)
            except CallOffError as exc:
                self.message_user(request, exc.message, messages.ERROR)
                return
            done += 1
        self.message_user(
            request,
            ngettext("%(n)d Meldung zur Kenntnis genommen.", "%(n)d Meldungen zur Kenntnis genommen.", done)
            % {"n": done},
        )


# --- Read-only views of the machinery (changes go through the portal's services) -----------------
from .models import (  # noqa: E402
    CallOffDocument,
    ProviderApiKey,
    SLABreach,
)


@admin.register(CallOffDocument)
class CallOffDocumentAdmin(ReadOnlyAdmin):
    list_display = ["calloff", "incident", "kind", "version", "state", "rendered_at"]
    list_filter = ["kind", "state"]


@admin.register(SLABreach)
class SLABreachAdmin(ReadOnlyAdmin):
    list_display = ["calloff", "milestone", "due_at", "detected_at", "late_by"]


@admin.register(ProviderApiKey)
class ProviderApiKeyAdmin(ReadOnlyAdmin):
    list_display = ["provider", "prefix", "name", "created_at", "last_used_at", "revoked_at"]
    exclude = ["hash"]
