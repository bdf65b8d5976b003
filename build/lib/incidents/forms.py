from django import forms
from django.utils.translation import gettext_lazy as _

from digisos import plausible

from .models import Category, Incident, IncidentStatus, MajorIncident

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d.%m.%Y %H:%M"]


class AwarenessForm(forms.Form):
    """Correct (or confirm) an assumed time of becoming aware on the incident page."""

    became_aware_at = plausible.PastDateTimeField(
        label=_("Kenntnis erlangt am"),
        widget=DATETIME_WIDGET,
        input_formats=DATETIME_FORMATS,
        help_text=_("Ab diesem Zeitpunkt laufen die Meldefristen (NIS-2, DSGVO)."),
    )


class IncidentForm(forms.ModelForm):
    first_detected_at = plausible.PastDateTimeField(
        label=_("Erstmals bemerkt am"), required=False, widget=DATETIME_WIDGET, input_formats=DATETIME_FORMATS
    )
    became_aware_at = plausible.PastDateTimeField(
        label=_("Kenntnis erlangt am"),
        widget=DATETIME_WIDGET,
        input_formats=DATETIME_FORMATS,
        help_text=_("Ab diesem Zeitpunkt laufen die Meldefristen (NIS-2, DSGVO)."),
    )
    personal_data_affected = forms.NullBooleanField(
        label=_("Personenbezogene Daten betroffen"),
        widget=forms.Select(choices=[("unknown", _("Noch unklar")), ("true", _("Ja")), ("false", _("Nein"))]),
        required=False,
    )

    class Meta:
        model = Incident
        fields = [
            "title",
            "category",
            "first_detected_at",
            "became_aware_at",
            "affected_systems",
            "operations_halted",
            "personal_data_affected",
            "nis2_in_scope",
            "criminal_complaint_filed",
        ]
        widgets = {"affected_systems": forms.Textarea(attrs={"rows": 3})}


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Neuer Status"), choices=IncidentStatus.choices)
    note = forms.CharField(label=_("Bemerkung"), required=False, max_length=2000)


class NoteForm(forms.Form):
    text = forms.CharField(label=_("Eintrag"), widget=forms.Textarea(attrs={"rows": 3}), max_length=10000)
    at = plausible.PastDateTimeField(
        label=_("Zeitpunkt (leer: jetzt)"), required=False, widget=DATETIME_WIDGET, input_formats=DATETIME_FORMATS
    )


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("Datei"))
    shared_with_provider = forms.BooleanField(
        label=_("Für den beauftragten Dienstleister freigeben"),
        required=False,
        help_text=_("Ohne Freigabe sieht nur Ihre Stelle (und das Ministerium) die Datei."),
    )


class AttachmentShareForm(forms.Form):
    attachment = forms.UUIDField(widget=forms.HiddenInput)
    shared = forms.BooleanField(required=False, widget=forms.HiddenInput)


class ObligationDoneForm(forms.Form):
    reference = forms.CharField(label=_("Aktenzeichen / Referenz der Meldung"), max_length=200)
    done_at = plausible.PastDateTimeField(
        label=_("Gemeldet am (leer: jetzt)"), required=False, widget=DATETIME_WIDGET, input_formats=DATETIME_FORMATS
    )


class MajorIncidentForm(forms.ModelForm):
    class Meta:
        model = MajorIncident
        fields = ["title", "description", "origin"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class LinkMembersForm(forms.Form):
    category = forms.ChoiceField(label=_("Art des Vorfalls bei den Mitgliedern"), choices=Category.choices)
