"""Portal pages: the findings and indicators of an incident (the body and the ministry read, the
accepting provider writes). Views only read and call services; the services decide."""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from calloffs.models import CallOff
from calloffs.permissions import FILING_ROLES, is_ministry
from calloffs.visibility import engaged_calloffs
from incidents.extensions import IncidentLink
from incidents.selectors import incident_for_user
from tenants.selectors import roles_of

from . import selectors, services
from .errors import CallOffError
from .evidence.selectors import evidence_by_finding
from .forms import FindingForm, IndicatorCreateForm, IndicatorTlpForm, IndicatorUpdateForm
from .models import SEVERITY_ORDER


def incident_link(user, incident) -> list[IncidentLink]:
    """The incident page's link to this app's page (for everyone who sees the incident)."""
    findings = selectors.incident_findings(user, incident).count()
    indicators = selectors.incident_indicators(user, incident).count()
    return [
        IncidentLink(
            label=_("Nachbereitung: Befunde und Indikatoren"),
            url=reverse("aftercare:incident", kwargs={"public_id": incident.public_id}),
            note=", ".join(
                (
                    ngettext("{n} Befund", "{n} Befunde", findings).format(n=findings),
                    ngettext("{n} Indikator", "{n} Indikatoren", indicators).format(n=indicators),
                )
            ),
        )
    ]


