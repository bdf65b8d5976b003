"""Who may do what: plain predicates, used by services (which enforce them) and by views
(which only use them to show or hide buttons)."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q

from digisos.compiled_query import CompiledPages, CompiledQuery
from digisos.request_cache import memoize
from tenants.models import Mandate, Organisation, Role
from tenants.selectors import memberships_with_bodies, roles_known, roles_of

from .models import CallOff, Provider, ProviderMembership

FILING_ROLES = (Role.CALLER, Role.ADMIN)


def is_active_user(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def is_ministry(user) -> bool:
    return is_active_user(user) and bool(user.is_ministry_staff)


def can_file_for(user, organisation: Organisation) -> bool:
    """A caller or administrator of the body (Membership.can_call_off), or of a principal body
    (a Kreis, a municipal IT association) holding a mandate to file for it."""
    if not is_active_user(user):
        return False
    if roles_of(user).get(organisation.pk) in FILING_ROLES:  # Membership.can_call_off
        return True
    return mandate_for(user, organisation) is not None


def mandate_for(user, organisation: Organisation) -> Mandate | None:
    """The mandate in force under which this user's body may file for ``organisation``."""
    principals = filing_bodies(user)
    if not principals:
        return None
    return (
        Mandate.objects.in_force()
        .filter(member=organisation, may_file_calloffs=True, principal_id__in=principals)
        .select_related("principal")
        .first()
    )


def mandated_members(user):
    """The bodies this user may file for under a mandate of one of their bodies."""
    principals = filing_bodies(user)
    members = Mandate.objects.in_force().filter(may_file_calloffs=True, principal_id__in=principals).values("member_id")
    return Organisation.objects.filter(pk__in=members)


def filing_bodies(user) -> list[int]:
    """Ids of the bodies where this account is a caller or administrator."""
    return [pk for pk, role in roles_of(user).items() if role in FILING_ROLES]


#: provider_ids_of's statement, compiled once per connection (digisos/compiled_query.py): every portal page
#: asks it (the navigation), and building the queryset cost more CPU than running it (issue 19).
_PROVIDER_IDS = CompiledPages(size=4)
_PROVIDER_IDS_SAMPLE = -719_000_302


def _read_provider_ids(user_id: int) -> list[int]:
    compiled = _PROVIDER_IDS.get("ids") or _PROVIDER_IDS.compile(
        "ids",
        ProviderMembership.objects.filter(user_id=_PROVIDER_IDS_SAMPLE).order_by("pk").values("provider_id"),
        slot_value=_PROVIDER_IDS_SAMPLE,
    )
    if compiled is None:  # not expected: the statement has the user's id as its one parameter
        ids = ProviderMembership.objects.filter(user_id=user_id).order_by("pk").values_list("provider_id", flat=True)
        return list(ids)
    return [row["provider_id"] for row in CompiledPages.rows(compiled, slot_value=user_id)]


def provider_ids_of(user) -> list[int]:
    """Ids of the providers this account is staff of (read once per request)."""
    if not getattr(user, "pk", None):
        return []
    return memoize(("provider_ids_of", user.pk), lambda: _read_provider_ids(user.pk))


def can_act_for_body(user, calloff: CallOff) -> bool:
    """Close, confirm hours: a caller or administrator of the call-off's body."""
    return can_file_for(user, calloff.organisation)


def can_cancel(user, calloff: CallOff) -> bool:
    return is_ministry(user) or can_act_for_body(user, calloff)


def provider_of(user) -> Provider | None:
    """The provider this account acts for, if it has the provider role."""
    if not is_active_user(user):
        return None
    ids = provider_ids_of(user)
    if not ids:
        return None
    return memoize(("provider_of", user.pk), lambda: Provider.objects.filter(pk=ids[0]).first())


def is_staff_of(user, provider: Provider) -> bool:
    return is_active_user(user) and provider is not None and provider.pk in provider_ids_of(user)


def fileable_organisations(user):
    """The bodies this user may file for: as caller/admin, or under a mandate of their body.
    Ministry staff (who file on behalf of any body) are handled by the caller."""
    own = filing_bodies(user)
    mandated = mandated_members(user).values("pk")
    return Organisation.objects.filter(Q(pk__in=own) | Q(pk__in=mandated)).order_by("name")


def fileable_organisations_list(user) -> list[Organisation]:
    """fileable_organisations(user), read: the bodies where the account is a caller or administrator
    come with its memberships (one statement, which also answers roles_of for the rest of the request);
    only if one of those bodies holds a mandate to file for others is the full query asked as well."""
    if not getattr(user, "pk", None):
        return []
    memberships = _MEMBERSHIPS.all(user_id=user.pk)
    roles_known(user, memberships)
    own = [m for m in memberships if m.role in FILING_ROLES]
    if any(m.files_for_others for m in own):
        return list(fileable_organisations(user))
    return [m.organisation for m in own]


def _memberships(user_id):
    # Any mandate to file, in force or not: the flag only sends the view to the full query, which asks.
    mandates = Mandate.objects.filter(principal_id=OuterRef("organisation_id"), may_file_calloffs=True)
    return memberships_with_bodies(user_id, files_for_others=Exists(mandates))


#: The account's memberships with their bodies, compiled once per database connection (issue 19).
_MEMBERSHIPS = CompiledQuery(_memberships, many=True, user_id=-419_021)


def can_file_any(user) -> bool:
    """Show the emergency button: ministry staff, or anyone who may file for at least one body."""
    return is_ministry(user) or (is_active_user(user) and fileable_organisations(user).exists())
