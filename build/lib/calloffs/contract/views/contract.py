"""The framework contract: overview of all contracts, create, page (terms, ceiling, ranking), edit,
entitled bodies."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from ... import selectors
from ...errors import CallOffError
from ...models import FrameworkContract
from .. import selectors as sc
from .. import services
from ..forms import ContractForm, EntitledBodiesForm
from .common import form_error_from, ministry_only, status_for


@ministry_only
def contract_create(request):
    form = ContractForm(request.POST or None, instance=FrameworkContract())
    if request.method == "POST" and form.is_valid():
        try:
            contract = services.contract_create(actor=request.user, **form.contract_fields())
        except (ValidationError, CallOffError) as exc:
            form_error_from(form, exc)
        else:
            messages.success(
                request,
                _(
                    "Der Rahmenvertrag %(reference)s wurde angelegt. Legen Sie nun Leistungsmodule, Stundensätze, "
                    "SLA-Vorgaben und die Rangfolge fest."
                )
                % {"reference": contract.reference},
            )
            return redirect("calloffs:contract_detail", public_id=contract.public_id)
    context = {"form": form, "contract": None}
    return render(request, "calloffs/contract/contract_form.html", context, status=status_for(form))


@ministry_only
def contract_detail(request, public_id):
    contract = sc.contract_for_ministry(user=request.user, public_id=public_id)
    version = selectors.ranking_current(contract)
    entitled_count, entitled_preview = (
        (0, []) if contract.all_bodies_entitled else sc.contract_entitled_preview(contract)
    )
    context = {
        "contract": contract,
        "in_force": contract.is_in_force(),
        "ceiling": sc.contract_ceiling(contract),
        "flagged": sc.contract_flagged_calloffs(contract)[:50],
        "modules": sc.contract_modules(contract),
        "roles": sc.contract_roles(contract),
        "sla_rows": sc.contract_sla_rows(contract),
        "version": version,
        "ranking_lists": sc.ranking_lists(version),
        "entitled_count": entitled_count,
        "entitled_preview": entitled_preview,
    }
    return render(request, "calloffs/contract/contract_detail.html", context)


@ministry_only
def contract_edit(request, public_id):
    contract = sc.contract_for_ministry(user=request.user, public_id=public_id)
    # The form works on its own copy, so the page keeps showing the stored reference on errors.
    form = ContractForm(request.POST or None, instance=FrameworkContract.objects.get(pk=contract.pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.contract_update(contract=contract, actor=request.user, **form.contract_fields())
        except (ValidationError, CallOffError) as exc:
            form_error_from(form, exc)
        else:
            messages.success(request, _("Der Rahmenvertrag wurde gespeichert."))
            return redirect("calloffs:contract_detail", public_id=contract.public_id)
    context = {"form": form, "contract": contract}
    return render(request, "calloffs/contract/contract_form.html", context, status=status_for(form))


@ministry_only
def contract_entitled(request, public_id):
    contract = sc.contract_for_ministry(user=request.user, public_id=public_id)
    if request.method == "POST":
        form = EntitledBodiesForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.contract_set_entitled_bodies(
                    contract=contract,
                    actor=request.user,
                    all_bodies_entitled=data["all_bodies_entitled"],
                    bodies=data["bodies"],
                )
            except (ValidationError, CallOffError) as exc:
                form_error_from(form, exc)
            else:
                messages.success(request, _("Die berechtigten Stellen wurden gespeichert."))
                return redirect("calloffs:contract_detail", public_id=contract.public_id)
    else:
        form = EntitledBodiesForm(
            initial={
                "all_bodies_entitled": "yes" if contract.all_bodies_entitled else "no",
                "bodies": list(contract.entitled_bodies.values_list("pk", flat=True)),
            }
        )
    context = {"form": form, "contract": contract}
    return render(request, "calloffs/contract/entitled_form.html", context, status=status_for(form))
