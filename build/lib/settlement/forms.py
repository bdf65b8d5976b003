"""Forms of the statement pages; the rules are checked again by the services."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from calloffs.contract.forms import AmountField, HourlyRateField, PercentField
from calloffs.models import RoleRate, ServiceModule
from digisos import plausible
from tenants.leitweg import normalise

from .models import BANK_CHANGE_HOLD, INVOICE_MAX_BYTES, TRAVEL_MAX, VAT_MAX, BillingTerms, Payer
from .services import REASON_MAX


def _item_label(item) -> str:
    hours = number_format(item.hours, decimal_pos=2, use_l10n=True)
    who = f", {item.person}" if item.person else ""
    return f"{item.date:%d.%m.%Y} – {item.role_name}{who} – {hours} h"


class SubmitForm(forms.Form):
    """The period, and per time entry not yet billed its hours at night and whether it was worked
    on site, as the API takes them (``night_hours``, ``onsite``); entries outside the period are
    not billed and must carry neither."""

    period_start = plausible.PastDateField(label=_("Zeitraum von"), widget=plausible.DATE_WIDGET)
    period_end = plausible.PastDateField(label=_("Zeitraum bis"), widget=plausible.DATE_WIDGET)

    def __init__(self, *args, entries=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.entries = list(entries)
        for entry in self.entries:
            self.fields[f"night_{entry.pk}"] = plausible.bound_decimal_field(
                plausible.NumberRange(Decimal("0"), min(entry.hours, plausible.HOURS_PER_DAY.high)),
                label=_("Davon Nachtstunden"),
                required=False,
                localize=True,
                help_text=_("Höchstens die Stunden des Eintrags; leer = keine."),
            )
            self.fields[f"onsite_{entry.pk}"] = forms.BooleanField(label=_("Vor Ort gearbeitet"), required=False)

    def rows(self):
        """(entry, night field, on-site field) for the template."""
        return [(e, self[f"night_{e.pk}"], self[f"onsite_{e.pk}"]) for e in self.entries]

    def clean(self):
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("Das Ende des Zeitraums liegt vor seinem Beginn."))
        elif start and end:
            for entry in self.entries:
                if start <= entry.date <= end:
                    continue
                if data.get(f"night_{entry.pk}"):
                    self.add_error(f"night_{entry.pk}", _("Dieser Eintrag liegt außerhalb des Zeitraums."))
                if data.get(f"onsite_{entry.pk}"):
                    self.add_error(f"onsite_{entry.pk}", _("Dieser Eintrag liegt außerhalb des Zeitraums."))
        return data

    def night_hours(self) -> dict[str, Decimal]:
        return {
            str(e.public_id): self.cleaned_data[f"night_{e.pk}"]
            for e in self.entries
            if self.cleaned_data.get(f"night_{e.pk}")
        }

    def onsite(self) -> set[str]:
        return {str(e.public_id) for e in self.entries if self.cleaned_data.get(f"onsite_{e.pk}")}

    def field_for(self, service_field: str | None) -> str | None:
        """The form field of a service error's field (``night_hours.<entry id>``, ``entries``)."""
        if service_field in self.fields:
            return service_field
        if service_field and service_field.startswith("night_hours."):
            key = service_field.split(".", 1)[1]
            for entry in self.entries:
                if str(entry.public_id) == key:
                    return f"night_{entry.pk}"
        return None


class DisputeForm(forms.Form):
    """One optional reason per item; the items with a reason are disputed."""

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = {f"reason_{item.pk}": item for item in items}
        for name, item in self.items.items():
            self.fields[name] = forms.CharField(
                label=_item_label(item),
                required=False,
                max_length=REASON_MAX,
                widget=forms.Textarea(attrs={"rows": 2}),
                help_text=_("Grund der Beanstandung; leer lassen, wenn die Position stimmt."),
            )

    def clean(self):
        data = super().clean()
        if not any((data.get(name) or "").strip() for name in self.items):
            raise forms.ValidationError(_("Bitte mindestens eine Position mit Grund beanstanden."))
        return data

    def reasons(self) -> dict[str, str]:
        return {
            str(item.time_entry.public_id): self.cleaned_data[name].strip()
            for name, item in self.items.items()
            if (self.cleaned_data.get(name) or "").strip()
        }


