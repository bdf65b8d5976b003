"""Reads of the outbox, scoped to what the user may see.

Ministry staff read every notification. The administration of a body reads the messages to its
own people (audience "body") about its own matters: its call-offs, its incidents' reminders, the
invitations to its members. Anyone else reads nothing, and a notification they may not see is a 404.
Account mails (password reset, security notices) belong to no body and are the ministry's to read.
"""

from __future__ import annotations

import uuid

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from tenants.models import Role
from tenants.selectors import roles_of

from .models import Audience, Notification


def is_ministry(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.is_ministry_staff)


def administered_bodies(user) -> list[int]:
    """Ids of the bodies this account administers."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    return [organisation_id for organisation_id, role in roles_of(user).items() if role == Role.ADMIN]


def can_read_delivery_log(user) -> bool:
    return is_ministry(user) or bool(administered_bodies(user))


def visible_notifications(user) -> QuerySet[Notification]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Notification.objects.none()
    if user.is_ministry_staff:
        return Notification.objects.all()
    bodies = administered_bodies(user)
    if not bodies:
        return Notification.objects.none()
    return Notification.objects.filter(audience=Audience.BODY, organisation_id__in=bodies)


def delivery_log(*, user) -> QuerySet[Notification]:
    """The outbox with its attempts, newest first, as far as ``user`` may see it. Search and
    filters: ``notifications.filters.DeliveryFilterSet``."""
    return (
        visible_notifications(user)
        .select_related("endpoint", "organisation")
        .prefetch_related("attempt_log", "endpoint__owner")
        .order_by("-created_at", "-id")
    )


def notification_for_user(*, user, public_id) -> Notification:
    """One notification with its attempts if ``user`` may read it; Http404 otherwise (no existence leak)."""
    try:
        value = uuid.UUID(str(public_id))
    except ValueError:
        raise Http404 from None
    return get_object_or_404(delivery_log(user=user), public_id=value)


def notification_for_ministry(*, user, public_id) -> Notification:
    try:
        value = uuid.UUID(str(public_id))
    except ValueError:
        raise Http404 from None
    if not is_ministry(user):
        raise Http404
    return get_object_or_404(Notification, public_id=value)
