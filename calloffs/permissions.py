"""Who may do what: plain predicates, used by services (which enforce them) and by views
(which only use them to show or hide buttons)."""

from __future__ import annotations

from tenants.models import Membership, Organisation

from .models import CallOff, Provider, ProviderMembership


def is_active_user(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def is_ministry(user) -> bool:
    return is_active_user(user) and bool(user.is_ministry_staff)


def can_file_for(user, organisation: Organisation) -> bool:
    """A caller or administrator of the body (Membership.can_call_off)."""
    if not is_active_user(user):
        return False
    membership = Membership.objects.filter(user=user, organisation=organisation).first()
    return bool(membership and membership.can_call_off)


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
