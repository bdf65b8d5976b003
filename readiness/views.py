"""The body's profile page (its callers and administrators write, a read-only member reads) and the
ministry's overview (aggregates only: the ministry never sees a profile's contents)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from tenants.models import Organisation

from . import selectors, services
from .forms import ReadinessProfileForm
from .models import ReadinessProfile
from .permissions import can_edit, can_read


@login_required
def profile(request, public_id):
    organisation = Organisation.objects.filter(public_id=public_id).first()
    if organisation is None or not can_read(request.user, organisation):
        raise Http404  # the ministry too: need to know (it sees the overview)
    instance = ReadinessProfile.objects.filter(organisation=organisation).first()
    editable = can_edit(request.user, organisation)
    form = ReadinessProfileForm(instance=instance)
    if request.method == "POST":
        if not editable:
            return HttpResponseForbidden(_("Mit Leserechten können Sie das Profil nicht ändern."))
        form = ReadinessProfileForm(request.POST, instance=instance)
        if form.is_valid():
            values = {name: form.cleaned_data[name] for name in services.FIELDS}
            try:
                services.readiness_profile_save(organisation=organisation, actor=request.user, **values)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, _("Das Vorbereitungsprofil ist gespeichert."))
                return redirect(request.path)
    if not editable:
        for field in form.fields.values():
            field.disabled = True
    context = {
        "organisation": organisation,
        "profile": instance,
        "form": form,
        "editable": editable,
        "missing": instance.missing() if instance else None,
        "score": instance.score() if instance else 0,
        "stale": instance.is_stale() if instance else False,
    }
    return render(request, "readiness/profile.html", context)


@login_required
def overview(request):
    if not request.user.is_ministry_staff:
        raise Http404
    return render(request, "readiness/overview.html", {"overview": selectors.overview()})
