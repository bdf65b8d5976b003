"""Change of scope: the body (or the ministry) adjusts the services called off; the order is re-issued."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import selectors
from ..errors import CallOffError
from ..forms import module_quantity_field
from ..services.scope import SCOPE_STATES, calloff_change_scope
from .detail import _context as detail_context
from .detail import may_attempt


class ScopeForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Begründung der Änderung"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )

    def __init__(self, *args, modules, current, **kwargs):
        super().__init__(*args, **kwargs)
        self.modules = modules
        for module in modules:
            self.fields[f"module_{module.pk}"] = module_quantity_field(module, initial=current.get(module.pk))
        self.order_fields([*[f"module_{m.pk}" for m in modules], "reason"])

    def services(self):
        return [
            (m, self.cleaned_data[f"module_{m.pk}"]) for m in self.modules if self.cleaned_data.get(f"module_{m.pk}")
        ]


@login_required
def calloff_scope(request, public_id):
    calloff = selectors.calloff_for_user(user=request.user, public_id=public_id)
    if not may_attempt("scope", request.user, calloff):  # the body's callers/admins and the ministry
        messages.error(
            request, _("Den Leistungsumfang ändern können abrufberechtigte Personen der Stelle oder das Ministerium.")
        )
        return render(request, "calloffs/calloff_detail.html", detail_context(request, calloff), status=403)
    modules = list(calloff.contract.service_modules.order_by("position", "id"))
    current = {line.service_module_id: line.estimated_quantity for line in selectors.calloff_services(calloff)}
    form = ScopeForm(request.POST or None, modules=modules, current=current)
    status = 200
    if calloff.state not in SCOPE_STATES:
        messages.error(
            request, _("Der Leistungsumfang kann nur bei einem angenommenen oder laufenden Abruf geändert werden.")
        )
        return redirect("calloffs:detail", public_id=calloff.public_id)
    if request.method == "POST":
        if form.is_valid() and not form.services():
            form.add_error(None, _("Bitte mindestens eine Leistung mit Menge angeben."))
        if form.is_valid():
            try:
                calloff_change_scope(
                    calloff=calloff, actor=request.user, services=form.services(), reason=form.cleaned_data["reason"]
                )
            except CallOffError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(
                    request, _("Der Leistungsumfang wurde geändert; der Abrufauftrag wird neu ausgestellt.")
                )
                return redirect("calloffs:detail", public_id=calloff.public_id)
        status = 400
    return render(request, "calloffs/calloff_scope.html", {"calloff": calloff, "form": form}, status=status)
