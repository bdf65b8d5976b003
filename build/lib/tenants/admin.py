from allauth.mfa.models import Authenticator
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from digisos.admin_site import ReadOnlyAdmin, ReadOnlyInline

from . import services
from .models import AuditEntry, EmergencyContact, Invitation, Mandate, Membership, Organisation, User


class EmergencyContactInline(ReadOnlyInline):
    """Read only: the body's emergency contacts page writes them (tenants.services, audited)."""

    model = EmergencyContact


@admin.register(Organisation)
class OrganisationAdmin(ReadOnlyAdmin):
    """Read only: eligibility decides who may call off, so it changes only on the ministry's bodies page
    (services.organisation_set_eligibility, audited); the registry itself comes from import_bodies."""

    list_display = ["name", "kind", "ags", "regierungsbezirk", "population", "eligible_from", "eligible_until"]
    list_filter = ["kind", "regierungsbezirk"]
    search_fields = ["name", "ags", "official_name"]
    raw_id_fields = ["parent"]
    inlines = [EmergencyContactInline]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    """Accounts come from invitations (audited), never from the admin; here only names change and a
    password is reset. Rights (active, ministry staff, admin access) are shown, not edited: making
    someone ministry staff unseen would bypass the invitation and the audit log."""

    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_ministry_staff", "is_active"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Person", {"fields": ["first_name", "last_name"]}),
        ("Rechte", {"fields": ["is_active", "is_ministry_staff", "is_staff", "is_superuser"]}),
    ]
    readonly_fields = ["email", "is_active", "is_ministry_staff", "is_staff", "is_superuser"]
    actions = None

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    """Read only: roles change on the body's members page (tenants.services, audited; the last
    administrator is protected there)."""

    list_display = ["user", "organisation", "role"]
    list_filter = ["role"]
    raw_id_fields = ["user", "organisation"]


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdmin):
    """Read only: invitations are made, accepted and expire through tenants.services (audited)."""

    list_display = ["email", "organisation", "role", "as_ministry_staff", "expires_at", "accepted_at"]
    exclude = ["token_hash"]
    raw_id_fields = ["organisation", "invited_by", "accepted_by"]


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read only: entries are written by tenants.audit alone. An entry added here once took the
    next sequence number and every audited write failed after it (docs/SECURITY.md)."""

    list_display = ["sequence", "at", "action", "actor_label", "organisation_label", "target", "key_id"]
    list_filter = ["action"]
    search_fields = ["target", "actor_label"]
    readonly_fields = [f.name for f in AuditEntry._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Mandate)
class MandateAdmin(admin.ModelAdmin):
    """Mandates are kept here, but every write goes through tenants.services (ministry staff only,
    validated, audited). Those services run their own durable transaction, so the admin's views are
    not wrapped in one (Django's changeform_view/delete_view would be); the bulk delete is off."""

    list_display = ["principal", "member", "may_file_calloffs", "valid_from", "valid_until"]
    raw_id_fields = ["principal", "member"]
    actions = None

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        return self._changeform_view(request, object_id, form_url, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        return self._delete_view(request, object_id, extra_context)

    def save_model(self, request, obj, form, change):
        services.mandate_save(mandate=obj, actor=request.user)

    def delete_model(self, request, obj):
        services.mandate_delete(mandate=obj, actor=request.user)


# allauth's own admin shows an authenticator's ``data``: the TOTP secret and the seed of the
# recovery codes. Support staff see that a factor exists and when it was used, never the secret.
admin.site.unregister(Authenticator)


@admin.register(Authenticator)
class AuthenticatorAdmin(admin.ModelAdmin):
    list_display = ["user", "type", "created_at", "last_used_at"]
    list_filter = ["type"]
    search_fields = ["user__email"]
    fields = ["user", "type", "created_at", "last_used_at"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).defer("data")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
