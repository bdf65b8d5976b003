"""Read-only views of statements for support; changes go through the services (portal, API)."""

from django.contrib import admin

from digisos.admin_site import ReadOnlyAdmin

from .models import BillingTerms, Invoice, RateVersion, Statement, StatementItem, StatementLine


class ItemInline(admin.TabularInline):
    model = StatementItem
    extra = 0
    can_delete = False
    exclude = ["time_entry"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class LineInline(ItemInline):
    model = StatementLine
    exclude = ["item"]


@admin.register(Statement)
class StatementAdmin(ReadOnlyAdmin):
    list_display = ["number", "kind", "state", "provider", "period_start", "period_end", "gross_total"]
    list_filter = ["state", "kind"]
    search_fields = ["number"]
    inlines = [ItemInline, LineInline]


@admin.register(BillingTerms)
class BillingTermsAdmin(ReadOnlyAdmin):
    list_display = ["contract", "vat_percent", "travel_flat_rate", "payer", "ministry_leitweg_id"]


@admin.register(RateVersion)
class RateVersionAdmin(ReadOnlyAdmin):
    list_display = ["role", "valid_from", "hourly_rate"]


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyAdmin):
    list_display = ["number", "statement", "payer", "source", "gross_total", "issued_at", "sha256"]
    list_filter = ["source", "payer"]
    search_fields = ["number", "sha256"]
    exclude = ["xml"]
