"""Reads for tenants, always scoped to the requesting user."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from digisos.compiled_query import CompiledPages, CompiledQuery
from digisos.request_cache import memoize, prime

from .models import EmergencyContact, Membership, Organisation, Role

#: roles_of's statement, compiled once per connection (digisos/compiled_query.py): every portal page asks
#: it (the navigation, the scopes), and building the queryset cost more CPU than running it (issue 19).
_ROLES = CompiledPages(size=4)
_ROLES_SAMPLE = -719_000_301


def _read_roles(user_id: int) -> dict[int, str]:
    compiled = _ROLES.get("roles") or _ROLES.compile(
        "roles",
        Membership.objects.filter(user_id=_ROLES_SAMPLE).values("organisation_id", "role"),
        slot_value=_ROLES_SAMPLE,
    )
    if compiled is None:  # not expected: the statement has the user's id as its one parameter
        return dict(Membership.objects.filter(user_id=user_id).values_list("organisation_id", "role"))
    return {row["organisation_id"]: row["role"] for row in CompiledPages.rows(compiled, slot_value=user_id)}


def roles_of(user) -> dict[int, str]:
    """Organisation id → this account's role there (all its memberships); read once per request."""
    if not getattr(user, "pk", None):
        return {}
    return memoize(("roles_of", user.pk), lambda: _read_roles(user.pk))


def memberships_with_bodies(user_id: int, **annotations) -> QuerySet[Membership]:
    """The account's memberships with their bodies (select_related, by the body's name), each with
    ``annotations``: read with the roles, the bodies need no statement of their own. A view that reads
    them hands the rows to ``roles_known`` (roles_of asks no more)."""
    return (
        Membership.objects.filter(user_id=user_id)
        .select_related("organisation")
        .annotate(**annotations)
        .order_by("organisation__name", "organisation_id")
    )


def roles_known(user, memberships: list[Membership]) -> None:
    """What roles_of(user) answers for the rest of this request, from all of the account's memberships
    (read with memberships_with_bodies)."""
    prime(("roles_of", user.pk), {m.organisation_id: m.role for m in memberships})


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


#: The body's first emergency contact (the filing form's call-back defaults), compiled once per
#: connection: the form page reads it on every GET (issue 19).
_FIRST_CONTACT = CompiledQuery(
    lambda organisation: EmergencyContact.objects.filter(organisation_id=organisation).order_by("position", "id"),
    organisation=-719_000_192,
)


def first_emergency_contact(organisation: Organisation) -> EmergencyContact | None:
    """``organisation.emergency_contacts.order_by("position", "id").first()``."""
    contact = _FIRST_CONTACT.first(organisation=organisation.pk)
    if contact is not None:
        EmergencyContact.organisation.field.set_cached_value(contact, organisation)
    return contact
