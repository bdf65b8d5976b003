"""The framework contract (Rahmenvertrag) and its fixed terms: modules, rates, SLAs."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from digisos import plausible
from digisos.plausible import NumberRange, date_range_check, number_range_check, order_check, range_validator
from tenants.models import Organisation

from ..money import format_eur

ZERO = Decimal("0")


def money_field(verbose_name, bounds: NumberRange = plausible.MONEY, **kwargs) -> models.DecimalField:
    """Money in EUR: 14 digits, 2 decimals, within ``bounds`` (never negative; digisos.plausible).
    The model's ``Meta.constraints`` repeat the bounds as a CHECK (``number_range_check``)."""
    kwargs.setdefault("validators", [range_validator(bounds)])
    return models.DecimalField(verbose_name, max_digits=14, decimal_places=2, **kwargs)


def sla_minutes_field(verbose_name) -> models.PositiveIntegerField:
    return models.PositiveIntegerField(verbose_name, validators=[range_validator(plausible.SLA_MINUTES)])


def position_field() -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        _("Reihenfolge"), default=0, validators=[range_validator(plausible.POSITION)]
    )


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
    start_date = models.DateField(_("Laufzeitbeginn"), validators=[plausible.validate_date])
    end_date = models.DateField(_("Laufzeitende"), validators=[plausible.validate_date])
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
        validators=[range_validator(plausible.PERCENT)],
    )
    weekend_surcharge_percent = models.DecimalField(
        _("Wochenendzuschlag (%)"),
        max_digits=5,
        decimal_places=2,
        default=ZERO,
        validators=[range_validator(plausible.PERCENT)],
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
            # The plausible ranges of digisos.plausible (the field validators say them in German).
            number_range_check("estimated_value", plausible.MONEY, name="contract_estimate_plausible", null=False),
            number_range_check("ceiling", plausible.MONEY, name="contract_ceiling_plausible", null=False),
            number_range_check(
                "night_surcharge_percent", plausible.PERCENT, name="contract_night_surcharge_plausible", null=False
            ),
            number_range_check(
                "weekend_surcharge_percent", plausible.PERCENT, name="contract_weekend_surcharge_plausible", null=False
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} – {self.title}"

    def clean(self):
        errors: dict[str, list] = {}
        if self.start_date and self.end_date and self.end_date <= self.start_date:
            errors.setdefault("end_date", []).append(_("Das Laufzeitende muss nach dem Laufzeitbeginn liegen."))
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
    price = money_field(_("Preis je Einheit (EUR)"), plausible.UNIT_PRICE)
    position = position_field()

    class Meta:
        verbose_name = _("Leistungsmodul")
        verbose_name_plural = _("Leistungsmodule")
        ordering = ["contract", "position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "code"], name="service_module_code_unique"),
            number_range_check("price", plausible.UNIT_PRICE, name="service_module_price_plausible", null=False),
            number_range_check("position", plausible.POSITION, name="service_module_position_plausible", null=False),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class RoleRate(models.Model):
    """An hourly rate per role, e.g. "Lead Incident Handler"; the basis of proof of work."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    contract = models.ForeignKey(
        FrameworkContract, on_delete=models.CASCADE, related_name="role_rates", verbose_name=_("Rahmenvertrag")
    )
    name = models.CharField(_("Rolle"), max_length=100)
    hourly_rate = money_field(_("Stundensatz (EUR)"), plausible.HOURLY_RATE)

    class Meta:
        verbose_name = _("Stundensatz")
        verbose_name_plural = _("Stundensätze")
        ordering = ["contract", "name"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "name"], name="role_rate_name_unique"),
            number_range_check("hourly_rate", plausible.HOURLY_RATE, name="role_rate_plausible", null=False),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({format_eur(self.hourly_rate)}/h)"


SLA_CLOCKS = ("accept_minutes", "callback_minutes", "remote_start_minutes", "onsite_minutes")


class SLATerm(models.Model):
    """Service levels per priority, in minutes; the clocks of acceptance and response."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    contract = models.ForeignKey(
        FrameworkContract, on_delete=models.CASCADE, related_name="sla_terms", verbose_name=_("Rahmenvertrag")
    )
    priority = models.CharField(_("Priorität"), max_length=2, choices=Priority.choices)
    accept_minutes = sla_minutes_field(_("Annahme des Angebots binnen (Min.)"))
    # The three clocks below start at acceptance; each comes no earlier than the one before.
    callback_minutes = sla_minutes_field(_("Erster Rückruf binnen (Min.)"))
    remote_start_minutes = sla_minutes_field(_("Beginn der Remote-Unterstützung binnen (Min.)"))
    onsite_minutes = sla_minutes_field(_("Vor Ort binnen (Min.)"))

    class Meta:
        verbose_name = _("SLA-Vorgabe")
        verbose_name_plural = _("SLA-Vorgaben")
        ordering = ["contract", "priority"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "priority"], name="sla_term_priority_unique"),
            *(
                number_range_check(name, plausible.SLA_MINUTES, name=f"sla_term_{name}_plausible", null=False)
                for name in SLA_CLOCKS
            ),
            order_check("callback_minutes", "remote_start_minutes", name="sla_term_remote_after_callback"),
            order_check("remote_start_minutes", "onsite_minutes", name="sla_term_onsite_after_remote"),
        ]

    def __str__(self) -> str:
        return f"{self.contract.reference} {self.priority}"

    def clean(self):
        """The clocks from acceptance come in order: call-back, then remote start, then on site."""
        errors: dict[str, list] = {}
        for earlier, later in (
            ("callback_minutes", "remote_start_minutes"),
            ("remote_start_minutes", "onsite_minutes"),
        ):
            first, then = getattr(self, earlier), getattr(self, later)
            if isinstance(first, int) and isinstance(then, int) and then < first:
                errors.setdefault(later, []).append(
                    _("Darf nicht kürzer sein als „%(other)s“ (%(minutes)s Min.).")
                    % {"other": self._meta.get_field(earlier).verbose_name, "minutes": first}
                )
        if errors:
            raise ValidationError(errors)
