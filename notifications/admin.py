"""Read-only views of the outbox (changes go through the portal's services: replay in the delivery log)."""

from django.contrib import admin

from .models import Notification, WebhookEndpoint


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "channel", "event_type", "reference", "state", "attempts", "delivered_at"]
    list_filter = ["channel", "state"]


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(ReadOnlyAdmin):
    list_display = ["owner", "url", "active", "created_at"]
    exclude = ["secret", "previous_secret"]
