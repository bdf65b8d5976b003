"""Reads for tenants, always scoped to the requesting user."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from digisos.request_cache import memoize, prime

from .models import Membership, Organisation, Role


def roles_of(user) -> dict[int, str]:
    """Organisation id → this account's role there (all its memberships); read once per request."""
    if not getattr(user, "pk", None):
        return {}
    return memoize(
        ("roles_of", user.pk),
        lambda: dict(Membership.objects.filter(user_id=user.pk).values_list("organisation_id", "role")),
    )


def memberships_with_bodies(user, **annotations) -> list[Membership]:
    """The account's memberships with their bodies (select_related, by the body's name), in one
    statement; ``annotations`` are added to each. What roles_of reads is kept for the rest of the
    request from the same rows: roles_of asks no more (a view that needs the bodies anyway reads them
    and the roles in one statement, not two)."""
    if not getattr(user, "pk", None):
        return []
    memberships = list(
        Membership.objects.filter(user_id=user.pk)
        .select_related("organisation")
        .annotate(**annotations)
        .order_by("organisation__name", "organisation_id")
    )
    prime(("roles_of", user.pk), {m.organisation_id: m.role for m in memberships})
    return memberships


def organisation_visible(user, organisation_id: int) -> bool:
    """Whether ``Organisation.objects.visible_to(user)`` holds this body, answered from the
    account's memberships (read once per request) instead of a query; ministry staff see every
    body that exists. Keep in step with OrganisationQuerySet.visible_to."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_ministry_staff:
        return Organisation.objects.filter(pk=organisation_id).exists()
    return organisation_id in roles_of(user)


def organisation_for_user(*, user, public_id) -> Organisation:
    """The body, if this user may see it; 404 otherwise (never 403: no existence leak)."""
    return get_object_or_404(Organisation.objects.visible_to(user).select_related("parent"), public_id=public_id)


def organisation_list(*, user) -> QuerySet[Organisation]:
    """The bodies this user may see, by name. Search and filters: ``filters.OrganisationListFilterSet``."""
    return Organisation.objects.visible_to(user).select_related("parent").order_by("name")


def organisation_count(*, user) -> int:
    """How many bodies this user may see."""
    return Organisation.objects.visible_to(user).count()


def membership_of(*, user, organisation: Organisation) -> Membership | None:
    return Membership.objects.filter(user=user, organisation=organisation).first()


def is_body_admin(*, user, organisation: Organisation) -> bool:
    return user.is_ministry_staff or roles_of(user).get(organisation.pk) == Role.ADMIN


def active_member_emails(*, organisation_id: int, roles) -> list[str]:
    """E-mail addresses of the active members of a body with one of ``roles`` (e.g. its callers and
    admins, who confirm statements), sorted."""
    return list(
        Membership.objects.filter(organisation_id=organisation_id, role__in=list(roles), user__is_active=True)
        .order_by("user__email")
        .values_list("user__email", flat=True)
    )
