"""Portal pages of measures and the reconnection gate: the incident's measures with the gate (body,
provider, ministry), one measure with the steps the user may take, the provider's form for a further
measure. Views read and call services; the services decide (NotPermitted → 403, other refusals → the
form's German error, status 400, input kept)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST

from calloffs.contract.views.common import form_error_from, ministry_only
from calloffs.models import CallOff, FrameworkContract
from calloffs.permissions import is_ministry
from calloffs.visibility import engaged_calloffs
from incidents.selectors import incident_for_user
from tenants.models import Membership
from tenants.selectors import roles_of

from ..errors import CallOffError, NotPermitted
from ..views import _calloff_for_write
from . import forms, selectors, services, wording
from .models import OPEN_STATES, MeasureState, OwnerKind


def measures_url(incident) -> str:
    return reverse("aftercare:measures", kwargs={"public_id": incident.public_id})


def _sees_people(user, organisation_id: int) -> bool:
    """The body's members and the ministry see who at the body is responsible; the provider does not."""
    return is_ministry(user) or organisation_id in roles_of(user)


def _list_context(request, incident, *, gate_form=None, close_form=None) -> dict:
    user = request.user
    measures = list(selectors.incident_measures(user, incident))
    gate = selectors.gate_state(incident)
    visible = {m.pk for m in measures}
    sees_people = _sees_people(user, incident.organisation_id)
    return {
        "incident": incident,
        "measures": measures,
        "today": timezone.localdate(),
        "sees_people": sees_people,
        "gate": gate,
        "gate_waiting": wording.gate_waiting(gate),
        "gate_ready": wording.gate_ready(gate),
        "gate_periods": selectors.gate_periods(gate.history, names=sees_people),
        "blocking_visible": [m for m in gate.blocking if m.pk in visible],
        "blocking_hidden": len([m for m in gate.blocking if m.pk not in visible]),
        "may_open_gate": not gate.opened and services.may_keep_gate(user, incident),
        "may_close_gate": gate.opened and services.may_keep_gate(user, incident),
        "gate_form": gate_form or forms.GateForm(),
        "close_form": close_form or forms.GateCloseForm(),
        "writable": list(
            engaged_calloffs(user).filter(incident_id=incident.pk).order_by("number").values("public_id", "number")
        ),
        # The ministry sets the contract's remediation terms (days to the due date by severity).
        "contracts": list(
            FrameworkContract.objects.filter(
                pk__in=CallOff.objects.filter(incident_id=incident.pk).values("contract_id")
            ).order_by("reference")
        )
        if is_ministry(user)
        else [],
    }


@login_required
def incident_measures(request, public_id):
    incident = incident_for_user(user=request.user, public_id=public_id)
    return render(request, "aftercare/measures.html", _list_context(request, incident))


@login_required
@require_POST
def gate_open(request, public_id):
    incident = incident_for_user(user=request.user, public_id=public_id)
    form = forms.GateForm(request.POST)
    if form.is_valid():
        try:
            services.gate_open(incident=incident, actor=request.user, note=form.cleaned_data["note"])
        except NotPermitted as exc:
            raise PermissionDenied(exc.message) from exc
        except CallOffError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Der Wiederanschluss ist freigegeben und protokolliert."))
            return redirect(measures_url(incident))
    context = _list_context(request, incident, gate_form=form)
    return render(request, "aftercare/measures.html", context, status=400)


@login_required
@require_POST
def gate_close(request, public_id):
    """A body admin or the ministry closes the opened gate again, with a reason (outsiders: 404)."""
    incident = incident_for_user(user=request.user, public_id=public_id)
    if not services.may_keep_gate(request.user, incident):
        raise PermissionDenied
    form = forms.GateCloseForm(request.POST)
    if form.is_valid():
        try:
            services.gate_close(incident=incident, actor=request.user, reason=form.cleaned_data["reason"])
        except NotPermitted as exc:
            raise PermissionDenied(exc.message) from exc
        except CallOffError as exc:
            form.add_error("reason" if exc.field == "reason" else None, exc.message)
        else:
            messages.success(request, _("Der Wiederanschluss ist wieder gesperrt; die Sperre ist protokolliert."))
            return redirect(measures_url(incident))
    context = _list_context(request, incident, close_form=form)
    return render(request, "aftercare/measures.html", context, status=400)