def _apply(form, exc: CallOffError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


@login_required
def incident_page(request, public_id):
    incident = incident_for_user(user=request.user, public_id=public_id)
    findings = sorted(
        selectors.incident_findings(request.user, incident),
        key=lambda f: (not f.root_cause, SEVERITY_ORDER.index(f.severity), f.created_at),
    )
    writable = list(
        engaged_calloffs(request.user)
        .filter(incident_id=incident.pk)
        .order_by("number")
        .values("pk", "public_id", "number")
    )
    writable_pks = {c["pk"] for c in writable}
    # Evidence is shared with the body only: its members and the engaged provider, not the ministry.
    shows_evidence = incident.organisation_id in roles_of(request.user) or bool(writable)
    if shows_evidence:
        grouped = evidence_by_finding(request.user, findings)
        for finding in findings:
            finding.evidence_rows = grouped.get(finding.pk, [])
    return render(
        request,
        "aftercare/incident.html",
        {
            "incident": incident,
            "findings": findings,
            "indicators": selectors.incident_indicators(request.user, incident).order_by("kind", "value"),
            "hidden_red": selectors.hidden_red_count(request.user, incident),
            "hidden_strict": selectors.hidden_strict_count(request.user, incident),
            "writable": writable,
            "writable_pks": writable_pks,
            "shows_evidence": shows_evidence,
            "is_party": selectors.is_party(request.user, incident),
            "sets_tlp": roles_of(request.user).get(incident.organisation_id) in FILING_ROLES,
            "perms_ministry": is_ministry(request.user),
        },
    )


def _calloff_for_write(user, calloff_id) -> CallOff:
    """The engaged provider's call-off; a body member or the ministry (who see it) get 403, others 404
    (also a provider that was only offered the call-off: it sees the call-off, not its aftercare)."""
    try:
        return selectors.engaged_calloff_for(user, calloff_id)
    except Http404:
        calloff = CallOff.objects.visible_to(user).filter(public_id=calloff_id).only("organisation_id").first()
        if calloff is not None and (is_ministry(user) or calloff.organisation_id in roles_of(user)):
            raise PermissionDenied from None  # sees the incident, may not write here
        raise


def _require_write(user, row) -> None:
    if not engaged_calloffs(user).filter(pk=row.calloff_id).exists():
        raise PermissionDenied


def _back(row_or_calloff):
    incident_id = row_or_calloff.incident.public_id
    return reverse("aftercare:incident", kwargs={"public_id": incident_id})


def _form_page(request, form, save, *, saved: str, title: str, calloff: CallOff, back: str, subtitle: str = ""):
    """One aftercare form page: a valid POST calls ``save(**cleaned_data)`` (a service bound to its row
    and actor); then the message ``saved`` and back to ``back``. A refusal of the service (CallOffError)
    is shown on the form's field it names, else on the whole form."""
    if request.method == "POST" and form.is_valid():
        try:
            save(**form.cleaned_data)
        except CallOffError as exc:
            _apply(form, exc)
        else:
            messages.success(request, saved)
            return redirect(back)
    context = {"form": form, "title": title, "calloff": calloff, "back": back}
    if subtitle:
        context["subtitle"] = subtitle
    return render(request, "aftercare/form.html", context)


def _indicator_subtitle(indicator) -> str:
    return f"{indicator.get_kind_display()}: {indicator.value}"


@login_required
def finding_new(request, calloff_id):
    calloff = _calloff_for_write(request.user, calloff_id)
    return _form_page(
        request,
        FindingForm(request.POST or None),
        partial(services.finding_create, calloff=calloff, actor=request.user),
        saved=_("Der Befund wurde gespeichert."),
        title=_("Befund erfassen"),
        calloff=calloff,
        back=_back(calloff),
    )


@login_required
def finding_edit(request, public_id):
    finding = get_object_or_404(
        selectors.findings_visible_to(request.user).select_related("calloff", "incident"), public_id=public_id
    )
    _require_write(request.user, finding)
    initial = {field: getattr(finding, field) for field in services.FINDING_FIELDS}
    return _form_page(
        request,
        FindingForm(request.POST or None, initial=initial),
        partial(services.finding_update, finding=finding, actor=request.user),
        saved=_("Der Befund wurde gespeichert."),
        title=_("Befund bearbeiten"),
        calloff=finding.calloff,
        back=_back(finding),
    )


@login_required
def indicator_new(request, calloff_id):
    calloff = _calloff_for_write(request.user, calloff_id)
    return _form_page(
        request,
        IndicatorCreateForm(request.POST or None),
        partial(services.indicator_create, calloff=calloff, actor=request.user),
        saved=_("Der Indikator wurde gespeichert."),
        title=_("Indikator erfassen"),
        calloff=calloff,
        back=_back(calloff),
    )


@login_required
def indicator_edit(request, public_id):
    indicator = get_object_or_404(
        selectors.indicators_visible_to(request.user).select_related("calloff", "incident"), public_id=public_id
    )
    _require_write(request.user, indicator)
    initial = {field: getattr(indicator, field) for field in services.INDICATOR_UPDATE_FIELDS}
    return _form_page(
        request,
        IndicatorUpdateForm(request.POST or None, initial=initial),
        partial(services.indicator_update, indicator=indicator, actor=request.user),
        saved=_("Der Indikator wurde gespeichert."),
        title=_("Indikator bearbeiten"),
        calloff=indicator.calloff,
        back=_back(indicator),
        subtitle=_indicator_subtitle(indicator),
    )


@login_required
def indicator_tlp(request, public_id):
    """The body's callers and administrators choose an indicator's TLP level; whoever else sees the
    indicator (a read-only member, the provider, the ministry) gets 403, anyone else 404."""
    indicator = get_object_or_404(
        selectors.indicators_visible_to(request.user).select_related("calloff", "incident"), public_id=public_id
    )
    if roles_of(request.user).get(indicator.organisation_id) not in FILING_ROLES:
        raise PermissionDenied
    return _form_page(
        request,
        IndicatorTlpForm(request.POST or None, initial={"tlp": indicator.tlp}),
        partial(services.indicator_tlp_set, indicator=indicator, actor=request.user),
        saved=_("Die TLP-Stufe wurde gespeichert."),
        title=_("TLP-Stufe ändern"),
        calloff=indicator.calloff,
        back=_back(indicator),
        subtitle=_indicator_subtitle(indicator),
    )
