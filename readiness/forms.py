from django import forms
from django.utils.translation import gettext_lazy as _

from digisos.plausible import PastDateField

from .models import ReadinessProfile


class ReadinessProfileForm(forms.ModelForm):
    last_restore_test = PastDateField(
        label=_("Letzter erfolgreicher Wiederherstellungstest"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    remote_access_mfa = forms.NullBooleanField(
        label=_("Fernzugriff mit Zwei-Faktor-Authentifizierung"),
        required=False,
    )

    class Meta:
        model = ReadinessProfile
        fields = list(ReadinessProfile.ITEMS)
        widgets = {
            "critical_systems": forms.Textarea(attrs={"rows": 4}),
            "backup_concept": forms.Textarea(attrs={"rows": 3}),
            "admin_contacts": forms.Textarea(attrs={"rows": 3}),
            "external_providers": forms.Textarea(attrs={"rows": 3}),
            "insurance_hotline": forms.TextInput(attrs={"type": "tel"}),
        }
        help_texts = {
            "critical_systems": _(
                "Je Zeile ein System oder Dienst mit Kritikalität, z. B. „Einwohnermeldewesen – hoch“."
            ),
            "critical_systems_protection": _(
                "Der höchste Schutzbedarf unter Ihren kritischen Systemen (Kategorien nach BSI-Standard 200-2: "
                "normal, hoch, sehr hoch)."
            ),
            "admin_contacts": _(
                "Namen und private oder dienstliche Mobilnummern, die bei einem Angriff erreichbar bleiben."
            ),
        }


class NetworkOverviewForm(forms.Form):
    """The body uploads its network overview (the service decides the type by the content and checks the size)."""

    file = forms.FileField(
        label=_("Datei mit dem Netzplan"),
        help_text=_(
            "PDF, PNG oder JPEG. Die SHA-256-Prüfsumme wird berechnet und angezeigt. Eine neue Datei ersetzt die "
            "bisherige und ergibt eine neue Version des Profils."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg,application/pdf,image/png,image/jpeg"}),
    )
