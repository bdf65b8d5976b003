"""The fixed terms of a contract: service modules with prices, roles with hourly rates, SLA terms
per priority. One form page each, for a new entry or an existing one."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ...errors import CallOffError
from ...models import Priority, RoleRate, ServiceModule, SLATerm
from .. import selectors as sc
from .. import services
from ..forms import RoleRateForm, ServiceModuleForm, SLATermForm
from .common import form_error_from, ministry_only, status_for


def _edit(request, *, contract, form, save, title, intro="", success):
    """The common form page: validate, save through the service, keep the input on errors."""
    if request.method == "POST" and form.is_valid():
        try:
            save(form.instance)
        except (ValidationError, CallOffError) as exc:
            form_error_from(form, exc)
        else:
            messages.success(request, success)
            return redirect("calloffs:contract_detail", public_id=contract.public_id)
    context = {"form": form, "contract": contract, "title": title, "intro": intro}
    return render(request, "calloffs/contract/term_form.html", context, status=status_for(form))


@ministry_only
def contract_module_edit(request, public_id, module_id=None):
    contract = sc.contract_for_ministry(user=request.user, public_id=public_id)
    if module_id is None:
        module, title = ServiceModule(contract=contract), gettext_lazy("Leistungsmodul hinzufügen")
    else:
        module = get_object_or_404(ServiceModule, contract=contract, public_id=module_id)
        title = _("Leistungsmodul %(code)s bearbeiten") % {"code": module.code}
    return _edit(
        request,
        contract=contract,
        form=ServiceModuleForm(request.POST or None, instance=module),
        save=lambda instance: services.service_module_save(module=instance, actor=request.user),
        title=title,
        intro=_("Abrufe behalten den Preis, mit dem sie gestellt wurden."),
        success=_("Das Leistungsmodul wurde gespeichert."),
    )


@ministry_only
def contract_role_edit(request, public_id, role_id=None):
    contract = sc.contract_for_ministry(user=request.user, public_id=public_id)
    if role_id is None:
        role, title = RoleRate(contract=contract), gettext_lazy("Stundensatz hinzufügen")
    else:
        role = get_object_or_404(RoleRate, contract=contract, public_id=role_id)
        title = _("Stundensatz „%(name)s“ bearbeiten") % {"name": role.name}
    return _edit(
        request,
        contract=contract,
        form=RoleRateForm(request.POST or None, instance=role),
        save=lambda instance: services.role_rate_save(role_rate=instance, actor=request.user),
        title=title,
        success=_("Der Stundensatz wurde gespeichert."),
    )


@ministry_only
def contract_sla_edit(request, public_id, priority):
    contract = sc.contract_for_ministry(user=request.user, public_id=public_id)
    if priority not in Priority.values:
        raise Http404
    term = SLATerm.objects.filter(contract=contract, priority=priority).first() or SLATerm(
        contract=contract, priority=priority
    )
    return _edit(
        request,
        contract=contract,
        form=SLATermForm(request.POST or None, instance=term),
        save=lambda instance: services.sla_term_save(sla_term=instance, actor=request.user),
        title=_("SLA-Vorgaben für %(priority)s") % {"priority": Priority(priority).label},
        intro=_("Die Fristen gelten für Angebote und Annahmen ab jetzt; laufende Fristen behalten ihre Fälligkeit."),
        success=_("Die SLA-Vorgaben wurden gespeichert."),
    )
