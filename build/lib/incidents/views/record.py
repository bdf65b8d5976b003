"""The incident record of a body: list, page, edit, status, notes, attachments, reporting obligations."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from digisos.body_limits import body_limit
from digisos.csv_export import csv_response, export_query, wants_csv

from .. import extensions, selectors, services, visibility
from ..filters import IncidentListFilterSet
from ..forms import (
    AttachmentForm,
    AttachmentShareForm,
    AwarenessForm,
    IncidentForm,
    NoteForm,
    ObligationDoneForm,
    StatusForm,
)
from ..models import IncidentStatus

MAX_ATTACHMENT_BYTES = 25 * 1024 * 1024


def _apply_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@login_required
def incident_list(request):
    """Search and filters in the URL (GET form, kept by the pagination); ``?export=csv`` downloads the rows."""
    filterset = IncidentListFilterSet(request.GET or None, queryset=selectors.incident_list(user=request.user))
    qs = filterset.qs
    if wants_csv(request):
        header = [_("Vorfall"), _("Stelle"), _("AGS"), _("Art"), _("Status"), _("Kenntnis seit"), _("Übung")]
        rows = (
            (
                i.title,
                i.organisation.name,
                i.organisation.ags,
                i.get_category_display(),
                i.get_status_display(),
                i.became_aware_at,
                _("Ja") if i.is_drill else _("Nein"),  # a drill's record, marked as on the page
            )
            for i in qs.iterator(chunk_size=500)
        )
        return csv_response("vorfaelle", header, rows)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "incidents/incident_list.html",
        {
            "page": page,
            "form": filterset.form,
            "filtered": any(v and k != "page" and (k, v) != ("status", "open") for k, v in request.GET.items()),
            "export_query": export_query(request),
        },
    )


def _detail_context(request, incident, **forms):
    editable = services.can_edit(request.user, incident.organisation)
    obligations = list(incident.obligations.all())
    outside = visibility.outside_view(request.user, incident)
    context = {
        "incident": incident,
        "editable": editable,
        "outside_view": outside is not None,
        # An outside party whose engagements have ended: the moment up to which it sees what was shared.
        "outside_until": outside.until if outside is not None and not outside.engaged else None,
        "obligations": obligations,
        "timeline": selectors.timeline_for(incident, outside).select_related("author").order_by("-at", "-id"),
        "attachments": selectors.attachments_for(incident, outside),
        # The call-offs of this incident this user may see (the calloffs app says which).
        "calloffs": visibility.engagements(request.user, incident),
        # Pages of the apps above us about this incident (aftercare: findings and indicators).
        "extra_links": extensions.links(request.user, incident),
        "now": timezone.now(),
    }
    if editable:
        next_states = [
            (value, label)
            for value, label in IncidentStatus.choices
            if services.STATUS_ORDER.index(value) > services.STATUS_ORDER.index(incident.status)
        ]
        status_form = forms.get("status_form") or StatusForm()
        status_form.fields["status"].choices = next_states
        context.update(
            status_form=status_form if next_states else None,
            note_form=forms.get("note_form") or NoteForm(),
            attachment_form=forms.get("attachment_form") or AttachmentForm(),
            done_form=forms.get("done_form") or ObligationDoneForm(),
            done_form_for=forms.get("done_form_for"),
        )
        if incident.became_aware_assumed:
            initial = {"became_aware_at": timezone.localtime(incident.became_aware_at)}
            context["aware_form"] = forms.get("aware_form") or AwarenessForm(initial=initial)
    return context


@login_required
def incident_detail(request, public_id):
    incident = selectors.incident_for_user(user=request.user, public_id=public_id)
    return render(request, "incidents/incident_detail.html", _detail_context(request, incident))


@login_required
def incident_edit(request, public_id):
    incident = selectors.incident_for_user(user=request.user, public_id=public_id)
    if not services.can_edit(request.user, incident.organisation):
        raise PermissionDenied
    form = IncidentForm(request.POST or None, instance=incident)
    if request.method == "POST" and form.is_valid():
        changes = {f: form.cleaned_data[f] for f in form.Meta.fields}
        shown = incident.became_aware_at.replace(second=0, microsecond=0)  # the field shows minutes
        if incident.became_aware_assumed and changes["became_aware_at"] == shown:
            changes.pop("became_aware_at")  # untouched: stays assumed (the page's own form confirms it)
        try:
            services.incident_update(incident=incident, actor=request.user, **changes)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Die Angaben wurden gespeichert."))
            return redirect("incidents:detail", public_id=incident.public_id)
    # A form that failed validation keeps the user's input; the instance is re-read so nothing half-saved shows.
    return render(request, "incidents/incident_form.html", {"form": form, "incident": incident})


@body_limit(MAX_ATTACHMENT_BYTES)  # larger bodies are refused unread (digisos.body_limits)
@login_required
@require_POST
def incident_action(request, public_id, action):
    incident = selectors.incident_for_user(user=request.user, public_id=public_id)
    if not services.can_edit(request.user, incident.organisation):
        raise PermissionDenied
    forms = {}
    try:
        if action == "status":
            form = forms["status_form"] = StatusForm(request.POST)
            form.fields["status"].choices = IncidentStatus.choices
            if form.is_valid():
                services.incident_set_status(incident=incident, actor=request.user, **form.cleaned_data)
                messages.success(request, _("Der Status wurde geändert."))
                return redirect("incidents:detail", public_id=incident.public_id)
        elif action == "note":
            form = forms["note_form"] = NoteForm(request.POST)
            if form.is_valid():
                services.incident_add_note(incident=incident, actor=request.user, **form.cleaned_data)
                messages.success(request, _("Der Eintrag wurde der Zeitleiste hinzugefügt."))
                return redirect("incidents:detail", public_id=incident.public_id)
        elif action == "aware":
            form = forms["aware_form"] = AwarenessForm(request.POST)
            if form.is_valid():
                services.incident_update(incident=incident, actor=request.user, **form.cleaned_data)
                messages.success(
                    request, _("Der Zeitpunkt der Kenntnisnahme ist gespeichert; die Fristen laufen ab ihm.")
                )
                return redirect("incidents:detail", public_id=incident.public_id)
        elif action == "attachment":
            form = forms["attachment_form"] = AttachmentForm(request.POST, request.FILES)
            if form.is_valid():
                upload = form.cleaned_data["file"]
                if upload.size > MAX_ATTACHMENT_BYTES:
                    form.add_error("file", _("Die Datei ist größer als 25 MB."))
                else:
                    services.attachment_add(
                        incident=incident,
                        actor=request.user,
                        uploaded_file=upload,
                        content_type=upload.content_type or "application/octet-stream",
                        shared_with_provider=form.cleaned_data["shared_with_provider"],
                    )
                    messages.success(request, _("Die Anlage wurde gespeichert."))
                    return redirect("incidents:detail", public_id=incident.public_id)
        elif action == "attachment_share":
            form = AttachmentShareForm(request.POST)
            if not form.is_valid():
                messages.error(request, _("Die Freigabe wurde nicht geändert: Es fehlt die Angabe der Anlage."))
                return render(request, "incidents/incident_detail.html", _detail_context(request, incident), status=400)
            attachment = get_object_or_404(incident.attachments, public_id=form.cleaned_data["attachment"])
            shared = form.cleaned_data["shared"]
            services.attachment_set_shared(attachment=attachment, actor=request.user, shared=shared)
            if shared:
                messages.success(request, _("Die Anlage ist für den beauftragten Dienstleister freigegeben."))
            else:
                messages.success(request, _("Die Freigabe der Anlage für den Dienstleister ist aufgehoben."))
            return redirect("incidents:detail", public_id=incident.public_id)
        else:
            raise Http404
    except ValidationError as exc:
        _apply_errors(form, exc)
    return render(request, "incidents/incident_detail.html", _detail_context(request, incident, **forms), status=400)


@login_required
@require_POST
def obligation_done(request, public_id, obligation_id):
    incident = selectors.incident_for_user(user=request.user, public_id=public_id)
    obligation = get_object_or_404(incident.obligations, pk=obligation_id)
    if not services.can_edit(request.user, incident.organisation):
        raise PermissionDenied
    form = ObligationDoneForm(request.POST)
    if form.is_valid():
        try:
            services.obligation_mark_done(obligation=obligation, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Die Meldung wurde als erledigt vermerkt."))
            return redirect("incidents:detail", public_id=incident.public_id)
    context = _detail_context(request, incident, done_form=form, done_form_for=obligation.pk)
    return render(request, "incidents/incident_detail.html", context, status=400)


@login_required
def obligation_draft(request, public_id, obligation_id):
    """A prefilled draft of the report, as plain text to paste into the authority's form."""
    incident = selectors.incident_for_user(user=request.user, public_id=public_id)
    if not services.can_edit(request.user, incident.organisation):
        raise PermissionDenied
    obligation = get_object_or_404(incident.obligations, pk=obligation_id)
    text = render_to_string(
        "incidents/report_draft.txt",
        {
            "incident": incident,
            "obligation": obligation,
            "organisation": incident.organisation,
            "timeline": incident.timeline.order_by("at", "id"),
            "calloffs": visibility.engagements(request.user, incident),
            # Pages of the apps above us about this incident (aftercare: findings and indicators).
            "extra_links": extensions.links(request.user, incident),
            "contacts": incident.organisation.emergency_contacts.all(),
            "now": timezone.now(),
        },
        request=request,
    )
    response = HttpResponse(text, content_type="text/plain; charset=utf-8")
    filename = f"meldung-{obligation.kind}-{timezone.localdate():%Y%m%d}.txt"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def attachment_download(request, public_id, attachment_id):
    incident = selectors.incident_for_user(user=request.user, public_id=public_id)
    outside = visibility.outside_view(request.user, incident)
    attachment = get_object_or_404(selectors.attachments_for(incident, outside), public_id=attachment_id)
    response = FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.name)
    response["Content-Type"] = "application/octet-stream"
    response["X-Content-Type-Options"] = "nosniff"
    return response
