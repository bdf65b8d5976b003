"""API keys of the providers, for ministry staff: issue (shown once), rotate, revoke.

Everyone else gets a 404. A new key is rendered in the response to the POST that created it
and never again (no redirect: the key is not stored anywhere it could be shown from).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from ..errors import CallOffError
from ..models import Provider, ProviderApiKey
from ..permissions import is_ministry
from ..services.api_keys import api_key_create, api_key_revoke, api_key_rotate


class ApiKeyCreateForm(forms.Form):
    provider = forms.ModelChoiceField(
        label=gettext_lazy("Dienstleister"), queryset=Provider.objects.order_by("short_name"), to_field_name="public_id"
    )
    name = forms.CharField(
        label=gettext_lazy("Bezeichnung"),
        max_length=100,
        required=False,
        help_text=gettext_lazy("Zum Wiedererkennen, z. B. „Ticketsystem Produktion“."),
    )


class ApiKeyActionForm(forms.Form):
    key = forms.UUIDField(widget=forms.HiddenInput)
    action = forms.ChoiceField(choices=[("revoke", "revoke"), ("rotate", "rotate")], widget=forms.HiddenInput)


@never_cache
@login_required
def api_keys(request):
    if not is_ministry(request.user):
        raise Http404
    form = ApiKeyCreateForm()
    new_key = None
    if request.method == "POST":
        if request.POST.get("action") in ("revoke", "rotate"):
            action_form = ApiKeyActionForm(request.POST)
            if not action_form.is_valid():
                raise Http404
            key = get_object_or_404(ProviderApiKey, public_id=action_form.cleaned_data["key"])
            try:
                if action_form.cleaned_data["action"] == "revoke":
                    api_key_revoke(key=key, actor=request.user)
                    messages.success(request, _("Der Schlüssel %(prefix)s ist widerrufen.") % {"prefix": key.prefix})
                    return redirect("calloffs:api_keys")
                new_key = api_key_rotate(key=key, actor=request.user)
            except CallOffError as exc:
                messages.error(request, exc.message)
                return redirect("calloffs:api_keys")
        else:
            form = ApiKeyCreateForm(request.POST)
            if form.is_valid():
                try:
                    new_key = api_key_create(
                        provider=form.cleaned_data["provider"], actor=request.user, name=form.cleaned_data["name"]
                    )
                    form = ApiKeyCreateForm()
                except CallOffError as exc:
                    form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    keys = ProviderApiKey.objects.select_related("provider", "created_by", "replaced_by").order_by(
        "provider__short_name", "-created_at"
    )
    return render(request, "calloffs/api_keys.html", {"form": form, "keys": keys, "new_key": new_key})
