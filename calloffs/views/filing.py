"""Filing the emergency call-off (Notfall-Abruf) in the browser, by a body or for a body that phoned in."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from incidents.selectors import reporting_clocks
from tenants.models import Organisation
from tenants.selectors import first_emergency_contact

from .. import permissions, selectors
from ..contract_terms import terms
from ..errors import CallOffError
from ..forms import CallOffFilingForm
from ..services import calloff_file


def _fileable_organisations(user):
    """Bodies this user may file for: as caller/admin; ministry staff for any body (on behalf)."""
    if user.is_ministry_staff:
        return Organisation.objects.order_by("name"), True
    return permissions.fileable_organisations_list(user), False


def _initial(organisation: Organisation | None, token: str) -> dict:
    initial = {"client_token": token}
    if organisation is not None:
        initial["organisation"] = str(organisation.public_id)
        initial["place_of_performance"] = organisation.address
        contact = first_emergency_contact(organisation)
        if contact is not None:
            initial["callback_phone"] = contact.mobile
            initial["callback_email"] = contact.email
    return initial


def pick_organisation(organisations: list[Organisation], public_id: str) -> Organisation | None:
    """The organisation of ``organisations`` with this public id (a string from the form), or None."""
    try:
        value = uuid.UUID(str(public_id))
    except ValueError:
        return None
    return next((o for o in organisations if o.public_id == value), None)


def file_from_form(request, form, *, organisation: Organisation, contract, success: str, **fields):
    """File the call-off from a valid filing form (the emergency form or the drill form) as the request's user:
    the fields both forms share come from ``form``, the rest from ``fields``. Filed: the message ``success``
    (with ``%(number)s``) and the redirect to the call-off's page. Refused by the service (CallOffError): the
    error on the form's field it names, else on the whole form, and None (the view shows the form again)."""
    data = form.cleaned_data
    try:
        calloff = calloff_file(
            organisation=organisation,
            actor=request.user,
            client_token=data["client_token"],
            category=data["category"],
            situation=data["situation"],
            callback_phone=data["callback_phone"],
            callback_email=data["callback_email"],
            services=form.services(),
            contract=contract,
            **fields,
        )
    except CallOffError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return None
    messages.success(request, success % {"number": calloff.number})
    return redirect("calloffs:detail", public_id=calloff.public_id)


@login_required
def calloff_create(request):
    organisations, on_behalf = _fileable_organisations(request.user)
    # Read once: the form's choices, the pick and the checks below all use this list.
    organisations = list(organisations)
    contract = selectors.active_contract()
    if not on_behalf and not organisations:
        ranked, others = selectors.hotline_providers(contract)
        return render(request, "calloffs/calloff_not_allowed.html", {"hotlines": ranked + others}, status=403)
    modules = list(terms().of(contract.pk).modules) if contract else []
    chosen = None
    chosen_id = request.POST.get("organisation") or request.GET.get("stelle")
    if chosen_id:
        chosen = pick_organisation(organisations, chosen_id)
    elif not on_behalf and len(organisations) == 1:
        chosen = organisations[0]
    form_kwargs = {"organisations": organisations, "modules": modules, "on_behalf": on_behalf}
    if request.method == "POST":
        form = CallOffFilingForm(request.POST, **form_kwargs)
        if form.is_valid() and chosen is not None:
            data = form.cleaned_data
            filed = file_from_form(
                request,
                form,
                organisation=chosen,
                contract=contract,
                success=_("Ihr Abruf %(number)s ist eingegangen. Wir informieren den Dienstleister."),
                operations_halted=data["operations_halted"],
                priority=None if data["operations_halted"] else (data.get("priority") or None),
                detected_at=form.awareness(),
                affected=data["affected"],
                place_of_performance=data["place_of_performance"],
                on_behalf=on_behalf,
                phoned_in_by=data.get("phoned_in_by", ""),
                verification_note=data.get("verification_note", ""),
            )
            if filed is not None:
                return filed
        elif chosen is None and form.is_valid():
            form.add_error("organisation", _("Bitte eine Stelle wählen."))
    else:
        form = CallOffFilingForm(initial=_initial(chosen, CallOffFilingForm.new_token()), **form_kwargs)
    entitled = contract is not None and (chosen is None or contract.is_entitled(chosen))
    hotlines, other_hotlines = selectors.hotline_providers(contract, chosen.regierungsbezirk if chosen else "")
    context = {
        "form": form,
        "contract": contract,
        "chosen": chosen,
        "on_behalf": on_behalf,
        "hotlines": hotlines,
        "other_hotlines": other_hotlines,
        "default_module": form.default_module,
        "clocks": reporting_clocks(timezone.now()),
        "entitled": entitled,
    }
    return render(request, "calloffs/calloff_form.html", context, status=400 if form.errors else 200)