# --- One measure --------------------------------------------------------------------------------


def _members(measure):
    return [
        m.user
        for m in Membership.objects.filter(organisation_id=measure.organisation_id, user__is_active=True)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user__email")
    ]


def _available(user, measure) -> set[str]:
    """The steps ``user`` may take on the measure now (the services decide again)."""
    admin = services.is_body_admin(user, measure.organisation_id)
    engaged = services.is_engaged(user, measure.calloff_id)
    works = services.may_work_on(user, measure)
    steps = set()
    if admin and measure.state in OPEN_STATES:
        steps.add("assign")
    if works and measure.state == MeasureState.OPEN:
        steps.add("start")
    if works and measure.state in OPEN_STATES:
        steps.add("done")
    if admin and measure.state in (*OPEN_STATES, MeasureState.DONE):
        steps.add("risk")
    if measure.state == MeasureState.DONE and services.may_verify(user, measure):
        steps.add("verify")
    if engaged:
        steps.add("required")
    return steps


STEPS = ("assign", "start", "done", "risk", "verify", "required")


def _form(step: str, measure, data=None):
    initial_owner = forms.PROVIDER_CHOICE if measure.owner_kind == "provider" else (str(measure.owner_id or "") or None)
    return {
        "assign": lambda: forms.AssignForm(
            data, members=_members(measure), initial={"owner": initial_owner}, prefix="assign"
        ),
        "start": lambda: None,
        "done": lambda: forms.DoneForm(data, prefix="done", checked_by_body=measure.checked_by_body),
        "risk": lambda: forms.RiskForm(data, prefix="risk"),
        "verify": lambda: forms.VerifyForm(data, prefix="verify"),
        "required": lambda: forms.RequiredForm(
            data, initial={"required_for_reconnection": measure.required_for_reconnection}, prefix="required"
        ),
    }[step]()


def _apply(step: str, form, measure, actor):
    if step == "assign":
        owner_kind, owner = form.owner_kind_and_user()
        return services.measure_assign(measure=measure, actor=actor, owner_kind=owner_kind, owner=owner)
    if step == "start":
        return services.measure_start(measure=measure, actor=actor)
    if step == "done":
        return services.measure_done(measure=measure, actor=actor, note=form.cleaned_data["note"])
    if step == "risk":
        return services.measure_accept_risk(measure=measure, actor=actor, reason=form.cleaned_data["reason"])
    if step == "verify":
        if form.cleaned_data["result"] == "verified":
            return services.measure_verify(measure=measure, actor=actor, note=form.cleaned_data["note"])
        return services.measure_send_back(measure=measure, actor=actor, reason=form.cleaned_data["note"])
    return services.measure_update(
        measure=measure, actor=actor, required_for_reconnection=form.cleaned_data["required_for_reconnection"]
    )


DONE_MESSAGES = {
    "assign": gettext_lazy("Die Zuständigkeit ist gespeichert."),
    "start": gettext_lazy("Die Maßnahme ist in Arbeit."),
    "done": gettext_lazy(
        "Die Maßnahme ist als umgesetzt gemeldet; der beauftragte Dienstleister wird um Prüfung gebeten."
    ),
    # A measure the provider carried out is checked by a body admin (the second check is the other party's).
    "done_by_provider": gettext_lazy(
        "Die Maßnahme ist als umgesetzt gemeldet; die Administration der Stelle wird um Prüfung gebeten."
    ),
    "risk": gettext_lazy("Das Risiko ist akzeptiert und protokolliert."),
    "verify": gettext_lazy("Das Ergebnis der Prüfung ist gespeichert."),
    "required": gettext_lazy("Die Maßnahme ist gespeichert."),
}


