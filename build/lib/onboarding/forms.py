from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from tenants.models import phone_validator

from .models import (
    CITY_MAX,
    CONTACT_MAX,
    LEGAL_FORMS,
    NAME_MAX,
    PHONE_MAX,
    PHONE_MIN,
    REASON_MAX,
    REASON_MIN,
    STREET_MAX,
    parent_choices,
)


class ParentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.ags})" if obj.ags else obj.name


class AccessRequestForm(forms.Form):
    name = forms.CharField(
        label=_("Name der Stelle"),
        min_length=3,
        max_length=NAME_MAX,
        help_text=_("Wie im Handelsregister oder in der Satzung, z. B. „Stadtwerke Musterstadt GmbH“."),
    )
    legal_form = forms.ChoiceField(label=_("Rechtsform / Art"), choices=LEGAL_FORMS)
    parent = ParentChoiceField(
        label=_("Übergeordnete Stelle (Träger)"),
        queryset=parent_choices(),
        empty_label=_("Bitte wählen"),
        help_text=_("Die Kommune, der Kreis oder das Ministerium, zu der oder dem Ihre Stelle gehört."),
    )
    street = forms.CharField(label=_("Straße und Hausnummer"), min_length=3, max_length=STREET_MAX)
    postcode = forms.CharField(
        label=_("Postleitzahl"),
        min_length=5,
        max_length=5,
        validators=[RegexValidator(r"^\d{5}$", _("Eine Postleitzahl hat fünf Ziffern."))],
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "postal-code"}),
    )
    city = forms.CharField(label=_("Ort"), min_length=2, max_length=CITY_MAX)
    contact_name = forms.CharField(label=_("Ansprechperson"), min_length=3, max_length=CONTACT_MAX)
    contact_email = forms.EmailField(
        label=_("E-Mail-Adresse der Ansprechperson"),
        help_text=_("An diese Adresse geht nach der Freigabe die Einladung für die erste Administration."),
    )
    contact_phone = forms.CharField(
        label=_("Telefonnummer der Ansprechperson"),
        min_length=PHONE_MIN,
        max_length=PHONE_MAX,
        validators=[phone_validator],
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    proof = forms.FileField(
        label=_("Nachweis der Abrufberechtigung"),
        help_text=_(
            "PDF, PNG oder JPEG, höchstens 10 MB: z. B. ein Auszug aus dem Handelsregister, die Satzung oder "
            "ein Schreiben der übergeordneten Stelle."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg,application/pdf,image/png,image/jpeg"}),
    )


class ApproveForm(forms.Form):
    admin_email = forms.EmailField(
        label=_("E-Mail-Adresse der ersten Administration"),
        required=False,
        help_text=_("Leer lassen, um die Ansprechperson aus dem Antrag einzuladen."),
    )


class RefuseForm(forms.Form):
    reason = forms.CharField(
        label=_("Begründung der Ablehnung"),
        min_length=REASON_MIN,
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Die Antragstellerin oder der Antragsteller erhält diese Begründung per E-Mail."),
    )
