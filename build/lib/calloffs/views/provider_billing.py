"""A provider's staff see and maintain their own billing data (the seller on their invoices). Only the
provider's own page: any other provider's id, a body's or the ministry's account is a 404 (the ministry
edits providers in the contract administration)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ..billing_forms import ProviderBillingForm
from ..errors import CallOffError
from ..models import SELF_SERVICE_FIELDS, Provider
from ..permissions import provider_ids_of
from ..services.billing_data import provider_billing_update


def _own_provider_or_404(user, public_id) -> Provider:
    provider = Provider.objects.filter(public_id=public_id, pk__in=provider_ids_of(user)).first()
    if provider is None or not user.is_active:
        raise Http404
    return provider


@login_required
@require_http_methods(["GET", "POST"])
def billing_data(request, public_id):
    provider = _own_provider_or_404(request.user, public_id)
    # The form works on a copy: the service re-reads the locked row and diffs against it.
    form = ProviderBillingForm(request.POST or None, instance=Provider.objects.get(pk=provider.pk))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                provider_billing_update(
                    provider=provider,
                    actor=request.user,
                    **{name: form.cleaned_data[name] for name in SELF_SERVICE_FIELDS},
                )
            except CallOffError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(
                    request,
                    _(
                        "Ihre Rechnungsdaten sind gespeichert. Sie gelten für Rechnungen, die ab jetzt ausgestellt "
                        "werden; bereits ausgestellte Rechnungen bleiben unverändert."
                    ),
                )
                return redirect("calloffs:provider_billing_data", public_id=provider.public_id)
        status = 400
    context = {"provider": provider, "form": form, "gaps": provider.billing_gaps(), "title": _("Rechnungsdaten")}
    return render(request, "calloffs/provider_billing.html", context, status=status)
