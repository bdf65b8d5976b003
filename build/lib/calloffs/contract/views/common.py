"""Helpers shared by the contract administration views."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import Http404

from ...errors import CallOffError
from ...permissions import is_ministry


def ministry_only(view):
    """Sign-in required; for anyone but ministry staff the page does not exist (404, not 403)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_ministry(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return login_required(wrapper)


def form_error_from(form, exc: Exception) -> None:
    """Put a service's error into the form: per field where the form has that field, else on top.

    ``ValidationError`` comes from ``full_clean`` (German messages per model field);
    ``CallOffError`` from the services' own rules (with an optional field name).
    """
    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            for name, errors in exc.error_dict.items():
                target = name if name != NON_FIELD_ERRORS and name in form.fields else None
                for error in errors:
                    form.add_error(target, error)
        else:
            form.add_error(None, exc.messages)
        return
    if isinstance(exc, CallOffError):
        target = exc.field if exc.field in form.fields else None
        form.add_error(target, exc.message)
        return
    raise exc  # pragma: no cover - only the two kinds above are expected


def status_for(form) -> int:
    """400 when a submitted form is shown again with errors, 200 otherwise."""
    return 400 if form is not None and form.is_bound and form.errors else 200
