from django import forms
from django.utils.translation import gettext_lazy as _

from tenants.models import phone_validator

from .models import (
    ALTERNATIVE_MAX,
    HEADLINE_MAX,
    HOURS_MAX,
    MAX_SERVICES,
    PHONE_MAX,
    PHONE_MIN,
    SERVICE_NAME_MAX,
    SUMMARY_MAX,
    UPDATE_MAX,
    ServiceState,
)


class StatusPageForm(forms.Form):
    headline = forms.CharField(
        label=_("Überschrift"),
        min_length=3,
        max_length=HEADLINE_MAX,
        help_text=_("Zum Beispiel: „Die Stadtverwaltung ist nach einem IT-Angriff nur eingeschränkt erreichbar“."),
    )
    summary = forms.CharField(
        label=_("Was ist passiert? (in einfachen Worten)"),
        min_length=10,
        max_length=SUMMARY_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Kurze Sätze, keine Fachbegriffe. Nennen Sie keine Einzelheiten zum Angriff."),
    )
    phone = forms.CharField(
        label=_("Telefonnummer für Bürgerinnen und Bürger"),
        min_length=PHONE_MIN,
        max_length=PHONE_MAX,
        validators=[phone_validator],
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    opening_hours = forms.CharField(
        label=_("Öffnungszeiten"),
        required=False,
        max_length=HOURS_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Zum Beispiel: „Bürgerbüro: Mo–Fr 8–12 Uhr, nur mit Termin“."),
    )


class ServiceNoticeForm(forms.Form):
    name = forms.CharField(label=_("Dienstleistung"), required=False, min_length=2, max_length=SERVICE_NAME_MAX)
    state = forms.ChoiceField(label=_("Zustand"), choices=ServiceState.choices, initial=ServiceState.UNAVAILABLE)
    alternative = forms.CharField(
        label=_("Was Sie stattdessen tun können"),
        required=False,
        max_length=ALTERNATIVE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean(self):
        data = super().clean()
        if not data.get("name") and data.get("alternative"):
            self.add_error("name", _("Bitte die Dienstleistung nennen, zu der dieser Hinweis gehört."))
        return data


ServiceNoticeFormSet = forms.formset_factory(
    ServiceNoticeForm, extra=2, max_num=MAX_SERVICES, absolute_max=MAX_SERVICES, validate_max=True
)


def services_from(formset) -> list[dict]:
    """The filled rows of a valid formset, in order (empty rows are left out)."""
    return [
        {"name": f.cleaned_data["name"], "state": f.cleaned_data["state"], "alternative": f.cleaned_data["alternative"]}
        for f in formset.forms
        if f.cleaned_data.get("name")
    ]


class StatusUpdateForm(forms.Form):
    text = forms.CharField(
        label=_("Neue Meldung"),
        min_length=3,
        max_length=UPDATE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Erscheint mit Datum und Uhrzeit oben in der Liste der Meldungen und im Feed."),
    )
