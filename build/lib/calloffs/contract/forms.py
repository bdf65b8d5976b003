"""Forms of the contract administration pages (ministry only).

They check shape and format (numbers, dates, lengths); the rules of the contract are checked
again by the services (``full_clean`` and ``validate_ranking``), whose German messages the views
put back into these forms. German labels come from the models' verbose names.
"""

from __future__ import annotations

import re
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.formats import get_format
from django.utils.translation import gettext_lazy as _

from digisos import plausible
from tenants.models import Organisation, Regierungsbezirk

from ..billing_forms import EMAIL_INVALID, BillingFieldsMixin
from ..models import (
    BILLING_FIELDS,
    FrameworkContract,
    Provider,
    ProviderContact,
    RoleRate,
    ServiceModule,
    SLATerm,
)

#: The highest rank in the order of precedence (digisos.plausible, also the CHECK constraint).
MAX_RANK = int(plausible.RANK.high)

#: Django's own German says "Gib … an" (informal); the portal addresses its users formally.

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATE_FORMATS = ["%Y-%m-%d", "%d.%m.%Y"]


def normalise_decimal(value):
    """Accept what people type for amounts: '1.234.567,89', '1234567,89', '1234567.89', '30.000.000',
    '250 €'. Thousands separators are removed only where they group digits in threes; anything else
    is passed on unchanged, so that the field reports it as invalid."""
    if not isinstance(value, str):
        return value
    text = re.sub(r"[\s\u00a0\u202f€%]", "", value)
    decimal_sep = get_format("DECIMAL_SEPARATOR")
    thousand_sep = get_format("THOUSAND_SEPARATOR")
    if not text or decimal_sep == thousand_sep:
        return text
    grouped = re.compile(r"^[-+]?\d{1,3}(" + re.escape(thousand_sep) + r"\d{3})+$")
    if decimal_sep in text:
        whole, _sep, fraction = text.rpartition(decimal_sep)
        if grouped.match(whole):
            whole = whole.replace(thousand_sep, "")
        return f"{whole}.{fraction}"
    if grouped.match(text):
        return text.replace(thousand_sep, "")
    return text


class AmountField(forms.DecimalField):
    """A decimal typed in German (or the active language's) notation; shown without grouping.
    Limited to ``bounds`` (digisos.plausible; a subclass per kind of amount, see below)."""

    bounds: plausible.NumberRange = plausible.MONEY

    def __init__(self, *args, **kwargs):
        kwargs["localize"] = True
        # Checked here, so that the model's two messages for the same rule do not both appear.
        kwargs.setdefault("min_value", Decimal("0"))
        kwargs.setdefault("error_messages", {})
        kwargs["error_messages"].setdefault("min_value", _("Bitte keinen negativen Wert eingeben."))
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        return super().to_python(normalise_decimal(value))

    def validate(self, value):
        super().validate(value)
        if value is not None and value >= 0:  # a negative value has its own message (min_value)
            plausible.check_number(value, self.bounds)


class MoneyField(AmountField):
    bounds = plausible.MONEY


class UnitPriceField(AmountField):
    bounds = plausible.UNIT_PRICE


class HourlyRateField(AmountField):
    bounds = plausible.HOURLY_RATE


class PercentField(AmountField):
    bounds = plausible.PERCENT


def _int_widget(size: int = 6) -> forms.NumberInput:
    return forms.NumberInput(attrs={"inputmode": "numeric", "step": 1, "size": size})


def _limit(field: forms.IntegerField, bounds: plausible.NumberRange) -> None:
    """The plausible range of a whole number (digisos.plausible; the CHECK constraint says the same)."""
    low, high = int(bounds.low), int(bounds.high)
    field.min_value, field.max_value = low, high
    field.validators = [v for v in field.validators if not isinstance(v, MinValueValidator | MaxValueValidator)]
    field.validators += [MinValueValidator(low), MaxValueValidator(high)]
    field.widget.attrs.update(min=low, max=high)


# --- Contract -------------------------------------------------------------------------------


