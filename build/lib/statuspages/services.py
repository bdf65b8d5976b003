"""Every write to a status page: atomic (durable), row-locked, audited; the public copy in the
cache is refreshed after the commit (statuspages.public)."""

from __future__ import annotations

from functools import partial

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from incidents.models import Incident
from tenants.models import Organisation, phone_validator
from tenants.services import audit

from . import public
from .errors import StatusPageError
from .models import MAX_SERVICES, PageState, ServiceNotice, StatusPage, StatusUpdate
from .permissions import can_publish, on_behalf_of

TRANSLITERATION = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"})


def slug_for(organisation: Organisation) -> str:
    """A readable address from the body's name ("Stadt Köln" → "stadt-koeln"); made unique with its key."""
    base = slugify(organisation.name.translate(TRANSLITERATION))[:60].strip("-") or "stelle"
    if not StatusPage.objects.filter(slug=base).exists():
        return base
    suffix = slugify(organisation.ags or "") or organisation.public_id.hex[:8]
    return f"{base}-{suffix}"[:80]


def _require(actor, organisation: Organisation) -> None:
    if not can_publish(actor, organisation):
        raise PermissionDenied


def drill_refusal() -> str:
    return _(
        "Dieser Vorgang ist eine Übung. Aus einer Übung wird keine öffentliche Statusseite für Bürgerinnen "
        "und Bürger erstellt oder veröffentlicht."
    )


def _refuse_drill(incident: Incident | None) -> None:
    """A drill never produces a public page for residents, nor is a page published from it."""
    if incident is not None and incident.is_drill:
        raise StatusPageError(drill_refusal())


def _refresh_after_commit(page: StatusPage) -> None:
    transaction.on_commit(partial(public.refresh, page.pk))


def _check_services(services: list[dict]) -> list[ServiceNotice]:
    if len(services) > MAX_SERVICES:
        raise ValidationError(_("Höchstens %(max)d Dienstleistungen je Seite.") % {"max": MAX_SERVICES})
    return [
        ServiceNotice(name=item["name"], state=item["state"], alternative=item.get("alternative", ""), position=i)
        for i, item in enumerate(services)
    ]


@transaction.atomic(durable=True)
def status_page_save(
    *,
    organisation: Organisation,
    actor,
    headline: str,
    summary: str,
    phone: str,
    opening_hours: str = "",
    services: list[dict] | None = None,
    incident: Incident | None = None,
) -> StatusPage:
    """Create or change the body's page (its text, phone, hours, services). A published page shows
    the change at once; a draft stays private until ``status_page_publish``."""
    _require(actor, organisation)
    if incident is not None and incident.organisation_id != organisation.pk:
        raise PermissionDenied
    _refuse_drill(incident)
    # The body's row is the lock for its one page: two first saves at once would both create it.
    Organisation.objects.select_for_update().filter(pk=organisation.pk).values_list("pk").first()
    page = StatusPage.objects.select_for_update().filter(organisation=organisation).first()
    created = page is None
    if created:
        page = StatusPage(organisation=organisation, slug=slug_for(organisation), created_by=actor)
    phone_validator(phone.strip())
    page.headline, page.summary = headline.strip(), summary.strip()
    page.phone, page.opening_hours = phone.strip(), opening_hours.strip()
    if incident is not None:
        page.incident = incident
    page.revision += 1
    page.changed_at = timezone.now()
    notices = _check_services(services or [])
    for notice in notices:
        notice.page = page
        notice.full_clean(exclude=["page"])
    page.full_clean(exclude=["organisation", "incident", "created_by"], validate_unique=False)
    if created:
        page.save()
    else:
        page.save(update_fields=["headline", "summary", "phone", "opening_hours", "incident", "revision", "changed_at"])
    if services is not None:
        page.services.all().delete()
        for notice in notices:
            notice.page = page
        ServiceNotice.objects.bulk_create(notices)
    audit(
        actor=actor,
        action="statuspage.created" if created else "statuspage.changed",
        organisation=organisation,
        target=page.slug,
        state=page.state,
        services=len(notices),
        on_behalf=on_behalf_of(actor, organisation),
    )
    if page.state == PageState.PUBLISHED:
        _refresh_after_commit(page)
    return page


def _locked(page: StatusPage) -> StatusPage:
    return StatusPage.objects.select_for_update().select_related("organisation").get(pk=page.pk)


@transaction.atomic(durable=True)
def status_page_publish(*, page: StatusPage, actor, incident: Incident | None = None) -> StatusPage:
    page = _locked(page)
    _require(actor, page.organisation)
    if page.state == PageState.PUBLISHED:
        raise StatusPageError(_("Die Statusseite ist bereits veröffentlicht."))
    if incident is not None and incident.organisation_id != page.organisation_id:
        raise PermissionDenied
    _refuse_drill(incident)
    old = page.state
    now = timezone.now()
    page.state, page.published_at, page.changed_at = PageState.PUBLISHED, now, now
    page.revision += 1
    fields = ["state", "published_at", "changed_at", "revision"]
    if incident is not None:
        page.incident = incident
        fields.append("incident")
    page.save(update_fields=fields)
    audit(
        actor=actor,
        action="statuspage.published",
        organisation=page.organisation,
        target=page.slug,
        old=old,
        new=page.state,
        on_behalf=on_behalf_of(actor, page.organisation),
    )
    _refresh_after_commit(page)
    return page


@transaction.atomic(durable=True)
def status_page_withdraw(*, page: StatusPage, actor, reason: str = "") -> StatusPage:
    """Take the page off the web (the body's own site is back): residents get 404 again."""
    page = _locked(page)
    _require(actor, page.organisation)
    if page.state != PageState.PUBLISHED:
        raise StatusPageError(_("Nur eine veröffentlichte Statusseite kann zurückgezogen werden."))
    old = page.state
    page.state, page.changed_at = PageState.WITHDRAWN, timezone.now()
    page.revision += 1
    page.save(update_fields=["state", "changed_at", "revision"])
    audit(
        actor=actor,
        action="statuspage.withdrawn",
        organisation=page.organisation,
        target=page.slug,
        old=old,
        new=page.state,
        reason=reason[:300],
        on_behalf=on_behalf_of(actor, page.organisation),
    )
    _refresh_after_commit(page)
    return page


@transaction.atomic(durable=True)
def status_update_post(*, page: StatusPage, actor, text: str) -> StatusUpdate:
    """A dated message on the page; its time is now (never entered)."""
    page = _locked(page)
    _require(actor, page.organisation)
    if page.state == PageState.WITHDRAWN:
        raise StatusPageError(_("Die Statusseite ist zurückgezogen. Veröffentlichen Sie sie zuerst wieder."))
    now = timezone.now()
    update = StatusUpdate(page=page, at=now, text=text.strip(), author=actor)
    update.full_clean(exclude=["page", "author"])
    update.save()
    page.changed_at = now
    page.revision += 1
    page.save(update_fields=["changed_at", "revision"])
    audit(
        actor=actor,
        action="statuspage.update_posted",
        organisation=page.organisation,
        target=page.slug,
        update=str(update.public_id),
        on_behalf=on_behalf_of(actor, page.organisation),
    )
    if page.state == PageState.PUBLISHED:
        _refresh_after_commit(page)
    return update
