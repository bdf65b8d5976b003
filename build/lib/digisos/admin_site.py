"""The Django admin is a tool for ministry staff only, behind the portal's own login.

Its login goes through allauth (password, second factor, rate limits) instead of the admin's
plain form; only active ministry staff with the staff flag get in.
"""

from allauth.account.decorators import secure_admin_login
from django.contrib import admin


def ministry_only(request) -> bool:
    user = request.user
    return bool(user.is_active and user.is_staff and getattr(user, "is_ministry_staff", False))


def configure() -> None:
    admin.site.login = secure_admin_login(admin.site.login)
    admin.site.has_permission = ministry_only
    admin.site.site_header = "Digi-SOS – Verwaltung"
    admin.site.site_title = "Digi-SOS"


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shown, never written: the rows change only through the apps' audited services (the portal's pages)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