@login_required
def measure_page(request, public_id):
    measure = get_object_or_404(
        selectors.measures_visible_to(request.user).select_related(
            "finding", "calloff", "calloff__provider", "incident", "organisation", "owner", "verified_by"
        ),
        public_id=public_id,
    )
    steps = _available(request.user, measure)
    bound, status = None, 200
    if request.method == "POST":
        step = request.POST.get("step")
        if step not in STEPS:
            status = 400
            messages.error(request, _("Unbekannter Schritt."))
        elif step not in steps:
            raise PermissionDenied
        else:
            form = _form(step, measure, request.POST)
            if form is None or form.is_valid():
                try:
                    _apply(step, form, measure, request.user)
                except NotPermitted as exc:
                    raise PermissionDenied(exc.message) from exc
                except CallOffError as exc:
                    if form is None:
                        messages.error(request, exc.message)
                    else:
                        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
                else:
                    done_by_provider = step == "done" and measure.owner_kind == OwnerKind.PROVIDER
                    messages.success(request, DONE_MESSAGES["done_by_provider" if done_by_provider else step])
                    return redirect("aftercare:measure", public_id=measure.public_id)
            bound, status = (step, form), 400
    step_forms = {step: _form(step, measure) for step in steps}
    if bound is not None:
        step_forms[bound[0]] = bound[1]
    return render(
        request,
        "aftercare/measure.html",
        {
            "measure": measure,
            "incident": measure.incident,
            "forms": step_forms,
            "steps": steps,
            "today": timezone.localdate(),
            "sees_people": _sees_people(request.user, measure.organisation_id),
            "back": measures_url(measure.incident),
        },
        status=status,
    )


@login_required
def measure_new(request, calloff_id):
    calloff = _calloff_for_write(request.user, calloff_id)
    form = forms.MeasureForm(request.POST or None, calloff=calloff)
    back = measures_url(calloff.incident)
    if request.method == "POST" and form.is_valid():
        try:
            services.measure_create(calloff=calloff, actor=request.user, **form.cleaned_data)
        except CallOffError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Die Maßnahme ist gespeichert."))
            return redirect(back)
    return render(
        request,
        "aftercare/form.html",
        {"form": form, "title": _("Maßnahme erfassen"), "calloff": calloff, "back": back},
        status=400 if request.method == "POST" else 200,
    )


def incident_link(user, incident):
    """The incident page's link to the measures, with the count still to do and the gate's state."""
    from incidents.extensions import IncidentLink

    measures = selectors.incident_measures(user, incident)
    to_do = sum(1 for m in measures if m.state not in (MeasureState.VERIFIED, MeasureState.ACCEPTED_RISK))
    gate = selectors.gate_state(incident)
    if gate.opened:
        gate_note = _("Wiederanschluss freigegeben")
    elif gate.blocking:
        gate_note = _("Wiederanschluss gesperrt")
    else:
        gate_note = _("Wiederanschluss möglich, noch nicht freigegeben")
    return [
        IncidentLink(
            label=_("Nachbereitung: Maßnahmen und Wiederanschluss"),
            url=measures_url(incident),
            note=", ".join((ngettext("{n} Maßnahme offen", "{n} Maßnahmen offen", to_do).format(n=to_do), gate_note)),
        )
    ]


@ministry_only
@require_http_methods(["GET", "POST"])
def contract_terms(request, public_id):
    """The ministry's remediation terms of a contract: days to the due date by severity, reminder lead time."""
    contract = get_object_or_404(FrameworkContract, public_id=public_id)
    terms = services.terms_for(contract.pk)
    form = forms.TermsForm(request.POST or None, instance=terms)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            fields = {name: form.cleaned_data[name] for name in forms.TermsForm.Meta.fields}
            try:
                services.remediation_terms_save(contract=contract, actor=request.user, **fields)
            except CallOffError as exc:
                form_error_from(form, exc)
            else:
                messages.success(request, _("Die Fristen für Maßnahmen sind gespeichert."))
                return redirect("aftercare:contract_terms", public_id=contract.public_id)
        status = 400
    return render(
        request,
        "aftercare/terms.html",
        {"form": form, "contract": contract, "title": _("Fristen für Maßnahmen"), "back": reverse("aftercare:matches")},
        status=status,
    )
