"""Providers: list with load against capacity, create, page (contacts, staff accounts), edit."""

from __future__ import annotations

import re

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tenants import services as tenant_services

from ...errors import CallOffError
from ...models import Provider, ProviderContact
from .. import selectors as sc
from .. import services
from ..forms import ProviderContactForm, ProviderForm, ProviderStaffForm
from .common import form_error_from, ministry_only, status_for


@ministry_only
def contract_provider_list(request):
    return render(request, "calloffs/contract/provider_list.html", {"rows": sc.provider_rows(user=request.user)})


def _provider_form_page(request, *, provider: Provider, created: bool):
    form = ProviderForm(request.POST or None, instance=provider)
    if request.method == "POST" and form.is_valid():
        try:
            provider = services.provider_save(provider=form.instance, actor=request.user)
        except (ValidationError, CallOffError) as exc:
            form_error_from(form, exc)
        else:
            messages.success(
                request,
                _("Der Dienstleister wurde angelegt.") if created else _("Der Dienstleister wurde gespeichert."),
            )
            return redirect("calloffs:contract_provider_detail", public_id=provider.public_id)
    stored = None if created else Provider.objects.get(pk=provider.pk)
    context = {"form": form, "provider": stored}
    return render(request, "calloffs/contract/provider_form.html", context, status=status_for(form))


@ministry_only
def contract_provider_create(request):
    return _provider_form_page(request, provider=Provider(), created=True)


@ministry_only
def contract_provider_edit(request, public_id):
    provider = sc.provider_for_ministry(user=request.user, public_id=public_id)
    return _provider_form_page(request, provider=provider, created=False)


def _provider_page(request, provider: Provider, *, staff_form=None, status: int = 200):
    context = {
        "provider": provider,
        "load": sc.provider_load_of(provider),
        "contacts": sc.provider_contacts(provider),
        "staff": sc.provider_staff(provider),
        "staff_form": staff_form or ProviderStaffForm(),
        "ranks": sc.provider_current_ranks(provider),
        "billing_changes": sc.provider_billing_changes(provider),
        # The newest change of the bank details (by the provider or the ministry), a warning sign.
        "last_bank_change": next(iter(sc.provider_bank_changes(provider, limit=1)), None),
    }
    return render(request, "calloffs/contract/provider_detail.html", context, status=status)


@ministry_only
def contract_provider_detail(request, public_id):
    provider = sc.provider_for_ministry(user=request.user, public_id=public_id)
    return _provider_page(request, provider)


@ministry_only
def contract_provider_contact_edit(request, public_id, contact_id=None):
    provider = sc.provider_for_ministry(user=request.user, public_id=public_id)
    if contact_id is None:
        contact = ProviderContact(provider=provider)
    else:
        contact = get_object_or_404(ProviderContact, provider=provider, public_id=contact_id)
    form = ProviderContactForm(request.POST or None, instance=contact)
    if request.method == "POST" and form.is_valid():
        try:
            services.provider_contact_save(contact=form.instance, actor=request.user)
        except (ValidationError, CallOffError) as exc:
            form_error_from(form, exc)
        else:
            messages.success(request, _("Die Ansprechperson wurde gespeichert."))
            return redirect("calloffs:contract_provider_detail", public_id=provider.public_id)
    context = {"form": form, "provider": provider, "contact": contact if contact_id else None}
    return render(request, "calloffs/contract/provider_contact_form.html", context, status=status_for(form))


@ministry_only
@require_POST
def contract_provider_staff_add(request, public_id):
    """Attach an existing account to the provider, or invite the address to become its staff."""
    provider = sc.provider_for_ministry(user=request.user, public_id=public_id)
    form = ProviderStaffForm(request.POST)
    if form.is_valid():
        user = get_user_model().objects.filter(email__iexact=form.cleaned_data["email"]).first()
        if user is None:
            # No account yet: invite; the provider role is granted when the invitation is accepted.
            tenant_services.invitation_create(
                actor=request.user, email=form.cleaned_data["email"], grant=("provider", str(provider.public_id))
            )
            messages.success(
                request,
                _("Die Einladung an %(email)s wurde gesendet; mit der Annahme handelt das Konto für %(provider)s.")
                % {"email": form.cleaned_data["email"], "provider": provider.short_name},
            )
            return redirect("calloffs:contract_provider_detail", public_id=provider.public_id)
        else:
            try:
                services.provider_membership_add(provider=provider, user=user, actor=request.user)
            except (ValidationError, CallOffError) as exc:
                form_error_from(form, exc)
            else:
                messages.success(
                    request,
                    _("Das Konto %(email)s handelt jetzt für %(provider)s.")
                    % {"email": user.email, "provider": provider.short_name},
                )
                return redirect("calloffs:contract_provider_detail", public_id=provider.public_id)
    return _provider_page(request, provider, staff_form=form, status=400)


@ministry_only
@require_POST
def contract_provider_staff_remove(request, public_id):
    provider = sc.provider_for_ministry(user=request.user, public_id=public_id)
    membership_id = request.POST.get("membership", "")
    membership = (
        provider.memberships.select_related("user").filter(pk=int(membership_id)).first()
        if re.fullmatch(r"[0-9]{1,18}", membership_id)
        else None
    )
    if membership is None:
        messages.error(request, _("Dieses Konto gehört nicht (mehr) zu diesem Dienstleister."))
        return redirect("calloffs:contract_provider_detail", public_id=provider.public_id)
    email = membership.user.email
    try:
        services.provider_membership_remove(membership=membership, actor=request.user)
    except CallOffError as exc:  # pragma: no cover - the decorator already admits ministry staff only
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("Das Konto %(email)s handelt nicht mehr für diesen Dienstleister.") % {"email": email}
        )
    return redirect("calloffs:contract_provider_detail", public_id=provider.public_id)