class AnswerForm(forms.Form):
    """Per disputed item: correct (with the new hours) or keep, and a note."""

    CHOICES = [("correct", _("Berichtigen")), ("keep", _("Beibehalten"))]

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = list(items)
        for item in self.items:
            self.fields[f"action_{item.pk}"] = forms.ChoiceField(
                label=_item_label(item), choices=self.CHOICES, widget=forms.RadioSelect
            )
            self.fields[f"hours_{item.pk}"] = plausible.bound_decimal_field(
                plausible.NumberRange(Decimal("0"), item.hours),
                label=_("Berichtigte Stunden"),
                required=False,
                localize=True,
                help_text=_("Nur beim Berichtigen: höchstens die bisherigen Stunden."),
            )
            self.fields[f"note_{item.pk}"] = forms.CharField(
                label=_("Antwort"), max_length=REASON_MAX, widget=forms.Textarea(attrs={"rows": 2})
            )

    def clean(self):
        data = super().clean()
        for item in self.items:
            if data.get(f"action_{item.pk}") == "correct" and data.get(f"hours_{item.pk}") is None:
                self.add_error(f"hours_{item.pk}", _("Bitte die berichtigten Stunden angeben."))
        return data

    def answers(self) -> dict[str, dict]:
        answers = {}
        for item in self.items:
            answer = {"action": self.cleaned_data[f"action_{item.pk}"], "note": self.cleaned_data[f"note_{item.pk}"]}
            if answer["action"] == "correct":
                answer["hours"] = self.cleaned_data[f"hours_{item.pk}"]
            answers[str(item.time_entry.public_id)] = answer
        return answers


class CreditForm(forms.Form):
    reason = forms.CharField(
        label=_("Grund der Gutschrift"), max_length=REASON_MAX, widget=forms.Textarea(attrs={"rows": 2})
    )


class VatPercentField(AmountField):
    bounds = plausible.NumberRange(Decimal("0"), VAT_MAX)


class TravelFlatRateField(AmountField):
    bounds = plausible.NumberRange(Decimal("0"), TRAVEL_MAX)


class BillingTermsForm(forms.ModelForm):
    """The limits (VAT, travel flat rate, holiday surcharge) are the fields' plausible ranges, the same
    as the model's validators and CHECK constraints, with the portal's one message for a range."""

    class Meta:
        model = BillingTerms
        fields = [
            "vat_percent",
            "travel_flat_rate",
            "holiday_surcharge_percent",
            "payer",
            "body_modules",
            "ministry_leitweg_id",
            "bank_change_hold_days",
        ]
        field_classes = {
            "vat_percent": VatPercentField,
            "travel_flat_rate": TravelFlatRateField,
            "holiday_surcharge_percent": PercentField,
        }
        widgets = {"body_modules": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        modules = self.fields["body_modules"]
        modules.queryset = ServiceModule.objects.filter(contract_id=self.instance.contract_id).order_by(
            "position", "code"
        )
        modules.label_from_instance = lambda module: f"{module.code} – {module.name}"
        self.fields["holiday_surcharge_percent"].required = False  # empty: no holiday surcharge
        hold = self.fields["bank_change_hold_days"]
        hold.min_value, hold.max_value = int(BANK_CHANGE_HOLD.low), int(BANK_CHANGE_HOLD.high)
        hold.validators = [plausible.range_validator(BANK_CHANGE_HOLD)]
        hold.widget.attrs.update(min=hold.min_value, max=hold.max_value, inputmode="numeric", step=1)
        hold.required = False  # empty: keep what is set (the default until the ministry sets one)

    def clean_holiday_surcharge_percent(self):
        return self.cleaned_data.get("holiday_surcharge_percent") or Decimal("0")

    def clean_bank_change_hold_days(self):
        value = self.cleaned_data.get("bank_change_hold_days")
        return self.instance.bank_change_hold_days if value is None else value

    def clean_ministry_leitweg_id(self):
        return normalise(self.cleaned_data.get("ministry_leitweg_id") or "")


class RateVersionForm(forms.Form):
    role = forms.ModelChoiceField(label=_("Rolle"), queryset=RoleRate.objects.none())
    valid_from = plausible.PlausibleDateField(label=_("Gültig ab"), widget=plausible.DATE_WIDGET)
    hourly_rate = HourlyRateField(label=_("Stundensatz (EUR)"), max_digits=14, decimal_places=2)

    def __init__(self, *args, contract, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].queryset = RoleRate.objects.filter(contract=contract).order_by("name")


class InvoiceUploadForm(forms.Form):
    """The provider's own XRechnung (CII XML) for an approved statement; checked by the service."""

    invoice = forms.FileField(
        label=_("XRechnung (CII-XML)"),
        help_text=_("Höchstens 2 MiB. Sie wird gegen den freigegebenen Leistungsnachweis geprüft."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xml,application/xml,text/xml"}),
    )

    def __init__(self, *args, payers, **kwargs):
        super().__init__(*args, **kwargs)
        if len(payers) > 1:
            self.fields["payer"] = forms.ChoiceField(
                label=_("Rechnungsempfänger"), choices=[(p, Payer(p).label) for p in payers]
            )

    def clean_invoice(self):
        upload = self.cleaned_data["invoice"]
        if upload.size > INVOICE_MAX_BYTES:
            raise forms.ValidationError(
                _("Die Rechnung ist zu groß (höchstens {limit} Bytes).").format(limit=INVOICE_MAX_BYTES)
            )
        return upload
