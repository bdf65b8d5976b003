"""The public status page a body shows residents while its own website is down.

One page per body (``StatusPage``), the services it lists with their alternatives (``ServiceNotice``),
and dated updates (``StatusUpdate``). Written only through ``statuspages.services`` (atomic,
row-locked, audited); read by residents without login through ``statuspages.public`` from the cache.
Sits above ``incidents`` (a page is published from an incident page) and knows no app above it.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import GreaterThanOrEqual, LessThanOrEqual
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from digisos.plausible import datetime_range_check
from incidents.models import Incident
from tenants.models import Organisation

#: Plausible lengths of what staff enter (forms check them, the database refuses longer ones).
HEADLINE_MAX = 160
SUMMARY_MAX = 2000
HOURS_MAX = 1000
PHONE_MIN, PHONE_MAX = 6, 30
SERVICE_NAME_MAX = 120
ALTERNATIVE_MAX = 600
UPDATE_MAX = 2000
#: At most this many services on one page (the form offers as many rows).
MAX_SERVICES = 20


def length_between(field: str, low: int, high: int, *, name: str) -> models.CheckConstraint:
    """The text in ``field`` has ``low`` … ``high`` characters."""
    return models.CheckConstraint(
        condition=Q(GreaterThanOrEqual(Length(field), low)) & Q(LessThanOrEqual(Length(field), high)),
        name=name,
    )


class PageState(models.TextChoices):
    DRAFT = "draft", _("Entwurf – nicht öffentlich")
    PUBLISHED = "published", _("Veröffentlicht")
    WITHDRAWN = "withdrawn", _("Zurückgezogen – nicht öffentlich")


class StatusPage(models.Model):
    """A body's public status page. ``slug`` is its public address (/status/<slug>/)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="+")
    #: The incident the page was last published from (its page links here).
    incident = models.ForeignKey(Incident, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    slug = models.SlugField(_("Adresse"), max_length=80, unique=True)
    state = models.CharField(_("Status"), max_length=10, choices=PageState.choices, default=PageState.DRAFT)
    headline = models.CharField(_("Überschrift"), max_length=HEADLINE_MAX)
    summary = models.TextField(_("Was ist passiert? (in einfachen Worten)"), max_length=SUMMARY_MAX)
    opening_hours = models.TextField(_("Öffnungszeiten"), max_length=HOURS_MAX, blank=True)
    phone = models.CharField(_("Telefonnummer für Bürgerinnen und Bürger"), max_length=PHONE_MAX)
    #: Counts every change that residents see; part of the cache key (statuspages.public).
    revision = models.PositiveIntegerField(default=0)
    published_at = models.DateTimeField(null=True, blank=True)
    changed_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("Statusseite")
        verbose_name_plural = _("Statusseiten")
        constraints = [
            models.CheckConstraint(condition=Q(state__in=PageState.values), name="statuspage_state_valid"),
            length_between("headline", 3, HEADLINE_MAX, name="statuspage_headline_length"),
            length_between("summary", 10, SUMMARY_MAX, name="statuspage_summary_length"),
            length_between("opening_hours", 0, HOURS_MAX, name="statuspage_hours_length"),
            length_between("phone", PHONE_MIN, PHONE_MAX, name="statuspage_phone_length"),
            length_between("slug", 2, 80, name="statuspage_slug_length"),
            models.CheckConstraint(
                condition=~Q(state=PageState.PUBLISHED) | Q(published_at__isnull=False),
                name="statuspage_published_has_time",
            ),
            datetime_range_check("published_at", name="statuspage_published_at_plausible"),
            datetime_range_check("changed_at", name="statuspage_changed_at_plausible", null=False),
        ]

    def __str__(self) -> str:
        return self.headline

    @property
    def is_public(self) -> bool:
        return self.state == PageState.PUBLISHED


class ServiceState(models.TextChoices):
    UNAVAILABLE = "unavailable", _("nicht verfügbar")
    LIMITED = "limited", _("eingeschränkt")
    AVAILABLE = "available", _("wieder verfügbar")


class ServiceNotice(models.Model):
    """One service residents use, how it is affected, and what they can do instead."""

    page = models.ForeignKey(StatusPage, on_delete=models.CASCADE, related_name="services")
    name = models.CharField(_("Dienstleistung"), max_length=SERVICE_NAME_MAX)
    state = models.CharField(_("Zustand"), max_length=12, choices=ServiceState.choices)
    alternative = models.TextField(_("Was Sie stattdessen tun können"), max_length=ALTERNATIVE_MAX, blank=True)
    position = models.PositiveSmallIntegerField(_("Reihenfolge"), default=0)

    class Meta:
        verbose_name = _("Betroffene Dienstleistung")
        verbose_name_plural = _("Betroffene Dienstleistungen")
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(state__in=ServiceState.values), name="servicenotice_state_valid"),
            length_between("name", 2, SERVICE_NAME_MAX, name="servicenotice_name_length"),
            length_between("alternative", 0, ALTERNATIVE_MAX, name="servicenotice_alternative_length"),
            models.CheckConstraint(
                condition=Q(position__gte=0, position__lt=MAX_SERVICES), name="servicenotice_position_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}: {self.get_state_display()}"


class StatusUpdate(models.Model):
    """A dated message on the page ("Update 14:30: Das Bürgerbüro öffnet morgen wieder."). The time
    is the moment it was posted (set by the service, never entered)."""

    page = models.ForeignKey(StatusPage, on_delete=models.CASCADE, related_name="updates")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    at = models.DateTimeField(default=timezone.now)
    text = models.TextField(_("Meldung"), max_length=UPDATE_MAX)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("Meldung")
        verbose_name_plural = _("Meldungen")
        ordering = ["-at", "-id"]
        constraints = [
            length_between("text", 3, UPDATE_MAX, name="statusupdate_text_length"),
            datetime_range_check("at", name="statusupdate_at_plausible", null=False),
        ]

    def __str__(self) -> str:
        return self.text[:60]
