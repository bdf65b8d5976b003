"""Settlement (Abrechnung): the provider's statement of services (Leistungsnachweis) for a call-off
and a period, priced from the contract, confirmed or disputed by the body, approved by the payer.

* ``BillingTerms``: the contract's billing settings (VAT, travel flat rate, who pays, the
  ministry's Leitweg-ID, the hold after a provider's bank change), one row per contract, edited by
  the ministry; defaults until then.
* ``RateVersion``: an hourly rate of a role valid from a day on. The rate of a day of work is the
  newest version valid on that day, else the role's rate on the contract page.
* ``Statement``: one statement (or credit note) with its state and totals; ``StatementItem``: one
  time entry in it (hours as the provider claims them, the body's dispute, the provider's answer);
  ``StatementLine``: the priced lines (work, surcharges, travel), rebuilt from the items until
  approval and frozen after it.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from calloffs.models import CallOff, FrameworkContract, Provider, RoleRate, ServiceModule, TimeEntry
from digisos.plausible import (
    HOURLY_RATE,
    HOURS_PER_DAY,
    MONEY,
    PERCENT,
    NumberRange,
    date_range_check,
    number_range_check,
    range_validator,
)
from tenants.leitweg import LEITWEG_PATTERN, validate_leitweg_id
from tenants.leitweg import MAX_LENGTH as LEITWEG_MAX_LENGTH

ZERO = Decimal("0")
#: VAT rate a contract may set (German rates are 0, 7 and 19 %).
VAT_MAX = Decimal("30")
#: A travel flat rate per on-site day, at most.
TRAVEL_MAX = Decimal("10000")
#: Days after a change of a provider's bank details in which its invoices carry a warning (0: none).
BANK_CHANGE_HOLD = NumberRange(Decimal("0"), Decimal("90"), decimal_places=0)
BANK_CHANGE_HOLD_DEFAULT = 14


def money(verbose_name, **kwargs) -> models.DecimalField:
    kwargs.setdefault("validators", [MinValueValidator(ZERO), MaxValueValidator(MONEY.high)])
    return models.DecimalField(verbose_name, max_digits=14, decimal_places=2, **kwargs)


class Payer(models.TextChoices):
    MINISTRY = "ministry", _("Ministerium (landesfinanziert)")
    BODY = "body", _("Abrufende Stelle")
    #: Per service module: the modules the contract lists are paid by the body, all others (and
    #: hours without a module) by the ministry. A statement with both gets one invoice per payer.
    SPLIT = "split", _("Aufgeteilt nach Leistungsmodul")


#: Who can receive an invoice (a split statement has one invoice for each of them).
INVOICE_PAYERS = (Payer.MINISTRY, Payer.BODY)


class BillingTerms(models.Model):
    """How a contract is billed. Absent row = the defaults (19 % VAT, no travel flat, ministry pays)."""

    contract = models.OneToOneField(
        FrameworkContract, on_delete=models.CASCADE, related_name="+", verbose_name=_("Rahmenvertrag")
    )
    vat_percent = models.DecimalField(
        _("Umsatzsteuer (%)"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("19.00"),
        validators=[MinValueValidator(ZERO), MaxValueValidator(VAT_MAX)],
    )
    travel_flat_rate = models.DecimalField(
        _("Reisepauschale je Einsatztag vor Ort (EUR)"),
        max_digits=7,
        decimal_places=2,
        default=ZERO,
        validators=[MinValueValidator(ZERO), MaxValueValidator(TRAVEL_MAX)],
    )
    payer = models.CharField(_("Rechnungsempfänger"), max_length=10, choices=Payer.choices, default=Payer.MINISTRY)
    body_modules = models.ManyToManyField(
        ServiceModule,
        blank=True,
        related_name="+",
        verbose_name=_("Von der Stelle bezahlte Leistungsmodule"),
        help_text=_("Nur bei „Aufgeteilt nach Leistungsmodul“: alle anderen Leistungen bezahlt das Ministerium."),
    )
    holiday_surcharge_percent = models.DecimalField(
        _("Feiertagszuschlag (%)"),
        max_digits=5,
        decimal_places=2,
        default=ZERO,
        validators=[MinValueValidator(PERCENT.low), MaxValueValidator(PERCENT.high)],
        help_text=_("Auf die Stunden an gesetzlichen Feiertagen in NRW, wie sonntags; 0 = kein Zuschlag."),
    )
    ministry_leitweg_id = models.CharField(
        _("Leitweg-ID des Ministeriums"),
        max_length=LEITWEG_MAX_LENGTH,
        blank=True,
        validators=[validate_leitweg_id],
    )
    bank_change_hold_days = models.PositiveSmallIntegerField(
        _("Prüffrist nach geänderter Bankverbindung (Tage)"),
        default=BANK_CHANGE_HOLD_DEFAULT,
        validators=[range_validator(BANK_CHANGE_HOLD)],
        help_text=_(
            "Rechnungen, die so viele Tage nach einer Änderung der Bankverbindung des Dienstleisters ausgestellt "
            "werden, zeigt das Portal dem Rechnungsempfänger mit einem Warnhinweis; 0 = kein Hinweis."
        ),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("Abrechnungsregeln")
        verbose_name_plural = _("Abrechnungsregeln")
        constraints = [
            models.CheckConstraint(condition=Q(vat_percent__gte=0, vat_percent__lte=VAT_MAX), name="billing_vat_range"),
            models.CheckConstraint(
                condition=Q(travel_flat_rate__gte=0, travel_flat_rate__lte=TRAVEL_MAX), name="billing_travel_range"
            ),
            models.CheckConstraint(
                condition=Q(ministry_leitweg_id="") | Q(ministry_leitweg_id__regex=LEITWEG_PATTERN),
                name="billing_ministry_leitweg_id_format",
            ),
            models.CheckConstraint(condition=Q(payer__in=Payer.values), name="billing_payer_known"),
            number_range_check(
                "holiday_surcharge_percent", PERCENT, name="billing_holiday_surcharge_range", null=False
            ),
            number_range_check(
                "bank_change_hold_days", BANK_CHANGE_HOLD, name="billing_bank_change_hold_range", null=False
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contract_id}: {self.vat_percent} %"


class RateVersion(models.Model):
    """The hourly rate of a role from ``valid_from`` on (a price adjustment of the contract)."""

    role = models.ForeignKey(RoleRate, on_delete=models.CASCADE, related_name="+", verbose_name=_("Rolle"))
    valid_from = models.DateField(_("Gültig ab"))
    hourly_rate = models.DecimalField(
        _("Stundensatz (EUR)"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(HOURLY_RATE.low), MaxValueValidator(HOURLY_RATE.high)],
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Stundensatz ab Datum")
        verbose_name_plural = _("Stundensätze ab Datum")
        ordering = ["role", "valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["role", "valid_from"], name="rate_version_unique_day"),
            number_range_check("hourly_rate", HOURLY_RATE, name="rate_version_hourly_rate_range", null=False),
            date_range_check("valid_from", name="rate_version_valid_from_plausible", null=False),
        ]

    def __str__(self) -> str:
        return f"{self.role_id} ab {self.valid_from}: {self.hourly_rate}"


class StatementKind(models.TextChoices):
    STATEMENT = "statement", _("Leistungsnachweis")
    CREDIT_NOTE = "credit_note", _("Gutschrift")


class StatementState(models.TextChoices):
    SUBMITTED = "submitted", _("Eingereicht – Bestätigung der Stelle ausstehend")
    DISPUTED = "disputed", _("Beanstandet – Antwort des Dienstleisters ausstehend")
    CORRECTED = "corrected", _("Beantwortet – erneute Prüfung der Stelle ausstehend")
    CONFIRMED = "confirmed", _("Bestätigt – Freigabe ausstehend")
    APPROVED = "approved", _("Freigegeben")


ST = StatementState
#: The statement's lifecycle; the services check every move against it.
STATEMENT_TRANSITIONS: dict[str, frozenset[str]] = {
    ST.SUBMITTED: frozenset({ST.CONFIRMED, ST.DISPUTED}),
    ST.DISPUTED: frozenset({ST.CORRECTED}),
    ST.CORRECTED: frozenset({ST.CONFIRMED, ST.DISPUTED}),
    ST.CONFIRMED: frozenset({ST.APPROVED}),
    ST.APPROVED: frozenset(),
}


class StatementQuerySet(models.QuerySet):
    def visible_to(self, user) -> StatementQuerySet:
        """Through the call-off: whoever sees the call-off (calloffs' rule) sees its statements,
        except provider staff, who see only their own provider's statements."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        from calloffs.permissions import provider_ids_of

        visible = self.filter(calloff__in=CallOff.objects.visible_to(user).values("pk"))
        providers = provider_ids_of(user)
        if providers and not user.is_ministry_staff:
            visible = visible.filter(provider_id__in=providers)
        return visible


class Statement(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    number = models.CharField(_("Nummer"), max_length=30, unique=True)
    kind = models.CharField(_("Art"), max_length=12, choices=StatementKind.choices, default=StatementKind.STATEMENT)
    calloff = models.ForeignKey(CallOff, on_delete=models.PROTECT, related_name="+", verbose_name=_("Abruf"))
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="+", verbose_name=_("Dienstleister"))
    corrects = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="credit_notes",
        verbose_name=_("Storniert Leistungsnachweis"),
    )
    period_start = models.DateField(_("Zeitraum von"))
    period_end = models.DateField(_("Zeitraum bis"))
    state = models.CharField(_("Status"), max_length=10, choices=StatementState.choices, default=ST.SUBMITTED)
    payer = models.CharField(_("Rechnungsempfänger"), max_length=10, choices=Payer.choices)
    vat_percent = models.DecimalField(_("Umsatzsteuer (%)"), max_digits=4, decimal_places=2)
    # The contract's surcharge settings at submission (as the rates and the VAT rate): a correction is
    # repriced with these, never with settings the ministry changed since.
    night_surcharge_percent = models.DecimalField(_("Nachtzuschlag (%)"), max_digits=5, decimal_places=2, default=ZERO)
    weekend_surcharge_percent = models.DecimalField(
        _("Wochenendzuschlag (%)"), max_digits=5, decimal_places=2, default=ZERO
    )
    holiday_surcharge_percent = models.DecimalField(
        _("Feiertagszuschlag (%)"), max_digits=5, decimal_places=2, default=ZERO
    )
    travel_flat_rate = models.DecimalField(
        _("Reisepauschale je Einsatztag vor Ort (EUR)"), max_digits=7, decimal_places=2, default=ZERO
    )
    net_total = money(_("Netto (EUR)"), default=ZERO)
    vat_total = money(_("Umsatzsteuer (EUR)"), default=ZERO)
    gross_total = money(_("Brutto (EUR)"), default=ZERO)
    note = models.TextField(_("Begründung"), blank=True)
    submitted_at = models.DateTimeField(_("Eingereicht am"), default=timezone.now)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    confirmed_at = models.DateTimeField(_("Bestätigt am"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(_("Freigegeben am"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = StatementQuerySet.as_manager()

    class Meta:
        verbose_name = _("Leistungsnachweis")
        verbose_name_plural = _("Leistungsnachweise")
        ordering = ["calloff", "submitted_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(period_end__gte=F("period_start")), name="statement_period_order"),
            date_range_check("period_start", name="statement_period_start_plausible", null=False),
            date_range_check("period_end", name="statement_period_end_plausible", null=False),
            models.CheckConstraint(
                condition=Q(vat_percent__gte=0, vat_percent__lte=VAT_MAX), name="statement_vat_range"
            ),
            number_range_check("night_surcharge_percent", PERCENT, name="statement_night_surcharge_range", null=False),
            number_range_check(
                "weekend_surcharge_percent", PERCENT, name="statement_weekend_surcharge_range", null=False
            ),
            number_range_check(
                "holiday_surcharge_percent", PERCENT, name="statement_holiday_surcharge_range", null=False
            ),
            models.CheckConstraint(
                condition=Q(travel_flat_rate__gte=0, travel_flat_rate__lte=TRAVEL_MAX), name="statement_travel_range"
            ),
            models.CheckConstraint(
                condition=Q(net_total__gte=0, vat_total__gte=0, gross_total=F("net_total") + F("vat_total")),
                name="statement_totals_consistent",
            ),
            models.CheckConstraint(
                condition=~Q(state=ST.APPROVED) | Q(approved_at__isnull=False), name="statement_approved_has_time"
            ),
            models.CheckConstraint(
                condition=Q(kind=StatementKind.STATEMENT, corrects__isnull=True)
                | Q(kind=StatementKind.CREDIT_NOTE, corrects__isnull=False, state=ST.APPROVED),
                name="statement_credit_note_refers",
            ),
            models.UniqueConstraint(
                fields=["corrects"], condition=Q(kind=StatementKind.CREDIT_NOTE), name="statement_credited_once"
            ),
        ]
        indexes = [models.Index(fields=["calloff", "state"], name="statement_calloff_state")]

    def __str__(self) -> str:
        return self.number

    @property
    def is_credit_note(self) -> bool:
        return self.kind == StatementKind.CREDIT_NOTE

    @property
    def is_locked(self) -> bool:
        """Approved statements (and credit notes) never change again."""
        return self.state == ST.APPROVED

    def can_move_to(self, state: str) -> bool:
        return state in STATEMENT_TRANSITIONS.get(self.state, frozenset())


class DisputeState(models.TextChoices):
    NONE = "", _("Keine Beanstandung")
    OPEN = "open", _("Beanstandet")
    CORRECTED = "corrected", _("Berichtigt")
    KEPT = "kept", _("Beibehalten")


class StatementItem(models.Model):
    """One time entry in a statement, as the provider bills it (correctable until confirmation)."""

    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="items")
    time_entry = models.ForeignKey(TimeEntry, on_delete=models.PROTECT, related_name="+")
    date = models.DateField(_("Datum"))
    role_name = models.CharField(_("Rolle"), max_length=100)
    person = models.CharField(_("Person"), max_length=200, blank=True)
    description = models.TextField(_("Tätigkeit"))
    hours = models.DecimalField(_("Stunden"), max_digits=4, decimal_places=2)
    night_hours = models.DecimalField(_("davon Nachtstunden"), max_digits=4, decimal_places=2, default=ZERO)
    onsite = models.BooleanField(_("Vor Ort"), default=False)
    hourly_rate = models.DecimalField(_("Stundensatz (EUR)"), max_digits=14, decimal_places=2)
    payer = models.CharField(_("Rechnungsempfänger"), max_length=10, choices=Payer.choices, default=Payer.MINISTRY)
    dispute = models.CharField(
        _("Beanstandung"), max_length=10, choices=DisputeState.choices, default=DisputeState.NONE, blank=True
    )
    dispute_reason = models.TextField(_("Grund der Beanstandung"), blank=True)
    answer = models.TextField(_("Antwort des Dienstleisters"), blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("Position")
        verbose_name_plural = _("Positionen")
        ordering = ["statement", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["statement", "time_entry"], name="statement_item_entry_once"),
            models.CheckConstraint(
                condition=Q(hours__gte=0, hours__lte=HOURS_PER_DAY.high), name="statement_item_hours_range"
            ),
            models.CheckConstraint(
                condition=Q(night_hours__gte=0, night_hours__lte=F("hours")), name="statement_item_night_le_hours"
            ),
            models.CheckConstraint(condition=Q(hourly_rate__gte=0), name="statement_item_rate_non_negative"),
            models.CheckConstraint(
                condition=~Q(dispute=DisputeState.OPEN) | ~Q(dispute_reason=""), name="statement_item_dispute_reason"
            ),
            models.CheckConstraint(condition=Q(payer__in=INVOICE_PAYERS), name="statement_item_payer_one"),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.hours} h {self.role_name}"


class LineKind(models.TextChoices):
    WORK = "work", _("Leistung")
    NIGHT = "night", _("Nachtzuschlag")
    WEEKEND = "weekend", _("Wochenendzuschlag")
    HOLIDAY = "holiday", _("Feiertagszuschlag")
    TRAVEL = "travel", _("Reisepauschale")


class StatementLine(models.Model):
    """A priced line: quantity × unit price (× percent for a surcharge), rounded half up to the cent."""

    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey(StatementItem, null=True, blank=True, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField()
    kind = models.CharField(_("Art"), max_length=8, choices=LineKind.choices)
    date = models.DateField(_("Datum"))
    description = models.CharField(_("Bezeichnung"), max_length=300)
    quantity = models.DecimalField(_("Menge"), max_digits=8, decimal_places=2)
    unit = models.CharField(_("Einheit"), max_length=3)  # UN/ECE Rec. 20: HUR hour, DAY day
    unit_price = models.DecimalField(_("Einzelpreis (EUR)"), max_digits=14, decimal_places=2)
    percent = models.DecimalField(_("Zuschlag (%)"), max_digits=7, decimal_places=2, null=True, blank=True)
    amount = money(_("Betrag (EUR)"))
    payer = models.CharField(_("Rechnungsempfänger"), max_length=10, choices=Payer.choices, default=Payer.MINISTRY)

    class Meta:
        verbose_name = _("Preiszeile")
        verbose_name_plural = _("Preiszeilen")
        ordering = ["statement", "position"]
        constraints = [
            models.UniqueConstraint(fields=["statement", "position"], name="statement_line_position_unique"),
            models.CheckConstraint(
                condition=Q(quantity__gte=0, unit_price__gte=0, amount__gte=0), name="statement_line_non_negative"
            ),
            models.CheckConstraint(condition=Q(payer__in=INVOICE_PAYERS), name="statement_line_payer_one"),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.description}: {self.amount}"


class InvoiceSource(models.TextChoices):
    GENERATED = "generated", _("Vom Portal erzeugte XRechnung")
    UPLOADED = "uploaded", _("Vom Dienstleister hochgeladene XRechnung")


#: An uploaded XRechnung may have at most this many bytes (a statement has at most ~3000 lines).
INVOICE_MAX_BYTES = 2 * 1024 * 1024
SHA256_PATTERN = r"^[0-9a-f]{64}$"


class Invoice(models.Model):
    """The invoice issued for an approved statement (or credit note) to one payer: the XRechnung
    the provider fetched from the portal (generated) or the one it uploaded after the portal had
    checked it against the statement. Kept as issued (bytes and SHA-256) and never changed, except
    that an upload replaces a generated invoice the provider had only fetched."""

    statement = models.ForeignKey(Statement, on_delete=models.PROTECT, related_name="invoices")
    payer = models.CharField(_("Rechnungsempfänger"), max_length=10, choices=Payer.choices)
    number = models.CharField(_("Rechnungsnummer"), max_length=100)
    source = models.CharField(_("Herkunft"), max_length=10, choices=InvoiceSource.choices)
    xml = models.BinaryField(_("XRechnung (CII)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveIntegerField(_("Größe (Bytes)"))
    net_total = money(_("Netto (EUR)"))
    vat_total = money(_("Umsatzsteuer (EUR)"))
    gross_total = money(_("Brutto (EUR)"))
    issued_at = models.DateTimeField(_("Ausgestellt am"), default=timezone.now)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("Rechnung")
        verbose_name_plural = _("Rechnungen")
        ordering = ["statement", "payer"]
        constraints = [
            models.UniqueConstraint(fields=["statement", "payer"], name="invoice_one_per_payer"),
            models.CheckConstraint(condition=Q(payer__in=INVOICE_PAYERS), name="invoice_payer_one"),
            models.CheckConstraint(condition=Q(source__in=InvoiceSource.values), name="invoice_source_known"),
            models.CheckConstraint(condition=Q(sha256__regex=SHA256_PATTERN), name="invoice_sha256_hex"),
            models.CheckConstraint(condition=Q(size__gt=0, size__lte=INVOICE_MAX_BYTES), name="invoice_size_range"),
            # gross = net + VAT is the service's (SQLite compares these decimals as floats)
            models.CheckConstraint(
                condition=Q(net_total__gte=0, vat_total__gte=0, gross_total__gte=0), name="invoice_totals_non_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} ({self.get_source_display()})"