class ContractForm(forms.ModelForm):
    class Meta:
        model = FrameworkContract
        fields = [
            "reference",
            "title",
            "contracting_authority",
            "status",
            "start_date",
            "end_date",
            "extension_options",
            "estimated_value",
            "ceiling",
            "night_surcharge_percent",
            "weekend_surcharge_percent",
        ]
        field_classes = {
            "start_date": plausible.PlausibleDateField,
            "end_date": plausible.PlausibleDateField,
            "estimated_value": MoneyField,
            "ceiling": MoneyField,
            "night_surcharge_percent": PercentField,
            "weekend_surcharge_percent": PercentField,
        }
        widgets = {"extension_options": forms.Textarea(attrs={"rows": 3})}
        error_messages = {"reference": {"unique": _("Diese Vertragsnummer ist bereits vergeben.")}}
        help_texts = {
            "end_date": _("Höchstens vier Jahre oberhalb des EU-Schwellenwerts (§ 21 Abs. 6 VgV)."),
            "estimated_value": _("In Euro, z. B. 24.000.000,00"),
            "night_surcharge_percent": _("Aufschlag auf die Stundensätze in Prozent, z. B. 50"),
            "weekend_surcharge_percent": _("Aufschlag auf die Stundensätze in Prozent, z. B. 50"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("start_date", "end_date"):
            self.fields[name].input_formats = DATE_FORMATS
        # The model's help text on the ceiling explains the rule; keep it and add the format.
        self.fields["ceiling"].help_text = _(
            "In Euro, z. B. 30.000.000,00. Ist der Höchstwert erreicht, ist der Rahmenvertrag ausgeschöpft."
        )

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end <= start:
            self.add_error("end_date", _("Das Laufzeitende muss nach dem Laufzeitbeginn liegen."))
        estimate, ceiling = data.get("estimated_value"), data.get("ceiling")
        if estimate is not None and ceiling is not None and ceiling < estimate:
            self.add_error("ceiling", _("Der Höchstwert darf nicht unter dem geschätzten Auftragsvolumen liegen."))
        return data

    def contract_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class EntitledBodiesForm(forms.Form):
    all_bodies_entitled = forms.TypedChoiceField(
        label=_("Wer darf unter diesem Rahmenvertrag abrufen?"),
        choices=[
            ("yes", _("Alle abrufberechtigten Stellen")),
            ("no", _("Nur die unten ausgewählten Stellen")),
        ],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    bodies = forms.ModelMultipleChoiceField(
        label=_("Berechtigte Stellen"),
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Gilt nur, wenn der Abruf auf ausgewählte Stellen beschränkt ist."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["bodies"].queryset = Organisation.objects.order_by("name", "pk")
        self.fields["bodies"].error_messages["invalid_choice"] = _(
            "Eine ausgewählte Stelle ist unbekannt. Bitte laden Sie die Seite neu."
        )
        self.fields["bodies"].error_messages["invalid_pk_value"] = _(
            "Eine ausgewählte Stelle ist unbekannt. Bitte laden Sie die Seite neu."
        )

    def clean(self):
        data = super().clean()
        if data.get("all_bodies_entitled") is False and "bodies" in data and not data["bodies"]:
            self.add_error("bodies", _("Bitte mindestens eine Stelle auswählen oder alle Stellen berechtigen."))
        return data


# --- Parts of the contract ------------------------------------------------------------------


class ServiceModuleForm(forms.ModelForm):
    class Meta:
        model = ServiceModule
        fields = ["code", "name", "description", "unit", "price", "position"]
        field_classes = {"price": UnitPriceField}
        widgets = {"description": forms.Textarea(attrs={"rows": 3}), "position": _int_widget(4)}
        help_texts = {"price": _("In Euro, z. B. 210,00"), "position": _("Kleinere Zahlen stehen weiter oben.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _limit(self.fields["position"], plausible.POSITION)


class RoleRateForm(forms.ModelForm):
    class Meta:
        model = RoleRate
        fields = ["name", "hourly_rate"]
        field_classes = {"hourly_rate": HourlyRateField}
        help_texts = {"hourly_rate": _("In Euro je Stunde, z. B. 195,00")}


class SLATermForm(forms.ModelForm):
    class Meta:
        model = SLATerm
        fields = ["accept_minutes", "callback_minutes", "remote_start_minutes", "onsite_minutes"]
        widgets = {name: _int_widget() for name in fields}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.Meta.fields:
            _limit(self.fields[name], plausible.SLA_MINUTES)
            self.fields[name].help_text = _("In Minuten; 1 Stunde = 60, 1 Tag = 1440.")


# --- Providers ------------------------------------------------------------------------------


class ProviderForm(BillingFieldsMixin, forms.ModelForm):
    regions = forms.MultipleChoiceField(
        label=_("Bediente Regierungsbezirke"),
        choices=Regierungsbezirk.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Bitte mindestens einen Regierungsbezirk angeben.")},
    )

    class Meta:
        model = Provider
        fields = [
            "legal_name",
            "short_name",
            "street",
            "postcode",
            "city",
            "hotline",
            "email",
            "capacity",
            "regions",
            "active",
            *BILLING_FIELDS,
        ]
        error_messages = {
            "legal_name": {"unique": _("Ein Dienstleister mit diesem Firmennamen ist bereits angelegt.")},
            "email": {"invalid": EMAIL_INVALID},
            "billing_contact_email": {"invalid": EMAIL_INVALID},
        }
        widgets = {
            "hotline": forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
            "billing_contact_phone": forms.TextInput(attrs={"type": "tel"}),
            "capacity": _int_widget(4),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _limit(self.fields["capacity"], plausible.CAPACITY)
        self._widen_pasted_fields()
        if self.instance.pk is None and not self.is_bound:
            self.initial.setdefault("regions", list(Regierungsbezirk.values))

    def clean_regions(self):
        # In the order of the choices, so that the stored list does not depend on the browser.
        chosen = set(self.cleaned_data["regions"])
        return [value for value in Regierungsbezirk.values if value in chosen]


class ProviderContactForm(forms.ModelForm):
    class Meta:
        model = ProviderContact
        fields = ["name", "role", "phone", "email", "position"]
        error_messages = {"email": {"invalid": EMAIL_INVALID}}
        widgets = {"phone": forms.TextInput(attrs={"type": "tel"}), "position": _int_widget(4)}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _limit(self.fields["position"], plausible.POSITION)


class ProviderStaffForm(forms.Form):
    email = forms.EmailField(
        label=_("E-Mail-Adresse des Kontos"),
        max_length=254,
        error_messages={"invalid": EMAIL_INVALID},
        help_text=_(
            "Ein bestehendes Konto (keiner Stelle und nicht dem Ministerium zugehörig) wird sofort zugeordnet; "
            "an eine neue Adresse geht eine Einladung."
        ),
    )


# --- Ranking --------------------------------------------------------------------------------


class RankingListForm(forms.Form):
    """One list of the order of precedence: its scope (module, region) and a rank per provider.

    The first list of the formset is the general one (all modules, all regions); its scope is fixed.
    An additional list whose ranks are all empty is ignored (that is how a list is removed).
    """

    service_module = forms.ChoiceField(label=_("Leistungsmodul"), required=False)
    regierungsbezirk = forms.ChoiceField(
        label=_("Regierungsbezirk"),
        required=False,
        choices=[("", _("alle Regierungsbezirke"))] + Regierungsbezirk.choices,
    )

    def __init__(self, *args, providers, modules, general: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.providers = list(providers)
        self.modules = {str(m.public_id): m for m in modules}
        self.general = general
        self.fields["service_module"].choices = [("", _("alle Leistungsmodule"))] + [
            (key, f"{m.code} – {m.name}") for key, m in self.modules.items()
        ]
        if general:
            self.fields["service_module"].disabled = True
            self.fields["regierungsbezirk"].disabled = True
        for provider in self.providers:
            self.fields[self.rank_name(provider)] = forms.IntegerField(
                label=provider.short_name if provider.active else _("%(name)s (inaktiv)") % {"name": provider},
                required=False,
                min_value=1,
                max_value=MAX_RANK,
                widget=forms.NumberInput(
                    attrs={
                        "inputmode": "numeric",
                        "min": 1,
                        "max": MAX_RANK,
                        "step": 1,
                        "class": "kern-form-input__input",
                    }
                ),
                error_messages={
                    "invalid": _("Bitte eine ganze Zahl ab 1 eingeben."),
                    "min_value": _("Der Rang muss mindestens 1 sein."),
                    "max_value": _("Der Rang darf höchstens %(limit_value)s sein."),
                },
            )

    @staticmethod
    def rank_name(provider: Provider) -> str:
        return f"rank_{provider.public_id}"

    def rank_fields(self):
        return [(provider, self[self.rank_name(provider)]) for provider in self.providers]

    def clean(self):
        data = super().clean()
        if self.is_bound:
            known = {self.add_prefix(self.rank_name(p)) for p in self.providers}
            marker = self.add_prefix("rank_")
            if any(key.startswith(marker) and key not in known for key in self.data):
                raise ValidationError(
                    _("Die Liste nennt einen unbekannten Dienstleister. Bitte laden Sie die Seite neu."),
                    code="unknown_provider",
                )
        module_key = data.get("service_module") or ""
        if module_key and module_key not in self.modules:
            self.add_error("service_module", _("Unbekanntes Leistungsmodul."))
        seen: dict[int, str] = {}
        for provider in self.providers:
            name = self.rank_name(provider)
            rank = data.get(name)
            if rank is None:
                continue
            if rank in seen:
                message = _("Rang %(rank)s ist doppelt vergeben (auch %(other)s).") % {
                    "rank": rank,
                    "other": seen[rank],
                }
                self.add_error(name, message)
            else:
                seen[rank] = provider.short_name
        return data

    # Results, for the view ---------------------------------------------------------------------

    @property
    def module(self) -> ServiceModule | None:
        return None if self.general else self.modules.get(self.cleaned_data.get("service_module") or "")

    @property
    def region(self) -> str:
        return "" if self.general else (self.cleaned_data.get("regierungsbezirk") or "")

    def entries(self) -> list[tuple[Provider, int]]:
        ranked = [(p, self.cleaned_data.get(self.rank_name(p))) for p in self.providers]
        return sorted(((p, r) for p, r in ranked if r is not None), key=lambda item: item[1])

    def scope_label(self) -> str:
        module = self.module
        parts = [
            f"{module.code} – {module.name}" if module else str(_("alle Leistungsmodule")),
            self.region or str(_("alle Regierungsbezirke")),
        ]
        return ", ".join(parts)


class BaseRankingFormSet(forms.BaseFormSet):
    def __init__(self, *args, providers, modules, **kwargs):
        self.providers = list(providers)
        self.modules = list(modules)
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {"providers": self.providers, "modules": self.modules, "general": index == 0}

    def clean(self):
        if any(self.errors):
            return
        if not self.forms:
            raise ValidationError(
                _("Die allgemeine Rangfolge braucht mindestens einen Dienstleister."), code="general_empty"
            )
        scopes: dict[tuple, int] = {}
        for index, form in enumerate(self.forms):
            if index > 0 and not form.entries():
                continue  # an empty additional list: ignored
            if index == 0 and not form.entries():
                raise ValidationError(
                    _("Die allgemeine Rangfolge braucht mindestens einen Dienstleister."), code="general_empty"
                )
            if index > 0 and form.module is None and not form.region:
                form.add_error(
                    "service_module",
                    _(
                        "Bitte ein Leistungsmodul oder einen Regierungsbezirk wählen "
                        "(sonst wäre es die allgemeine Liste)."
                    ),
                )
                continue
            key = (form.module.pk if form.module else None, form.region)
            if key in scopes:
                form.add_error(
                    "service_module",
                    _("Für %(scope)s gibt es bereits eine Liste (Liste %(other)s).")
                    % {"scope": form.scope_label(), "other": scopes[key] + 1},
                )
                continue
            scopes[key] = index

    def entries(self) -> list[tuple]:
        """(provider, rank, service_module or None, regierungsbezirk) for ranking_publish."""
        result = []
        for form in self.forms:
            for provider, rank in form.entries():
                result.append((provider, rank, form.module, form.region))
        return result


RankingFormSet = forms.formset_factory(
    RankingListForm,
    formset=BaseRankingFormSet,
    extra=1,
    min_num=1,
    max_num=30,
    absolute_max=40,
    validate_max=True,
)


class RankingReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Anlass der Änderung"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_("Pflichtangabe; wird mit der neuen Version veröffentlicht (z. B. Vertragsänderung Nr. 2)."),
        error_messages={"required": _("Bitte den Anlass der Änderung angeben.")},
    )
