"""The drill form: its own page and wording, so nobody files a drill by mistake, nor an emergency as one."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from digisos import plausible
from incidents.models import Category
from tenants.models import phone_validator

from ..forms import module_quantity_field_copy
from ..models import Priority


class DrillForm(forms.Form):
    client_token = forms.UUIDField(widget=forms.HiddenInput)
    organisation = forms.ChoiceField(label=_("Welche Stelle übt?"), choices=())
    category = forms.ChoiceField(
        label=_("Übungsszenario: Art des Vorfalls"), choices=Category.choices, widget=forms.RadioSelect
    )
    priority = forms.ChoiceField(
        label=_("Priorität der Übung"),
        choices=Priority.choices,
        widget=forms.RadioSelect,
        initial=Priority.P2,
        help_text=_("Sie bestimmt die SLA-Fristen, an denen die Dienstleister gemessen werden."),
    )
    situation = forms.CharField(
        label=_("Übungsszenario"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        help_text=_("Zum Beispiel: Übung – angenommener Ransomware-Befall der Fachverfahren, Netz getrennt."),
    )
    callback_phone = forms.CharField(
        label=_("Rückrufnummer für die Übung"),
        max_length=30,
        validators=[phone_validator],
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
        help_text=_("Der Dienstleister ruft hier an; der Rückruf wird gegen die SLA-Frist gemessen."),
    )
    callback_email = forms.EmailField(
        label=_("E-Mail für die Übung"), required=False, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    confirm = forms.BooleanField(
        label=_(
            "Ich bestätige: Dies ist eine Übung, kein Notfall. Die Dienstleister werden wirklich angefragt "
            "und ihre Reaktionszeiten gemessen; es wird nichts abgerechnet."
        ),
        error_messages={"required": _("Bitte bestätigen Sie, dass Sie eine Übung starten.")},
    )

    def __init__(self, *args, organisations, modules, **kwargs):
        super().__init__(*args, **kwargs)
        self.modules = list(modules)
        self.fields["organisation"].choices = [("", _("Bitte wählen"))] + [
            (str(o.public_id), o.name) for o in organisations
        ]
        for index, module in enumerate(self.modules):
            self.fields[f"module_{module.pk}"] = module_quantity_field_copy(module, initial=1 if index == 0 else None)

    def module_fields(self):
        return [self[f"module_{m.pk}"] for m in self.modules]

    def services(self):
        return [
            (m, self.cleaned_data[f"module_{m.pk}"]) for m in self.modules if self.cleaned_data.get(f"module_{m.pk}")
        ]

    def clean(self):
        data = super().clean()
        if self.modules and not any(f"module_{m.pk}" in self.errors for m in self.modules) and not self.services():
            self.add_error(f"module_{self.modules[0].pk}", _("Bitte mindestens eine Leistung mit Menge angeben."))
        return data

    @staticmethod
    def new_token() -> str:
        return str(uuid.uuid4())


class DrillPeriodForm(forms.Form):
    """The period of the ministry's overview (a GET form; both ends optional, whole days, local time)."""

    date_from = plausible.PastDateField(label=_("Übungen ab"), required=False)
    date_to = plausible.PlausibleDateField(label=_("Übungen bis"), required=False)

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("Das Ende des Zeitraums darf nicht vor seinem Beginn liegen."))
        return data

    def period(self) -> tuple[datetime | None, datetime | None]:
        """(since, until): the first moment of the first day and the first moment after the last day."""
        start, end = self.cleaned_data.get("date_from"), self.cleaned_data.get("date_to")
        return (
            _day_start(start) if start else None,
            _day_start(end + timedelta(days=1)) if end else None,
        )


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))
