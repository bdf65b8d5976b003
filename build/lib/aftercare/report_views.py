"""Portal pages of the final report: the report part of the incident's aftercare page (a template
tag, aftercare.templatetags.aftercare_report), the lessons learned of each side, issuing a new
version of the PDF, the incident's final report (every engagement: the body and the ministry) and
the body's NIS-2 final report draft.

Lookups are scoped in the query: a call-off's report is seen by whoever sees its documents (the
body's members, the accepting provider, the ministry; calloffs.selectors_documents), everyone else
gets 404; a reader (read-only member, ministry) gets 403 on the writes. The incident's final report
is read by the body's members and the ministry (a provider gets 404, even an engaged one), issued by
the body's callers and administrators and the ministry (read-only members 403). The NIS-2 draft is
the body's: its members only (404 for the ministry and the provider), read-only members 403.
"""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from calloffs.errors import CallOffError
from calloffs.selectors_documents import (
    can_access_incident_documents,
    can_request_incident_documents,
    document_calloffs_visible_to,
)
from calloffs.views.documents import refused_to_make_documents
from calloffs.visibility import INCIDENT_VISIBLE_STATES
from incidents.selectors import incident_for_user
from tenants.selectors import roles_of

from . import nis2, report_services
from .forms import LessonsForm, Nis2DraftForm
from .models import ReportNotes


def _report_calloff(user, calloff_id):
    """The call-off whose report ``user`` may read (documents rule, engaged states); else 404."""
    calloff = (
        document_calloffs_visible_to(user)
        .filter(public_id=calloff_id, state__in=INCIDENT_VISIBLE_STATES, provider__isnull=False)
        .select_related("organisation", "incident", "provider")
        .first()
    )
    if calloff is None:
        raise Http404
    return calloff


def _back(calloff) -> str:
    return reverse("aftercare:incident", kwargs={"public_id": calloff.incident.public_id}) + "#abschlussbericht"


