"""Read-only views of the outbox (changes go through the portal's services: replay in the delivery log)."""

from django.contrib import admin

from digisos.admin_site import ReadOnlyAdmin

from .models import Notification, WebhookEndpoint


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "channel", "event_type", "reference", "state", "attempts", "delivered_at"]
    list_filter = ["channel", "state"]


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(ReadOnlyAdmin):
    list_display = ["owner", "url", "active", "created_at"]
    exclude = ["secret", "previous_secret"]
