"""Forms of the call-off pages. They check shape and format; the services check the rules."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django import forms
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from digisos import plausible
from incidents.models import Category
from tenants.models import phone_validator

from .models import Priority, Provider

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d.%m.%Y %H:%M"]


def module_quantity_field(module, *, initial=None) -> forms.DecimalField:
    """The estimated quantity of one service module (filing form, change of scope)."""
    return forms.DecimalField(
        label=module.name,
        required=False,
        min_value=Decimal("0"),
        max_value=Decimal("10000"),
        decimal_places=2,
        localize=True,
        initial=initial,
        help_text=_("%(unit)s · %(price)s € je Einheit")
        % {
            "unit": module.get_unit_display(),
            "price": number_format(module.price, decimal_pos=2, use_l10n=True, force_grouping=True),
        },
        widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 6}),
    )


class CallOffFilingForm(forms.Form):
    """The emergency call-off (Notfall-Abruf): short, prefilled, works on a phone."""

    client_token = forms.UUIDField(widget=forms.HiddenInput)
    organisation = forms.ChoiceField(label=_("Für welche Stelle?"), choices=())
    # Nothing is preselected: the caller says what happened (a guess from the form would end up in the
    # incident record and the reports).
    category = forms.ChoiceField(label=_("Was ist passiert?"), choices=Category.choices, widget=forms.RadioSelect)
    operations_halted = forms.TypedChoiceField(
        label=_("Ist der Dienstbetrieb eingestellt?"),
        choices=[("yes", _("Ja – der Betrieb steht (Priorität P1)")), ("no", _("Nein – eingeschränkt"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    priority = forms.ChoiceField(
        label=_("Falls nicht eingestellt: wie stark beeinträchtigt?"),
        choices=[(Priority.P2, Priority.P2.label), (Priority.P3, Priority.P3.label)],
        widget=forms.RadioSelect,
        required=False,
        help_text=_("Ohne Auswahl gilt P2 (Dienstbetrieb erheblich beeinträchtigt)."),
    )
    detected_at = plausible.PastDateTimeField(
        label=_("Seit wann?"),
        required=False,
        widget=DATETIME_WIDGET,
        input_formats=DATETIME_FORMATS,
        help_text=_("Wann wurde der Vorfall bemerkt? Ungefähr genügt."),
    )
    situation = forms.CharField(
        label=_("Kurze Lagebeschreibung"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        help_text=_("Zum Beispiel: Erpresserschreiben auf den Servern, Dateien verschlüsselt, Netz getrennt."),
    )
    affected = forms.CharField(
        label=_("Was ist betroffen?"), widget=forms.Textarea(attrs={"rows": 2}), max_length=5000, required=False
    )
    place_of_performance = forms.CharField(
        label=_("Leistungsort"), widget=forms.Textarea(attrs={"rows": 2}), max_length=1000, required=False
    )
    callback_phone = forms.CharField(
        label=_("Rückrufnummer (außerhalb der eigenen Telefonanlage)"),
        max_length=30,
        validators=[phone_validator],
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
    )
    callback_email = forms.EmailField(
        label=_("E-Mail außerhalb der eigenen Infrastruktur"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    # Ministry staff filing for a body that phoned in.
    phoned_in_by = forms.CharField(label=_("Wer hat angerufen? (Name, Funktion, Rückrufnummer)"), required=False)
    verification_note = forms.CharField(
        label=_("Wie wurde die Identität geprüft?"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("Zum Beispiel: Rückruf über die hinterlegte Notfallnummer."),
    )

    DEFAULT_QUANTITY = Decimal("1")

    def __init__(self, *args, organisations, modules, on_behalf: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.on_behalf = on_behalf
        self.modules = list(modules)
        self.fields["organisation"].choices = [(str(o.public_id), o.name) for o in organisations]
        if len(self.fields["organisation"].choices) == 1:
            self.fields["organisation"].widget = forms.HiddenInput()
        if not on_behalf:
            del self.fields["phoned_in_by"]
            del self.fields["verification_note"]
        else:
            self.fields["phoned_in_by"].required = True
            self.fields["verification_note"].required = True
        # The contract's first module is the acute response: preset with one unit, stated on the form and
        # changeable, so a caller who only says what happened files on the first submit.
        for index, module in enumerate(self.modules):
            initial = self.DEFAULT_QUANTITY if index == 0 else None
            self.fields[f"module_{module.pk}"] = module_quantity_field(module, initial=initial)

    @property
    def default_module(self):
        return self.modules[0] if self.modules else None

    def module_fields(self):
        return [self[f"module_{m.pk}"] for m in self.modules]

    def services(self):
        return [
            (module, self.cleaned_data[f"module_{module.pk}"])
            for module in self.modules
            if self.cleaned_data.get(f"module_{module.pk}")
        ]

    def clean(self):
        data = super().clean()
        module_errors = any(f"module_{m.pk}" in self.errors for m in self.modules)
        if self.modules and not module_errors and not self.services():
            # Tied to the first service field, so that the error summary links to where it can be fixed.
            self.add_error(
                f"module_{self.modules[0].pk}",
                _("Bitte mindestens eine Leistung mit geschätzter Menge angeben (z. B. 1 Stunde)."),
            )
        return data

    @staticmethod
    def new_token() -> str:
        return str(uuid.uuid4())


class AcceptForm(forms.Form):
    lead_name = forms.CharField(label=_("Einsatzleitung (Name)"), max_length=200)
    lead_phone = forms.CharField(
        label=_("Telefon der Einsatzleitung"),
        max_length=30,
        validators=[phone_validator],
        widget=forms.TextInput(attrs={"type": "tel"}),
    )
    eta_remote = plausible.PlannedDateTimeField(
        label=_("Remote-Unterstützung ab"), required=False, widget=DATETIME_WIDGET, input_formats=DATETIME_FORMATS
    )
    eta_onsite = plausible.PlannedDateTimeField(
        label=_("Vor Ort ab"), required=False, widget=DATETIME_WIDGET, input_formats=DATETIME_FORMATS
    )
    note = forms.CharField(label=_("Hinweis"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Begründung"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class SummaryForm(forms.Form):
    summary = forms.CharField(label=_("Zusammenfassung der Leistung"), widget=forms.Textarea(attrs={"rows": 3}))


class ManualAssignForm(forms.Form):
    provider = forms.ModelChoiceField(
        label=_("Dienstleister"), queryset=Provider.objects.none(), empty_label=_("Bitte wählen")
    )
    reason = forms.CharField(
        label=_("Begründung der Abweichung von der Rangfolge"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )

    def __init__(self, *args, contract, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = Provider.objects.filter(active=True).order_by("short_name")
