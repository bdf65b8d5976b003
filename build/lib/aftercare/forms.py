"""Portal forms of the accepting provider. The services check everything again (and the database
too); the forms answer in German and keep the input."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from digisos.plausible import PastDateTimeField, check_order

from .models import (
    LESSONS_MAX,
    LESSONS_MIN,
    NIS2_DRAFT_MAX,
    NIS2_DRAFT_MIN,
    FindingCategory,
    IndicatorKind,
    Severity,
    Tlp,
)
from .validation import MAX_VALUE


class FindingForm(forms.Form):
    title = forms.CharField(label=_("Titel"), max_length=200)
    category = forms.ChoiceField(label=_("Kategorie"), choices=FindingCategory.choices)
    description = forms.CharField(label=_("Beschreibung"), max_length=20000, widget=forms.Textarea(attrs={"rows": 5}))
    affected_systems = forms.CharField(
        label=_("Betroffene Systeme"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    cve_id = forms.CharField(label=_("CVE-Kennung"), max_length=20, required=False, help_text=_("z. B. CVE-2023-27997"))
    cvss_vector = forms.CharField(
        label=_("CVSS-Basisvektor (3.1 oder 4.0)"),
        max_length=200,
        required=False,
        help_text=_(
            "z. B. CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H – "
            "der Basiswert und der Schweregrad werden daraus berechnet."
        ),
    )
    severity = forms.ChoiceField(
        label=_("Schweregrad"),
        choices=[("", _("– aus dem CVSS-Vektor –")), *Severity.choices],
        required=False,
        help_text=_("Nur nötig, wenn kein CVSS-Vektor angegeben ist."),
    )
    recommendation = forms.CharField(
        label=_("Empfohlene Maßnahme"), max_length=20000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    root_cause = forms.BooleanField(label=_("Dieser Befund ist eine Ursache des Vorfalls"), required=False)


class IndicatorCreateForm(forms.Form):
    kind = forms.ChoiceField(label=_("Typ"), choices=IndicatorKind.choices)
    value = forms.CharField(label=_("Wert"), max_length=MAX_VALUE)
    tlp = forms.ChoiceField(
        label=_("TLP-Stufe"),
        choices=Tlp.choices,
        initial=Tlp.AMBER,
        help_text=_("TLP:RED bleibt bei der Stelle und Ihnen; es geht in keinen Export an das Land."),
    )
    description = forms.CharField(
        label=_("Beschreibung"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    first_seen = PastDateTimeField(label=_("Erstmals gesehen"), required=False)
    last_seen = PastDateTimeField(label=_("Zuletzt gesehen"), required=False)

    def clean(self):
        data = super().clean()
        try:
            check_order(data.get("first_seen"), data.get("last_seen"), start_label=_("Erstmals gesehen"))
        except forms.ValidationError as exc:
            self.add_error("last_seen", exc)
        return data


class IndicatorUpdateForm(IndicatorCreateForm):
    """Type and value stay as recorded (a new value is a new indicator)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["kind"]
        del self.fields["value"]


class IndicatorTlpForm(forms.Form):
    """The body chooses an indicator's TLP level (its callers and administrators)."""

    tlp = forms.ChoiceField(
        label=_("TLP-Stufe"),
        choices=Tlp.choices,
        help_text=_(
            "TLP:RED bleibt bei Ihrer Stelle und dem beauftragten Dienstleister, TLP:AMBER+STRICT in Ihrer Stelle: "
            "beide gehen an niemanden sonst und werden nicht mit anderen Stellen abgeglichen. Bei TLP:CLEAR und "
            "TLP:GREEN darf der Dienstleister einer anderen Stelle mit demselben Indikator davon erfahren."
        ),
    )
    reason = forms.CharField(label=_("Begründung"), max_length=500, required=False)


class LessonsForm(forms.Form):
    """The lessons learned of one side for the final report (empty: not written yet)."""

    text = forms.CharField(
        label=_("Lessons learned"),
        required=False,
        min_length=LESSONS_MIN,
        max_length=LESSONS_MAX,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_(
            "Was lief gut, was soll sich ändern? Zwischen 20 und 10.000 Zeichen; leer lassen, "
            "wenn Sie (noch) nichts schreiben möchten."
        ),
    )


class Nis2DraftForm(forms.Form):
    text = forms.CharField(
        label=_("Entwurf des NIS-2-Abschlussberichts"),
        min_length=NIS2_DRAFT_MIN,
        max_length=NIS2_DRAFT_MAX,
        widget=forms.Textarea(attrs={"rows": 30}),
        help_text=_(
            "Vorbefüllt aus dem Abschlussbericht. Prüfen und ergänzen Sie den Text, bevor Sie ihn "
            "über das Meldeportal der Behörde einreichen. Zwischen 50 und 30.000 Zeichen."
        ),
    )


class EvidenceForm(forms.Form):
    """The accepting provider attaches a file to a finding (the service checks type and size)."""

    file = forms.FileField(
        label=_("Datei"),
        help_text=_(
            "PDF, PNG, JPEG, ZIP oder reiner Text (UTF-8). Die SHA-256-Prüfsumme wird berechnet und angezeigt."
        ),
    )
    description = forms.CharField(label=_("Beschreibung"), max_length=500, required=False)
