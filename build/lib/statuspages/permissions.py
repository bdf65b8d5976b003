"""Who may publish a body's status page: its callers and administrators; the staff (caller or
administrator) of a principal body holding a mandate in force for it that lets it act in the body's
name; and ministry staff under such a mandate given to a ministry. Read-only members and providers
may not.

The mandate's scope: ``Mandate`` has one scope flag, ``may_file_calloffs`` ("Darf Abrufe im Auftrag
stellen", to act in the member's name towards the providers). Publishing a body's status page speaks
in the body's name to its residents, so it takes that flag too: a mandate without it (a principal that
only *serves* the body, e.g. a Kreis reading its municipalities' situation) gives no right to publish.

The ministry: the issue says "the ministry can publish for a body under a mandate". Ministry staff see
every body, but speaking for a body to its residents is the body's decision, so they publish only
where the body has given a mandate in force (with the flag above) to an organisation of kind
``Ministerium``; without it they may read, not publish (403)."""

from __future__ import annotations

from django.db.models import Q

from tenants.models import Mandate, Organisation, OrganisationKind, Role
from tenants.selectors import roles_of

PUBLISHING_ROLES = (Role.CALLER, Role.ADMIN)


def _active(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def acting_bodies(user) -> list[int]:
    """Ids of the bodies where this account is a caller or administrator."""
    return [pk for pk, role in roles_of(user).items() if role in PUBLISHING_ROLES]


def _publishing_mandates(user):
    """Mandates in force, with the scope to act in the member's name, under which this account acts."""
    principals = Q(principal_id__in=acting_bodies(user))
    if user.is_ministry_staff:
        principals |= Q(principal__kind=OrganisationKind.MINISTERIUM)
    return Mandate.objects.in_force().filter(principals, may_file_calloffs=True)


def mandate_for(user, organisation: Organisation) -> Mandate | None:
    """The mandate in force under which this account may publish for ``organisation``."""
    if not _active(user):
        return None
    return _publishing_mandates(user).filter(member=organisation).select_related("principal").first()


def can_publish(user, organisation: Organisation) -> bool:
    if not _active(user):
        return False
    if roles_of(user).get(organisation.pk) in PUBLISHING_ROLES:
        return True
    return mandate_for(user, organisation) is not None


def on_behalf_of(user, organisation: Organisation) -> str:
    """How the account acts for the body, for the audit log: "", "ministry" or "mandate:<principal>"."""
    if roles_of(user).get(organisation.pk) in PUBLISHING_ROLES:
        return ""
    mandate = mandate_for(user, organisation)
    if mandate is None:
        return ""
    if mandate.principal_id in acting_bodies(user):
        return f"mandate:{mandate.principal.name}"
    return "ministry"


def publishable_organisations(user):
    """The bodies this account may publish for: its own, and those it serves under a mandate."""
    if not _active(user):
        return Organisation.objects.none()
    served = _publishing_mandates(user).values("member_id")
    return Organisation.objects.filter(Q(pk__in=acting_bodies(user)) | Q(pk__in=served))
