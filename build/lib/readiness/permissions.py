"""The body's callers and administrators keep the profile; a read-only member reads it; nobody else
(the ministry included) sees its contents: the ministry sees aggregates only."""

from __future__ import annotations

from tenants.models import Role
from tenants.selectors import roles_of


def _active(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def can_read(user, organisation) -> bool:
    return _active(user) and organisation.pk in roles_of(user)


def can_edit(user, organisation) -> bool:
    return _active(user) and roles_of(user).get(organisation.pk) in (Role.CALLER, Role.ADMIN)
