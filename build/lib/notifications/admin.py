"""Read-only views of the outbox (changes go through the portal's services: replay in the delivery log)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from digisos.admin_site import ReadOnlyAdmin

from .models import Notification, WebhookEndpoint


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "channel", "event_type", "reference", "state", "attempts", "delivered_at"]
    list_filter = ["channel", "state"]
    exclude = ["body"]
    readonly_fields = ["text"]

    @admin.display(description=_("Text"))
    def text(self, obj: Notification) -> str:
        # A confidential text (reset link, login code) is shown to nobody, not even while it waits.
        return _("(vertraulich)") if obj.confidential else obj.body


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(ReadOnlyAdmin):
    list_display = ["owner", "url", "active", "created_at"]
    exclude = ["secret", "previous_secret"]
