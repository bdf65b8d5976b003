"""Service providers (Dienstleister), their contacts and their staff accounts."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from digisos import plausible
from digisos.plausible import number_range_check, range_validator
from notifications.models import WebhookEndpoint
from tenants.models import Regierungsbezirk, phone_validator


def validate_regions(value) -> None:
    """A list of distinct Regierungsbezirke, at least one."""
    if not isinstance(value, list) or not value:
        raise ValidationError(_("Bitte mindestens einen Regierungsbezirk angeben."), code="regions_empty")
    unknown = [v for v in value if v not in Regierungsbezirk.values]
    if unknown:
        raise ValidationError(
            _("Unbekannter Regierungsbezirk: %(values)s. Erlaubt sind: %(allowed)s."),
            code="regions_unknown",
            params={"values": ", ".join(map(str, unknown)), "allowed": ", ".join(Regierungsbezirk.values)},
        )
    if len(set(value)) != len(value):
        raise ValidationError(_("Jeder Regierungsbezirk darf nur einmal vorkommen."), code="regions_duplicate")


def all_regions() -> list[str]:
    return list(Regierungsbezirk.values)


class ProviderQuerySet(models.QuerySet):
    def active(self) -> ProviderQuerySet:
        return self.filter(active=True)


class Provider(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    legal_name = models.CharField(_("Firmenname"), max_length=255, unique=True)
    short_name = models.CharField(_("Kurzname"), max_length=60)
    street = models.CharField(_("Straße und Hausnummer"), max_length=200, blank=True)
    postcode = models.CharField(_("Postleitzahl"), max_length=10, blank=True)
    city = models.CharField(_("Ort"), max_length=100, blank=True)
    hotline = models.CharField(_("Notfall-Hotline (24/7)"), max_length=30, validators=[phone_validator])
    email = models.EmailField(_("E-Mail-Adresse"))
    capacity = models.PositiveSmallIntegerField(
        _("Kapazität (gleichzeitige Einsätze)"),
        default=1,
        validators=[range_validator(plausible.CAPACITY)],
        help_text=_("Bei so vielen angenommenen oder laufenden Abrufen wird der Dienstleister übersprungen."),
    )
    regions = models.JSONField(_("Bediente Regierungsbezirke"), default=all_regions, validators=[validate_regions])
    active = models.BooleanField(_("Aktiv"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    #: The provider's webhook receivers (the outbox owns them generically).
    webhook_endpoints = GenericRelation(
        WebhookEndpoint, content_type_field="owner_type", object_id_field="owner_id", related_query_name="provider"
    )

    objects = ProviderQuerySet.as_manager()

    class Meta:
        verbose_name = _("Dienstleister")
        verbose_name_plural = _("Dienstleister")
        ordering = ["short_name"]
        constraints = [
            number_range_check("capacity", plausible.CAPACITY, name="provider_capacity_plausible", null=False)
        ]

    def __str__(self) -> str:
        return self.short_name or self.legal_name

    @property
    def address(self) -> str:
        place = " ".join(part for part in (self.postcode, self.city) if part)
        return ", ".join(part for part in (self.street, place) if part)

    def serves(self, regierungsbezirk: str) -> bool:
        """A body without a Regierungsbezirk (e.g. a state body) is served by every provider."""
        return not regierungsbezirk or regierungsbezirk in (self.regions or [])


class ProviderContact(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("Name"), max_length=200)
    role = models.CharField(_("Funktion"), max_length=200, blank=True)
    phone = models.CharField(_("Telefon"), max_length=30, blank=True, validators=[phone_validator])
    email = models.EmailField(_("E-Mail-Adresse"), blank=True)
    position = models.PositiveSmallIntegerField(
        _("Reihenfolge"), default=0, validators=[range_validator(plausible.POSITION)]
    )

    class Meta:
        verbose_name = _("Ansprechperson des Dienstleisters")
        verbose_name_plural = _("Ansprechpersonen des Dienstleisters")
        ordering = ["provider", "position", "id"]
        constraints = [
            number_range_check("position", plausible.POSITION, name="provider_contact_position_plausible", null=False)
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.provider})"


class ProviderMembership(models.Model):
    """The provider role of a user: this account acts for this provider (and only this one)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="provider_membership",
        verbose_name=_("Konto"),
    )
    provider = models.ForeignKey(
        Provider, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("Dienstleister")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Konto eines Dienstleisters")
        verbose_name_plural = _("Konten der Dienstleister")

    def __str__(self) -> str:
        return f"{self.user} @ {self.provider}"
