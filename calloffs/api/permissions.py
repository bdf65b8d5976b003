"""Permissions of the provider API, declared per action; an action without a declaration is
refused loudly (after grafana/oncall's ``rbac_permissions`` + ``RBACPermission``)."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured
from rest_framework.permissions import BasePermission

from ..models import ProviderApiKey

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
            required = required.get(request.method)
        if required not in (READ, WRITE):
            raise ImproperlyConfigured(f"{type(view).__name__}.{action} declares no permission for {request.method}")
        # The account's ProviderMembership is checked where it matters, in the queryset
        # (CallOff.objects.visible_to) and in every service (require_provider_staff).
        return key.account_id == request.user.pk
