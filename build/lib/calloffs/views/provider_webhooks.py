"""Provider staff manage their webhook endpoints in the portal (the same services as the API)."""

from __future__ import annotations

import uuid

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from notifications.models import WebhookEndpoint

from .. import permissions
from ..errors import CallOffError
from ..services.webhooks import webhook_endpoint_create, webhook_endpoint_rotate_secret, webhook_endpoint_update


class EndpointForm(forms.Form):
    url = forms.URLField(label=gettext_lazy("Webhook-URL (HTTPS)"), max_length=500, assume_scheme="https")
    description = forms.CharField(label=gettext_lazy("Beschreibung"), max_length=200, required=False)


def _provider_or_404(user):
    provider = permissions.provider_of(user)
    if provider is None:
        raise Http404
    return provider


@login_required
def webhooks(request):
    """List, add, rotate, (de)activate. A new secret is shown once, right after it was made."""
    provider = _provider_or_404(request.user)
    form = EndpointForm()
    shown_secret, status = None, 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "create":
                form = EndpointForm(request.POST)
                if form.is_valid():
                    endpoint = webhook_endpoint_create(provider=provider, actor=request.user, **form.cleaned_data)
                    shown_secret = (endpoint, endpoint.secret)
                    form = EndpointForm()
                else:
                    status = 400
            else:
                try:
                    endpoint_id = uuid.UUID(request.POST.get("endpoint", ""))
                except ValueError as exc:
                    raise Http404 from exc
                endpoint = get_object_or_404(WebhookEndpoint, provider=provider, public_id=endpoint_id)
                if action == "rotate":
                    endpoint = webhook_endpoint_rotate_secret(endpoint=endpoint, actor=request.user)
                    shown_secret = (endpoint, endpoint.secret)
                elif action in ("activate", "deactivate"):
                    webhook_endpoint_update(endpoint=endpoint, actor=request.user, active=action == "activate")
                else:
                    raise Http404
        except CallOffError as exc:
            form.add_error("url" if exc.field == "url" else None, exc.message)
            status = 400
    context = {
        "provider": provider,
        "endpoints": WebhookEndpoint.objects.filter(provider=provider).order_by("created_at"),
        "form": form,
        "shown_secret": shown_secret,
        "title": _("Webhooks"),
    }
    return render(request, "calloffs/provider_webhooks.html", context, status=status)
