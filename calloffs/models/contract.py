"""The framework contract (Rahmenvertrag) and its fixed terms: modules, rates, SLAs."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from digisos.plausible import date_range_check
from tenants.models import Organisation

from ..money import format_eur

ZERO = Decimal("0")


def money_field(verbose_name, **kwargs) -> models.DecimalField:
    """Money in EUR: 14 digits, 2 decimals, never negative."""
    kwargs.setdefault("validators", [MinValueValidator(ZERO)])
    return models.DecimalField(verbose_name, max_digits=14, decimal_places=2, **kwargs)


class Priority(models.TextChoices):
    P1 = "P1", _("P1 – Dienstbetrieb eingestellt")
    P2 = "P2", _("P2 – Dienstbetrieb erheblich beeinträchtigt")
    P3 = "P3", _("P3 – begrenzte Auswirkungen")


class ContractStatus(models.TextChoices):
    DRAFT = "draft", _("Entwurf")
    ACTIVE = "active", _("Aktiv")
    EXPIRED = "expired", _("Ausgelaufen")
    TERMINATED = "terminated", _("Beendet")


class FrameworkContractQuerySet(models.QuerySet):
    def in_force(self, day: date | None = None) -> FrameworkContractQuerySet:
        """Active contracts whose term covers ``day`` (today by default)."""
        day = day or timezone.localdate()
        return self.filter(status=ContractStatus.ACTIVE, start_date__lte=day, end_date__gte=day)


class FrameworkContract(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    reference = models.CharField(_("Vertragsnummer"), max_length=60, unique=True)
    title = models.CharField(_("Bezeichnung"), max_length=255)
    contracting_authority = models.CharField(_("Auftraggeber"), max_length=255)
    start_date = models.DateField(_("Laufzeitbeginn"))
    end_date = models.DateField(_("Laufzeitende"))
    extension_options = models.TextField(_("Verlängerungsoptionen"), blank=True)
    estimated_value = money_field(_("Geschätztes Auftragsvolumen (EUR)"))
    ceiling = money_field(
        _("Höchstwert (EUR)"),
        help_text=_("Ist der Höchstwert erreicht, ist der Rahmenvertrag ausgeschöpft."),
    )
    status = models.CharField(_("Status"), max_length=12, choices=ContractStatus.choices, default=ContractStatus.DRAFT)
    night_surcharge_percent = models.DecimalField(
        _("Nachtzuschlag (%)"),
        max_digits=5,
        decimal_places=2,
        default=ZERO,
        validators=[MinValueValidator(ZERO)],
    )
    weekend_surcharge_percent = models.DecimalField(
        _("Wochenendzuschlag (%)"),
        max_digits=5,
        decimal_places=2,
        default=ZERO,
        validators=[MinValueValidator(ZERO)],
    )
    all_bodies_entitled = models.BooleanField(
        _("Alle abrufberechtigten Stellen"),
        default=True,
        help_text=_("Aus: Nur die unten ausgewählten Stellen dürfen abrufen."),
    )
    entitled_bodies = models.ManyToManyField(
        Organisation, verbose_name=_("Berechtigte Stellen"), blank=True, related_name="entitled_contracts"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = FrameworkContractQuerySet.as_manager()

    class Meta:
        verbose_name = _("Rahmenvertrag")
        verbose_name_plural = _("Rahmenverträge")
        ordering = ["-start_date", "reference"]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gt=models.F("start_date")), name="contract_term_order"),
            date_range_check("start_date", name="contract_start_date_plausible", null=False),
            date_range_check("end_date", name="contract_end_date_plausible", null=False),
            models.CheckConstraint(
                condition=Q(ceiling__gte=models.F("estimated_value")), name="contract_ceiling_ge_estimate"
            ),
            models.CheckConstraint(
                condition=Q(estimated_value__gte=0, ceiling__gte=0), name="contract_amounts_non_negative"
            ),
            models.CheckConstraint(
                condition=Q(night_surcharge_percent__gte=0, weekend_surcharge_percent__gte=0),
                name="contract_surcharges_non_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} – {self.title}"

    def clean(self):
        errors: dict[str, list] = {}
        if self.start_date and self.end_date and self.end_date <= self.start_date:
            errors.setdefault("end_date", []).append(_("Das Laufzeitende muss nach dem Laufzeitbeginn liegen."))
        for name, label in (
            ("estimated_value", _("Das geschätzte Auftragsvolumen")),
            ("ceiling", _("Der Höchstwert")),
            ("night_surcharge_percent", _("Der Nachtzuschlag")),
            ("weekend_surcharge_percent", _("Der Wochenendzuschlag")),
        ):
            value = getattr(self, name)
            if value is not None and value < 0:
                errors.setdefault(name, []).append(_("%(label)s darf nicht negativ sein.") % {"label": label})
        if self.ceiling is not None and self.estimated_value is not None and self.ceiling < self.estimated_value:
            errors.setdefault("ceiling", []).append(
                _("Der Höchstwert darf nicht unter dem geschätzten Auftragsvolumen liegen.")
            )
        if errors:
            raise ValidationError(errors)

    def is_in_force(self, day: date | None = None) -> bool:
        day = day or timezone.localdate()
        return self.status == ContractStatus.ACTIVE and self.start_date <= day <= self.end_date

    def is_entitled(self, organisation: Organisation, day: date | None = None) -> bool:
        """May this body call off under this contract on ``day``?"""
        day = day or timezone.localdate()
        if not self.is_in_force(day) or not organisation.is_eligible(day):
            return False
        return self.all_bodies_entitled or self.entitled_bodies.filter(pk=organisation.pk).exists()


class Unit(models.TextChoices):
    HOUR = "hour", _("Stunde")
    DAY = "day", _("Personentag")
    FLAT = "flat", _("Pauschale")


class ServiceModule(models.Model):
    """A service module (Leistungsmodul) with its contract price per unit."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    contract = models.ForeignKey(
        FrameworkContract,
        on_delete=models.CASCADE,
        related_name="service_modules",
        verbose_name=_("Rahmenvertrag"),
    )
    code = models.CharField(_("Kürzel"), max_length=20)
    name = models.CharField(_("Bezeichnung"), max_length=200)
    description = models.TextField(_("Beschreibung"), blank=True)
    unit = models.CharField(_("Einheit"), max_length=8, choices=Unit.choices, default=Unit.HOUR)
    price = money_field(_("Preis je Einheit (EUR)"))
    position = models.PositiveSmallIntegerField(_("Reihenfolge"), default=0)

    class Meta:
        verbose_name = _("Leistungsmodul")
        verbose_name_plural = _("Leistungsmodule")
        ordering = ["contract", "position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "code"], name="service_module_code_unique"),
            models.CheckConstraint(condition=Q(price__gte=0), name="service_module_price_non_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def clean(self):
        if self.price is not None and self.price < 0:
            raise ValidationError({"price": _("Der Preis darf nicht negativ sein.")})


class RoleRate(models.Model):
    """An hourly rate per role, e.g. "Lead Incident Handler"; the basis of proof of work."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    contract = models.ForeignKey(
        FrameworkContract, on_delete=models.CASCADE, related_name="role_rates", verbose_name=_("Rahmenvertrag")
    )
    name = models.CharField(_("Rolle"), max_length=100)
    hourly_rate = money_field(_("Stundensatz (EUR)"))

    class Meta:
        verbose_name = _("Stundensatz")
        verbose_name_plural = _("Stundensätze")
        ordering = ["contract", "name"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "name"], name="role_rate_name_unique"),
            models.CheckConstraint(condition=Q(hourly_rate__gte=0), name="role_rate_non_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({format_eur(self.hourly_rate)}/h)"

    def clean(self):
        if self.hourly_rate is not None and self.hourly_rate < 0:
            raise ValidationError({"hourly_rate": _("Der Stundensatz darf nicht negativ sein.")})


class SLATerm(models.Model):
    """Service levels per priority, in minutes; the clocks of acceptance and response."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    contract = models.ForeignKey(
        FrameworkContract, on_delete=models.CASCADE, related_name="sla_terms", verbose_name=_("Rahmenvertrag")
    )
    priority = models.CharField(_("Priorität"), max_length=2, choices=Priority.choices)
    accept_minutes = models.PositiveIntegerField(
        _("Annahme des Angebots binnen (Min.)"), validators=[MinValueValidator(1)]
    )
    callback_minutes = models.PositiveIntegerField(_("Erster Rückruf binnen (Min.)"), validators=[MinValueValidator(1)])
    remote_start_minutes = models.PositiveIntegerField(
        _("Beginn der Remote-Unterstützung binnen (Min.)"), validators=[MinValueValidator(1)]
    )
    onsite_minutes = models.PositiveIntegerField(_("Vor Ort binnen (Min.)"), validators=[MinValueValidator(1)])

    class Meta:
        verbose_name = _("SLA-Vorgabe")
        verbose_name_plural = _("SLA-Vorgaben")
        ordering = ["contract", "priority"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "priority"], name="sla_term_priority_unique"),
            models.CheckConstraint(
                condition=Q(
                    accept_minutes__gt=0, callback_minutes__gt=0, remote_start_minutes__gt=0, onsite_minutes__gt=0
                ),
                name="sla_term_minutes_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contract.reference} {self.priority}"
