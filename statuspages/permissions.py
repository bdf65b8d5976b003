"""Who may publish a body's status page: its callers and administrators, the staff (caller or
administrator) of a principal body holding a mandate in force for it (a Kreis or a shared municipal
IT provider that serves it), and ministry staff. Read-only members and providers may not."""

from __future__ import annotations

from django.db.models import Q

from tenants.models import Mandate, Organisation, Role
from tenants.selectors import roles_of

PUBLISHING_ROLES = (Role.CALLER, Role.ADMIN)


def _active(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def acting_bodies(user) -> list[int]:
    """Ids of the bodies where this account is a caller or administrator."""
    return [pk for pk, role in roles_of(user).items() if role in PUBLISHING_ROLES]


def mandate_for(user, organisation: Organisation) -> Mandate | None:
    """The mandate in force under which one of this account's bodies serves ``organisation``."""
    principals = acting_bodies(user)
    if not principals:
        return None
    return (
        Mandate.objects.in_force()
        .filter(member=organisation, principal_id__in=principals)
        .select_related("principal")
        .first()
    )


def can_publish(user, organisation: Organisation) -> bool:
    if not _active(user):
        return False
    if user.is_ministry_staff or roles_of(user).get(organisation.pk) in PUBLISHING_ROLES:
        return True
    return mandate_for(user, organisation) is not None


def on_behalf_of(user, organisation: Organisation) -> str:
    """How the account acts for the body, for the audit log: "", "ministry" or "mandate:<principal>"."""
    if roles_of(user).get(organisation.pk) in PUBLISHING_ROLES:
        return ""
    if user.is_ministry_staff:
        return "ministry"
    mandate = mandate_for(user, organisation)
    return f"mandate:{mandate.principal.name}" if mandate else ""


def publishable_organisations(user):
    """The bodies this account may publish for (ministry staff: every body)."""
    if not _active(user):
        return Organisation.objects.none()
    if user.is_ministry_staff:
        return Organisation.objects.all()
    own = acting_bodies(user)
    served = Mandate.objects.in_force().filter(principal_id__in=own).values("member_id")
    return Organisation.objects.filter(Q(pk__in=own) | Q(pk__in=served))
