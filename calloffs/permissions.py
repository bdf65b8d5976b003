"""Who may do what: plain predicates, used by services (which enforce them) and by views
(which only use them to show or hide buttons)."""

from __future__ import annotations

from django.db.models import Q

from tenants.models import Mandate, Membership, Organisation, Role

from .models import CallOff, Provider, ProviderMembership


def is_active_user(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def is_ministry(user) -> bool:
    return is_active_user(user) and bool(user.is_ministry_staff)


def can_file_for(user, organisation: Organisation) -> bool:
    """A caller or administrator of the body (Membership.can_call_off), or of a principal body
    (a Kreis, a municipal IT association) holding a mandate to file for it."""
    if not is_active_user(user):
        return False
    membership = Membership.objects.filter(user=user, organisation=organisation).first()
    if membership and membership.can_call_off:
        return True
    return mandate_for(user, organisation) is not None


def mandate_for(user, organisation: Organisation) -> Mandate | None:
    """The mandate in force under which this user's body may file for ``organisation``."""
    filing_roles = [Role.CALLER, Role.ADMIN]
    principals = Membership.objects.filter(user=user, role__in=filing_roles).values("organisation_id")
    return (
        Mandate.objects.in_force()
        .filter(member=organisation, may_file_calloffs=True, principal_id__in=principals)
        .select_related("principal")
        .first()
    )


def mandated_members(user):
    """The bodies this user may file for under a mandate of one of their bodies."""
    principals = Membership.objects.filter(user=user, role__in=[Role.CALLER, Role.ADMIN]).values("organisation_id")
    members = Mandate.objects.in_force().filter(may_file_calloffs=True, principal_id__in=principals).values("member_id")
    return Organisation.objects.filter(pk__in=members)


def can_act_for_body(user, calloff: CallOff) -> bool:
    """Close, confirm hours: a caller or administrator of the call-off's body."""
    return can_file_for(user, calloff.organisation)


def can_cancel(user, calloff: CallOff) -> bool:
    return is_ministry(user) or can_act_for_body(user, calloff)


def provider_of(user) -> Provider | None:
    """The provider this account acts for, if it has the provider role."""
    if not is_active_user(user):
        return None
    membership = ProviderMembership.objects.select_related("provider").filter(user=user).first()
    return membership.provider if membership else None


def is_staff_of(user, provider: Provider) -> bool:
    return (
        is_active_user(user)
        and provider is not None
        and ProviderMembership.objects.filter(user=user, provider=provider).exists()
    )


def fileable_organisations(user):
    """The bodies this user may file for: as caller/admin, or under a mandate of their body.
    Ministry staff (who file on behalf of any body) are handled by the caller."""
    own = Membership.objects.filter(user=user, role__in=[Role.CALLER, Role.ADMIN]).values("organisation_id")
    mandated = mandated_members(user).values("pk")
    return Organisation.objects.filter(Q(pk__in=own) | Q(pk__in=mandated)).order_by("name")


def can_file_any(user) -> bool:
    """Show the emergency button: ministry staff, or anyone who may file for at least one body."""
    return is_ministry(user) or (is_active_user(user) and fileable_organisations(user).exists())
