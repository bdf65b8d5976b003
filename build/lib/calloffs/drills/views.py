"""Drill pages: start a drill (its own page, never the emergency form), the report of one drill and
the ministry's overview per provider over time, each also as a PDF."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from tenants.models import Organisation

from .. import permissions, selectors
from ..documents.render import render_pdf
from ..models import CallOff
from ..views.filing import file_from_form, pick_organisation
from .forms import DrillForm, DrillPeriodForm
from .measures import drill_report, provider_drills


def _starters(user) -> list[Organisation]:
    """The bodies this user may start a drill for: the ministry any body; a caller/admin their own."""
    if permissions.is_ministry(user):
        return list(Organisation.objects.order_by("name"))
    if not permissions.is_active_user(user):
        return []
    return list(permissions.fileable_organisations(user))


@login_required
def drill_start(request):
    organisations = _starters(request.user)
    if not organisations:
        raise PermissionDenied
    contract = selectors.active_contract()
    modules = list(contract.service_modules.order_by("position", "id")) if contract else []
    kwargs = {"organisations": organisations, "modules": modules}
    if request.method == "POST":
        form = DrillForm(request.POST, **kwargs)
        if form.is_valid() and contract is not None:
            data = form.cleaned_data
            organisation = pick_organisation(organisations, data["organisation"])
            if organisation is None:
                raise Http404
            filed = file_from_form(
                request,
                form,
                organisation=organisation,
                contract=contract,
                success=_("Die Übung %(number)s läuft: Die Dienstleister werden nach der Rangfolge angefragt."),
                priority=data["priority"],
                operations_halted=False,
                drill=True,
            )
            if filed is not None:
                return filed
    else:
        initial = {"client_token": DrillForm.new_token()}
        if len(organisations) == 1:
            initial["organisation"] = str(organisations[0].public_id)
        form = DrillForm(initial=initial, **kwargs)
    return render(
        request,
        "calloffs/drills/start.html",
        {"form": form, "contract": contract},
        status=400 if form.errors else 200,
    )


def _drill_for_user(user, public_id) -> CallOff:
    """A drill the user may see (its body, the ministry, the provider assigned or asked); 404 otherwise."""
    return get_object_or_404(
        CallOff.objects.visible_to(user).filter(is_drill=True).select_related("organisation", "provider", "contract"),
        public_id=public_id,
    )


def _pdf(pdf: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _report_for(user, calloff: CallOff):
    """The body and the ministry see every offer; a provider's staff only their own (need to know)."""
    only = None if permissions.is_ministry(user) else (permissions.provider_ids_of(user) or None)
    return drill_report(calloff, only_providers=only)


@never_cache
@login_required
@require_GET
def drill_report_page(request, public_id):
    report = _report_for(request.user, _drill_for_user(request.user, public_id))
    return render(request, "calloffs/drills/report.html", {"report": report, "calloff": report.calloff})


@never_cache
@login_required
@require_GET
def drill_report_pdf(request, public_id):
    calloff = _drill_for_user(request.user, public_id)
    report = _report_for(request.user, calloff)
    pdf = render_pdf("pdf/drill_report.html", {"report": report, "calloff": calloff, "drill": True})
    return _pdf(pdf, f"Uebungsbericht_{calloff.number}.pdf")


def _require_ministry(user) -> None:
    if not permissions.is_ministry(user):
        raise Http404


def _overview_context(request, now) -> tuple[dict, bool]:
    """The period form (from the URL) and, when it is valid, the drills of that period."""
    form = DrillPeriodForm(request.GET or None)
    valid = form.is_valid() if form.is_bound else True
    since, until = form.period() if form.is_bound and valid else (None, None)
    context = {
        "form": form,
        "date_from": form.cleaned_data.get("date_from") if valid and form.is_bound else None,
        "date_to": form.cleaned_data.get("date_to") if valid and form.is_bound else None,
        "query": request.GET.urlencode() if valid else "",
        "providers": provider_drills(since=since, until=until, now=now) if valid else [],
        "generated_at": now,
    }
    return context, valid


@never_cache
@login_required
@require_GET
def drill_overview(request):
    _require_ministry(request.user)
    context, valid = _overview_context(request, timezone.now())
    return render(request, "calloffs/drills/overview.html", context, status=200 if valid else 400)


@never_cache
@login_required
@require_GET
def drill_overview_pdf(request):
    """The overview as a PDF, of the same period; a bad period gives the page with its German error."""
    _require_ministry(request.user)
    now = timezone.now()
    context, valid = _overview_context(request, now)
    if not valid:
        return render(request, "calloffs/drills/overview.html", context, status=400)
    pdf = render_pdf("pdf/drill_overview.html", {**context, "drill": True})
    return _pdf(pdf, f"Uebungen_{timezone.localdate(now):%Y-%m-%d}.pdf")
