"""Permissions of the provider API, declared per action; an action without a declaration is
refused loudly (after grafana/oncall's ``rbac_permissions`` + ``RBACPermission``)."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured
from rest_framework.permissions import SAFE_METHODS, BasePermission

from ..models import ProviderApiKey

#: READ: the action changes nothing and answers only safe methods (GET, HEAD); WRITE: it changes
#: state (through a service) and answers only POST, PUT, PATCH or DELETE. A label that does not fit the
#: request's method is a programming error and refused loudly, so the labels stay true.
READ, WRITE = "read", "write"


class ProviderApiPermission(BasePermission):
    """A valid provider key acting through its provider's account, and an action that the
    view declared in ``action_permissions`` ({action: READ | WRITE})."""

    def has_permission(self, request, view) -> bool:
        key = request.auth
        if not isinstance(key, ProviderApiKey):
            return False
        declared = getattr(view, "action_permissions", None)
        action = getattr(view, "action", None) or request.method.lower()
        if declared is None or action not in declared:
            raise ImproperlyConfigured(f"{type(view).__name__}.{action} declares no API permission")
        required = declared[action]
        if isinstance(required, dict):
            # HEAD is answered by the GET handler (DRF), so it carries GET's label.
            required = required.get("GET" if request.method == "HEAD" else request.method)
        if required not in (READ, WRITE):
            raise ImproperlyConfigured(f"{type(view).__name__}.{action} declares no permission for {request.method}")
        if (required == READ) != (request.method in SAFE_METHODS):
            raise ImproperlyConfigured(
                f"{type(view).__name__}.{action} is labelled {required} but answers {request.method}"
            )
        # The account's ProviderMembership is checked where it matters, in the queryset
        # (CallOff.objects.visible_to) and in every service (require_provider_staff).
        return key.account_id == request.user.pk
