"""Forms for a provider's billing data (the XRechnung seller): the normalisation both the ministry's
provider form and the provider's own billing data form share, and the provider's own form.

Identifiers are normalised before the model's validators see them (blanks out, capitals: people paste
"DE02 1203 0000 …"); the model then checks the formats (USt-IdNr. DE + nine digits, tax number, IBAN with
its ISO 7064 MOD 97-10 check digits, BIC) and the database its CHECK constraints."""

from __future__ import annotations

from django import forms
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from . import billing_ids
from .models import SELF_SERVICE_FIELDS, Provider

EMAIL_INVALID = _("Bitte eine gültige E-Mail-Adresse eingeben.")
#: What an XRechnung needs (Provider.billing_gaps); the BIC is optional, VAT ID or tax number (clean()).
REQUIRED_FOR_XRECHNUNG = (
    "legal_name",
    "street",
    "postcode",
    "city",
    "iban",
    "billing_contact_name",
    "billing_contact_phone",
    "billing_contact_email",
)
#: Room for the blanks people paste into these; the stored value is checked by the model.
PASTED_MAX_LENGTH = 50


class BillingFieldsMixin:
    """Normalises VAT ID, IBAN, BIC and tax number of a ModelForm over Provider."""

    def _widen_pasted_fields(self) -> None:
        for name in ("vat_id", "iban", "bic"):
            field = self.fields[name]
            field.validators = [v for v in field.validators if not isinstance(v, MaxLengthValidator)]
            field.max_length = field.widget.attrs["maxlength"] = PASTED_MAX_LENGTH

    def _normalised(self, name: str) -> str:
        return billing_ids.normalise(self.cleaned_data.get(name, ""))

    def clean_vat_id(self):
        return self._normalised("vat_id")

    def clean_iban(self):
        return self._normalised("iban")

    def clean_bic(self):
        return self._normalised("bic")

    def clean_tax_number(self):
        return " ".join(self.cleaned_data.get("tax_number", "").split())


class ProviderBillingForm(BillingFieldsMixin, forms.ModelForm):
    """The provider's own billing data, complete enough for an XRechnung."""

    class Meta:
        model = Provider
        fields = list(SELF_SERVICE_FIELDS)
        error_messages = {
            "legal_name": {"unique": _("Ein anderer Dienstleister ist bereits unter diesem Firmennamen angelegt.")},
            "billing_contact_email": {"invalid": EMAIL_INVALID},
        }
        widgets = {
            "postcode": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "postal-code"}),
            "billing_contact_phone": forms.TextInput(attrs={"type": "tel"}),
            "iban": forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._widen_pasted_fields()
        for name in REQUIRED_FOR_XRECHNUNG:
            self.fields[name].required = True
        self.fields["legal_name"].help_text = _("So steht er als Rechnungssteller auf Ihren Rechnungen.")

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("vat_id") and not cleaned.get("tax_number") and not self.has_error("vat_id"):
            self.add_error("vat_id", _("Bitte die USt-IdNr. oder, falls Sie keine haben, die Steuernummer angeben."))
        return cleaned
