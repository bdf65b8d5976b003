"""Service providers (Dienstleister), their contacts and their staff accounts."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import ValidationError
from django.core.validators import MinLengthValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from digisos import plausible
from digisos.plausible import number_range_check, range_validator
from notifications.models import WebhookEndpoint
from tenants.models import Regierungsbezirk, phone_validator

from .. import billing_ids as ids


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


#: A German postcode (the XRechnung seller's country is DE); a firm's name has at least this many characters.
POSTCODE_PATTERN = r"^[0-9]{5}$"
LEGAL_NAME_MIN = 2

#: The provider's billing data (XRechnung seller), as the forms and the demo name them.
BILLING_FIELDS = (
    "vat_id",
    "tax_number",
    "iban",
    "bic",
    "billing_contact_name",
    "billing_contact_phone",
    "billing_contact_email",
)

#: The bank details on its invoices: the account, the bank, and the account holder, which on the invoices
#: is the legal name (XRechnung BT-84, BT-86, BT-85). A change is told to the provider's accounts and the
#: ministry (calloffs.services.bank_change) and warned about to the payers for a while (settlement).
BANK_FIELDS = ("iban", "bic", "legal_name")
#: The audit action of a change of the bank details by the ministry (the provider's own change is a
#: ``provider.billing_data_updated`` with ``bank_account_changed``).
BANK_CHANGED_ACTION = "provider.bank_account_changed"

#: What a provider maintains itself in the portal: the seller on its invoices (calloffs.services.billing_data).
SELF_SERVICE_FIELDS = ("legal_name", "street", "postcode", "city", *BILLING_FIELDS)


class ProviderQuerySet(models.QuerySet):
    def active(self) -> ProviderQuerySet:
        return self.filter(active=True)


class Provider(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    legal_name = models.CharField(
        _("Firmenname"), max_length=255, unique=True, validators=[MinLengthValidator(LEGAL_NAME_MIN)]
    )
    short_name = models.CharField(_("Kurzname"), max_length=60)
    street = models.CharField(_("Straße und Hausnummer"), max_length=200, blank=True)
    postcode = models.CharField(
        _("Postleitzahl"),
        max_length=10,
        blank=True,
        validators=[RegexValidator(POSTCODE_PATTERN, _("Eine Postleitzahl hat fünf Ziffern."))],
    )
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
    # Billing data (XRechnung seller): tax registration, bank account, billing contact.
    vat_id = models.CharField(
        _("USt-IdNr."),
        max_length=ids.VAT_ID_MAX,
        blank=True,
        validators=[ids.validate_vat_id],
        help_text=_("Umsatzsteuer-Identifikationsnummer, z. B. DE123456789."),
    )
    tax_number = models.CharField(
        _("Steuernummer"),
        max_length=ids.TAX_NUMBER_MAX,
        blank=True,
        validators=[ids.validate_tax_number],
        help_text=_("Nur nötig, wenn keine USt-IdNr. angegeben ist."),
    )
    iban = models.CharField(_("IBAN"), max_length=ids.IBAN_MAX, blank=True, validators=[ids.validate_iban])
    bic = models.CharField(_("BIC"), max_length=ids.BIC_MAX, blank=True, validators=[ids.validate_bic])
    billing_contact_name = models.CharField(_("Ansprechperson Rechnungen"), max_length=100, blank=True)
    billing_contact_phone = models.CharField(
        _("Telefon Rechnungen"), max_length=30, blank=True, validators=[phone_validator]
    )
    billing_contact_email = models.EmailField(_("E-Mail-Adresse Rechnungen"), blank=True)
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
            number_range_check("capacity", plausible.CAPACITY, name="provider_capacity_plausible", null=False),
            models.CheckConstraint(
                condition=Q(vat_id="") | Q(vat_id__regex=ids.VAT_ID_PATTERN), name="provider_vat_id_format"
            ),
            models.CheckConstraint(
                condition=Q(tax_number="") | Q(tax_number__regex=ids.TAX_NUMBER_PATTERN),
                name="provider_tax_number_format",
            ),
            models.CheckConstraint(condition=Q(iban="") | Q(iban__regex=ids.IBAN_PATTERN), name="provider_iban_format"),
            models.CheckConstraint(condition=Q(bic="") | Q(bic__regex=ids.BIC_PATTERN), name="provider_bic_format"),
            models.CheckConstraint(
                condition=Q(postcode="") | Q(postcode__regex=POSTCODE_PATTERN), name="provider_postcode_format"
            ),
            models.CheckConstraint(condition=Q(legal_name__regex=r"^\S.*\S$"), name="provider_legal_name_plausible"),
            models.CheckConstraint(
                condition=Q(billing_contact_email="") | Q(billing_contact_email__regex=r"^[^@\s]+@[^@\s]+\.[^@\s]+$"),
                name="provider_billing_contact_email_shape",
            ),
        ]

    def __str__(self) -> str:
        return self.short_name or self.legal_name

    @property
    def address(self) -> str:
        place = " ".join(part for part in (self.postcode, self.city) if part)
        return ", ".join(part for part in (self.street, place) if part)

    def billing_gaps(self) -> list[str]:
        """What an XRechnung needs from the seller and this provider lacks (labels, German)."""
        needed = {
            "street": self.street,
            "postcode": self.postcode,
            "city": self.city,
            "vat_id": self.vat_id or self.tax_number,
            "iban": self.iban,
            "billing_contact_name": self.billing_contact_name,
            "billing_contact_phone": self.billing_contact_phone,
            "billing_contact_email": self.billing_contact_email,
        }
        labels = {"vat_id": _("USt-IdNr. oder Steuernummer")}
        return [
            str(labels.get(name) or self._meta.get_field(name).verbose_name)
            for name, value in needed.items()
            if not value
        ]

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