@login_required
def lessons_edit(request, calloff_id):
    calloff = _report_calloff(request.user, calloff_id)
    side = report_services.report_side(request.user, calloff)
    if side is None:
        raise PermissionDenied
    notes = ReportNotes.objects.filter(calloff=calloff).first()
    field = "lessons_provider" if side == report_services.PROVIDER else "lessons_body"
    form = LessonsForm(request.POST or None, initial={"text": getattr(notes, field, "") if notes else ""})
    if request.method == "POST" and form.is_valid():
        try:
            report_services.report_lessons_set(calloff=calloff, actor=request.user, text=form.cleaned_data["text"])
        except CallOffError as exc:
            form.add_error("text" if exc.field == "text" else None, exc.message)
        else:
            messages.success(request, _("Die Lessons learned wurden gespeichert."))
            return redirect(_back(calloff))
    title = (
        _("Lessons learned des Dienstleisters") if side == report_services.PROVIDER else _("Lessons learned der Stelle")
    )
    return render(
        request,
        "aftercare/form.html",
        {"form": form, "title": title, "calloff": calloff, "back": _back(calloff)},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def report_issue(request, calloff_id):
    calloff = _report_calloff(request.user, calloff_id)
    if report_services.report_side(request.user, calloff) is None:
        raise PermissionDenied
    return _issue(request, back=_back(calloff), issue=partial(report_services.final_report_issue, calloff=calloff))


def _issue(request, *, back: str, issue) -> HttpResponse:
    """Issue a new version of a report (the caller has checked the reader's rights): rate-limited like
    every document request, the outcome as a message, back to the report on the aftercare page."""
    refused = refused_to_make_documents(request, may_request=True, back=redirect(back))
    if refused is not None:
        return refused
    try:
        issue(actor=request.user)
    except CallOffError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Der Abschlussbericht wird als PDF erstellt."))
    return redirect(back)


# --- The incident's final report (every engagement; the body and the ministry) -----------------


def incident_report_incident(user, public_id):
    """The incident whose own final report ``user`` may read (the body's members, the ministry); 404
    for everyone else, a provider engaged in the incident too (need-to-know)."""
    incident = incident_for_user(user=user, public_id=public_id)
    if not can_access_incident_documents(user, incident):
        raise Http404
    return incident


@login_required
@require_POST
def incident_report_issue(request, public_id):
    incident = incident_report_incident(request.user, public_id)
    if not can_request_incident_documents(request.user, incident):
        raise PermissionDenied
    back = reverse("aftercare:incident", kwargs={"public_id": incident.public_id}) + "#abschlussbericht-vorfall"
    return _issue(request, back=back, issue=partial(report_services.incident_report_issue, incident=incident))


# --- NIS-2 final report draft ------------------------------------------------------------------


def _nis2_incident(request, public_id):
    incident = incident_for_user(user=request.user, public_id=public_id)
    if incident.organisation_id not in roles_of(request.user) or incident.is_drill:
        raise Http404  # the body's report: not the ministry's nor the provider's business; none for a drill
    if not report_services.may_edit_nis2_draft(request.user, incident):
        raise PermissionDenied
    return incident


@never_cache
@login_required
def nis2_draft(request, public_id):
    incident = _nis2_incident(request, public_id)
    text, draft = nis2.current_text(incident)
    if request.GET.get("neu") == "1":
        text = nis2.prefilled_text(incident)
    form = Nis2DraftForm(request.POST or None, initial={"text": text})
    if request.method == "POST" and form.is_valid():
        try:
            report_services.nis2_draft_save(incident=incident, actor=request.user, text=form.cleaned_data["text"])
        except CallOffError as exc:
            form.add_error("text" if exc.field == "text" else None, exc.message)
        else:
            messages.success(request, _("Der Entwurf wurde gespeichert."))
            return redirect("aftercare:nis2_draft", public_id=incident.public_id)
    return render(
        request,
        "aftercare/nis2_draft.html",
        {
            "incident": incident,
            "form": form,
            "draft": draft,
            "obligation": nis2.final_report_obligation(incident),
            "back": reverse("aftercare:incident", kwargs={"public_id": incident.public_id}),
        },
        status=400 if request.method == "POST" else 200,
    )


@never_cache
@login_required
@require_GET
def nis2_draft_download(request, public_id):
    incident = _nis2_incident(request, public_id)
    text, _draft = nis2.current_text(incident)
    response = HttpResponse(text, content_type="text/plain; charset=utf-8")
    filename = f"nis2-abschlussbericht-{timezone.localdate():%Y%m%d}.txt"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def incident_links(user, incident) -> list:
    """The incident page's links to the final report (everyone who may read one) and, for the body's
    callers and administrators of a NIS-2 incident, to the NIS-2 final report draft."""
    from incidents.extensions import IncidentLink

    links = []
    calloffs = document_calloffs_visible_to(user).filter(
        incident_id=incident.pk, state__in=INCIDENT_VISIBLE_STATES, provider__isnull=False
    )
    if can_access_incident_documents(user, incident) or calloffs.exists():
        links.append(
            IncidentLink(
                label=_("Nachbereitung: Abschlussbericht"),
                url=reverse("aftercare:incident", kwargs={"public_id": incident.public_id}) + "#abschlussbericht",
            )
        )
    obligation = nis2.final_report_obligation(incident)
    if obligation is not None and report_services.may_edit_nis2_draft(user, incident):
        links.append(
            IncidentLink(
                label=_("NIS-2-Abschlussbericht: Entwurf aus dem Abschlussbericht"),
                url=reverse("aftercare:nis2_draft", kwargs={"public_id": incident.public_id}),
                note=_("fällig bis {at}").format(
                    at=date_format(timezone.localtime(obligation.due_at), "SHORT_DATETIME_FORMAT")
                )
                if obligation.is_open
                else "",
            )
        )
    return links
