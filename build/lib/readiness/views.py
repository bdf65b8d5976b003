"""The body's profile page (its callers and administrators write, a read-only member reads), its
network overview (uploaded by the callers and administrators, downloaded by every member) and the
ministry's overview (aggregates only: the ministry never sees a profile's contents nor the file)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from digisos.body_limits import body_limit
from tenants.models import Organisation

from . import selectors, services
from .forms import (
    SYSTEMS_PREFIX,
    CriticalSystemFormSet,
    NetworkOverviewForm,
    NetworkOverviewRemoveForm,
    ReadinessProfileForm,
    systems_initial,
    with_one_more_row,
)
from .models import ReadinessProfile
from .permissions import can_edit, can_read
from .responses import altered_page, network_overview_response


def _readable(request, public_id) -> Organisation:
    organisation = Organisation.objects.filter(public_id=public_id).first()
    if organisation is None or not can_read(request.user, organisation):
        raise Http404  # the ministry too: need to know (it sees the overview)
    return organisation


@login_required
def profile(request, public_id):
    organisation = _readable(request, public_id)
    instance = (
        ReadinessProfile.objects.filter(organisation=organisation)
        .select_related("network_overview")
        .prefetch_related("systems")
        .first()
    )
    editable = can_edit(request.user, organisation)
    form = ReadinessProfileForm(instance=instance)
    formset = CriticalSystemFormSet(initial=systems_initial(instance), prefix=SYSTEMS_PREFIX)
    if request.method == "POST":
        if not editable:
            return HttpResponseForbidden(_("Mit Leserechten können Sie das Profil nicht ändern."))
        form = ReadinessProfileForm(request.POST, instance=instance)
        if request.POST.get("action") == "add_system":
            # One more empty row, nothing saved: works without JavaScript; what was typed stays.
            data = with_one_more_row(request.POST)
            if data is None:
                messages.warning(request, _("Es können keine weiteren Systeme hinzugefügt werden (höchstens 50)."))
                data = request.POST
            formset = CriticalSystemFormSet(data, prefix=SYSTEMS_PREFIX)
        else:
            # Not bound to the stored rows as initial: every posted row is validated and kept as posted.
            formset = CriticalSystemFormSet(request.POST, prefix=SYSTEMS_PREFIX)
            form_ok, formset_ok = form.is_valid(), formset.is_valid()
            if form_ok and formset_ok:
                values = {name: form.cleaned_data[name] for name in ReadinessProfile.FORM_FIELDS}
                try:
                    services.readiness_profile_save(
                        organisation=organisation, actor=request.user, critical_systems=formset.rows(), **values
                    )
                except ValidationError as exc:
                    for field, errors in exc.message_dict.items():
                        form.add_error(field if field in form.fields else None, errors)
                else:
                    messages.success(request, _("Das Vorbereitungsprofil ist gespeichert."))
                    return redirect(request.path)
    if not editable:
        for field in form.fields.values():
            field.disabled = True
        for row in formset:
            for field in row.fields.values():
                field.disabled = True
    context = {
        "organisation": organisation,
        "profile": instance,
        "form": form,
        "formset": formset,
        "can_add_system": editable and formset.total_form_count() < CriticalSystemFormSet.max_num,
        "editable": editable,
        "missing": instance.missing() if instance else None,
        "score": instance.score() if instance else 0,
        "stale": instance.is_stale() if instance else False,
        "network_overview": instance.network_overview if instance else None,
        "network_overview_url": reverse("readiness:network_overview", args=[organisation.public_id]),
        "network_overview_form": NetworkOverviewForm() if editable else None,
    }
    return render(request, "readiness/profile.html", context)


@login_required
@body_limit(settings.READINESS_NETWORK_OVERVIEW_MAX_BYTES)  # larger bodies are refused unread
def network_overview_upload(request, public_id):
    """The body's callers and administrators upload (or replace) the network overview; a read-only
    member gets 403, anyone else (the ministry too) 404. A refused file keeps the one before."""
    organisation = _readable(request, public_id)
    if not can_edit(request.user, organisation):
        return HttpResponseForbidden(_("Mit Leserechten können Sie das Profil nicht ändern."))
    form = NetworkOverviewForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            profile = services.readiness_network_overview_upload(
                organisation=organisation, actor=request.user, upload=form.cleaned_data["file"]
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(
                request,
                _("Die Netzübersicht „{name}“ ist gespeichert (Version {version} des Profils).").format(
                    name=profile.network_overview.original_name, version=profile.version
                ),
            )
            return redirect("readiness:profile", public_id=organisation.public_id)
    current = selectors.network_overview_of(organisation_id=organisation.pk)
    return render(
        request,
        "readiness/network_overview.html",
        {"organisation": organisation, "form": form, "network_overview": current},
    )


@login_required
@require_http_methods(["GET", "POST"])
def network_overview_remove(request, public_id):
    """The body's callers and administrators take the network overview out of the profile, after a
    confirmation page (a form, no JavaScript): a read-only member gets 403, anyone else (the ministry,
    a provider) 404. A stale or malformed confirmation changes nothing and says why (400), showing the
    overview as it stands now."""
    organisation = _readable(request, public_id)
    if not can_edit(request.user, organisation):
        return HttpResponseForbidden(_("Mit Leserechten können Sie das Profil nicht ändern."))
    errors: list[str] = []
    if request.method == "POST":
        form = NetworkOverviewRemoveForm(request.POST)
        if form.is_valid():
            try:
                profile = services.readiness_network_overview_remove(
                    organisation=organisation, actor=request.user, overview_id=form.cleaned_data["overview"]
                )
            except ValidationError as exc:
                errors = [error for messages_ in exc.message_dict.values() for error in messages_]
            else:
                messages.success(
                    request,
                    _(
                        "Die Netzübersicht ist aus dem Profil entfernt (Version {version}); niemand kann sie mehr "
                        "herunterladen."
                    ).format(version=profile.version),
                )
                return redirect("readiness:profile", public_id=organisation.public_id)
        else:
            errors = [error for messages_ in form.errors.values() for error in messages_]
    current = selectors.network_overview_of(organisation_id=organisation.pk)
    if current is None and not errors:
        messages.info(request, _("Das Profil enthält keine Netzübersicht."))
        return redirect("readiness:profile", public_id=organisation.public_id)
    context = {
        "organisation": organisation,
        "network_overview": current,
        "form": NetworkOverviewRemoveForm(initial={"overview": current.public_id}) if current else None,
        "errors": errors,
    }
    return render(request, "readiness/network_overview_remove.html", context, status=400 if errors else 200)


@login_required
def network_overview_download(request, public_id):
    """Every member of the body; nobody else through this address (the accepting provider has its own,
    on the call-off page; the ministry none)."""
    organisation = _readable(request, public_id)
    overview = selectors.network_overview_of(organisation_id=organisation.pk)
    if overview is None:
        raise Http404
    response = network_overview_response(overview, actor=request.user, via="portal")
    if response is None:
        return altered_page(request, overview, reverse("readiness:profile", args=[organisation.public_id]))
    return response


@login_required
def overview(request):
    if not request.user.is_ministry_staff:
        raise Http404
    return render(request, "readiness/overview.html", {"overview": selectors.overview()})
