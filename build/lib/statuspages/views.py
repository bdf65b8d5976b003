"""The body's side (write the page, publish, post updates, withdraw) and the residents' side
(the page and its feed, no login, served from the cache: statuspages.public)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from incidents.selectors import incident_for_user
from tenants.models import Organisation

from . import public, services
from .errors import StatusPageError
from .forms import ServiceNoticeFormSet, StatusPageForm, StatusUpdateForm, services_from
from .models import PageState, StatusPage
from .permissions import publishable_organisations

# --- residents: no login, no database query on a cache hit ----------------------------------------


def _serve(slug: str, language: str, kind: str) -> HttpResponse:
    body = public.get(slug, language, kind)
    if body is None:
        raise Http404
    response = HttpResponse(body, content_type=public.CONTENT_TYPES[kind])
    # Shared caches (a reverse proxy, the press's newsroom proxy) may keep it a minute.
    response["Cache-Control"] = "public, max-age=60"
    response["Content-Language"] = language
    return response


@require_GET
def public_page(request, slug, language=None):
    """German unless the visitor chose English (the portal's language cookie) or opened /en/."""
    language = language or ("en" if getattr(request, "LANGUAGE_CODE", "de") == "en" else "de")
    return _serve(slug, language, "html")


@require_GET
def public_feed(request, slug, language="de"):
    return _serve(slug, language, "atom")


# --- the body's staff, a principal under a mandate, the ministry ----------------------------------


def _organisation_or_refuse(request, public_id):
    """The body, if this account may publish for it; 403 for a read-only member, 404 for anyone else."""
    organisation = publishable_organisations(request.user).filter(public_id=public_id).first()
    if organisation is not None:
        return organisation, None
    if Organisation.objects.visible_to(request.user).filter(public_id=public_id).exists():
        return None, HttpResponseForbidden(_("Mit Leserechten können Sie die Statusseite nicht bearbeiten."))
    raise Http404


def _incident(request, organisation):
    """The incident the page is published from (?vorfall=<id>), if the account sees it and it is the body's."""
    value = request.POST.get("vorfall") or request.GET.get("vorfall")
    if not value:
        return None
    try:
        incident = incident_for_user(user=request.user, public_id=value)
    except (ValidationError, ValueError):
        raise Http404 from None
    if incident.organisation_id != organisation.pk:
        raise Http404
    return incident


def _initial(page: StatusPage | None, organisation) -> tuple[dict, list[dict]]:
    if page is None:
        headline = _("%(name)s ist nach einem IT-Sicherheitsvorfall nur eingeschränkt erreichbar") % {
            "name": organisation.name
        }
        return {"headline": headline[:160]}, []
    data = {f: getattr(page, f) for f in ("headline", "summary", "phone", "opening_hours")}
    rows = [{"name": s.name, "state": s.state, "alternative": s.alternative} for s in page.services.all()]
    return data, rows


@login_required
def manage(request, public_id):
    organisation, refused = _organisation_or_refuse(request, public_id)
    if refused is not None:
        return refused
    incident = _incident(request, organisation)
    if incident is not None and incident.is_drill and request.method != "POST":
        messages.error(request, services.drill_refusal())  # the services refuse to save or publish from it
    page = StatusPage.objects.filter(organisation=organisation).first()
    initial, rows = _initial(page, organisation)
    form = StatusPageForm(initial=initial)
    formset = ServiceNoticeFormSet(initial=rows, prefix="dienst")
    update_form = StatusUpdateForm()
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action in ("save", "save_publish"):
                form = StatusPageForm(request.POST)
                formset = ServiceNoticeFormSet(request.POST, prefix="dienst")
                if form.is_valid() and formset.is_valid():
                    page = services.status_page_save(
                        organisation=organisation,
                        actor=request.user,
                        incident=incident,
                        services=services_from(formset),
                        **form.cleaned_data,
                    )
                    if action == "save_publish" and page.state != PageState.PUBLISHED:
                        services.status_page_publish(page=page, actor=request.user, incident=incident)
                        messages.success(request, _("Die Statusseite ist veröffentlicht."))
                    else:
                        messages.success(request, _("Die Statusseite wurde gespeichert."))
                    return redirect(request.get_full_path())
            elif action == "publish" and page is not None:
                services.status_page_publish(page=page, actor=request.user, incident=incident)
                messages.success(request, _("Die Statusseite ist veröffentlicht."))
                return redirect(request.get_full_path())
            elif action == "withdraw" and page is not None:
                services.status_page_withdraw(page=page, actor=request.user)
                messages.success(request, _("Die Statusseite ist zurückgezogen und nicht mehr öffentlich."))
                return redirect(request.get_full_path())
            elif action == "update" and page is not None:
                update_form = StatusUpdateForm(request.POST)
                if update_form.is_valid():
                    services.status_update_post(page=page, actor=request.user, text=update_form.cleaned_data["text"])
                    messages.success(request, _("Die Meldung ist eingetragen."))
                    return redirect(request.get_full_path())
            else:
                messages.error(request, _("Diese Aktion ist hier nicht möglich."))
        except StatusPageError as exc:
            messages.error(request, exc.message)
        except ValidationError as exc:
            target = update_form if action == "update" else form
            target.add_error(None, exc.messages)
    context = {
        "organisation": organisation,
        "incident": incident,
        "page": page,
        "form": form,
        "formset": formset,
        "update_form": update_form,
        "updates": page.updates.all()[:50] if page else [],
        "public_url": public.page_url(page.slug) if page else "",
        "feed_url": public.feed_url(page.slug) if page else "",
    }
    return render(request, "statuspages/manage.html", context)


@login_required
def page_list(request):
    """The pages this account may publish: its bodies' and those it serves under a mandate; the
    ministry sees every existing page."""
    if request.user.is_ministry_staff:
        pages = StatusPage.objects.select_related("organisation").order_by("-changed_at")[:500]
        rows = [(p.organisation, p) for p in pages]
    else:
        bodies = list(publishable_organisations(request.user).order_by("name")[:500])
        pages = {p.organisation_id: p for p in StatusPage.objects.filter(organisation__in=bodies)}
        rows = [(body, pages.get(body.pk)) for body in bodies]
    return render(request, "statuspages/page_list.html", {"rows": rows})
