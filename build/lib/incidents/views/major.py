"""Major incidents (Großschadenslagen): declared and steered by ministry staff."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from .. import extensions, selectors, services
from ..forms import LinkMembersForm, MajorIncidentForm
from ..models import MajorIncident


def _ministry_only(request):
    if not request.user.is_ministry_staff:
        raise Http404


@login_required
def major_list(request):
    _ministry_only(request)
    form = MajorIncidentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            major = services.major_incident_declare(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, _("Die Großschadenslage wurde ausgerufen."))
            return redirect("incidents:major_detail", public_id=major.public_id)
    majors = MajorIncident.objects.select_related("origin").order_by("-declared_at")
    return render(request, "incidents/major_list.html", {"majors": majors, "form": form})


@login_required
def major_detail(request, public_id):
    major = selectors.major_incident_for_user(user=request.user, public_id=public_id)
    incidents = major.incidents.real().select_related(
        "organisation"
    )  # a drill's record is never linked.order_by("organisation__name")
    members = services.members_of(major.origin) if major.origin else []
    context = {
        "major": major,
        "incidents": incidents,
        "members": members,
        "link_form": LinkMembersForm(),
        "timeline": services.major_incident_timeline(major=major),
        "extra_links": extensions.major_links(request.user, major),
    }
    return render(request, "incidents/major_detail.html", context)


@login_required
@require_POST
def major_link_members(request, public_id):
    major = selectors.major_incident_for_user(user=request.user, public_id=public_id)
    form = LinkMembersForm(request.POST)
    if form.is_valid() and major.origin:
        try:
            linked = services.major_incident_link(
                major=major,
                actor=request.user,
                organisations=list(services.members_of(major.origin)),
                category=form.cleaned_data["category"],
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                ngettext("%(count)d Stelle wurde verknüpft.", "%(count)d Stellen wurden verknüpft.", len(linked))
                % {"count": len(linked)},
            )
    return redirect("incidents:major_detail", public_id=major.public_id)


@login_required
@require_POST
def major_close(request, public_id):
    major = selectors.major_incident_for_user(user=request.user, public_id=public_id)
    services.major_incident_close(major=major, actor=request.user)
    messages.success(request, _("Die Großschadenslage wurde beendet."))
    return redirect("incidents:major_detail", public_id=major.public_id)
