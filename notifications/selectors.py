"""Reads of the outbox, scoped to what the user may see.

Ministry staff read every notification; a member of a body reads the messages to its own people
(audience "body") about its own matters. Anyone else reads nothing, and a notification they may not
see is a 404.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from tenants.models import Organisation

from .models import Audience, Notification


def is_ministry(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.is_ministry_staff)


def visible_notifications(user) -> QuerySet[Notification]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Notification.objects.none()
    if user.is_ministry_staff:
        return Notification.objects.all()
    return Notification.objects.filter(
        audience=Audience.BODY, organisation__in=Organisation.objects.visible_to(user).values("pk")
    )


def delivery_log(*, user, filters: dict[str, Any] | None = None) -> QuerySet[Notification]:
    """The outbox with its attempts, newest first, as far as ``user`` may see it.

    filters: state, channel, audience, q (reference such as a call-off number, or recipient; contains)."""
    filters = {k: v for k, v in (filters or {}).items() if v not in (None, "")}
    qs = (
        visible_notifications(user)
        .select_related("endpoint", "organisation")
        .prefetch_related("attempt_log", "endpoint__owner")
    )
    for key in ("state", "channel", "audience"):
        if key in filters:
            qs = qs.filter(**{key: filters[key]})
    if "q" in filters:
        qs = qs.filter(Q(reference__icontains=filters["q"]) | Q(recipient__icontains=filters["q"]))
    return qs.order_by("-created_at", "-id")


def notification_for_ministry(*, user, public_id) -> Notification:
    try:
        value = uuid.UUID(str(public_id))
    except ValueError:
        raise Http404 from None
    if not is_ministry(user):
        raise Http404
    return get_object_or_404(Notification, public_id=value)
