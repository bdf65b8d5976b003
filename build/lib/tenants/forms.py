from django import forms
from django.utils.translation import gettext_lazy as _

from digisos import plausible

from . import leitweg
from .models import EmergencyContact, Organisation, Role


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("E-Mail-Adresse"))
    role = forms.ChoiceField(label=_("Rolle"), choices=Role.choices, initial=Role.CALLER)


class MinistryInvitationForm(forms.Form):
    email = forms.EmailField(label=_("E-Mail-Adresse"))


class MembershipForm(forms.Form):
    role = forms.ChoiceField(label=_("Rolle"), choices=Role.choices)
    remove = forms.BooleanField(label=_("Mitgliedschaft beenden"), required=False)


class LeitwegForm(forms.Form):
    """The body's Leitweg-ID for e-invoices (tenants.leitweg): blanks removed, capitals; empty clears it."""

    leitweg_id = forms.CharField(
        label=_("Leitweg-ID"),
        required=False,
        max_length=60,
        help_text=_("Die Adresse Ihrer Stelle für E-Rechnungen (XRechnung), z. B. 05315000-ABC123-85."),
    )

    def clean_leitweg_id(self):
        value = leitweg.normalise(self.cleaned_data.get("leitweg_id", ""))
        leitweg.validate_leitweg_id(value)
        return value


class EligibilityForm(forms.ModelForm):
    """Dates of an eligibility: in [2000-01-01, 2099-12-31], the end not before the start (digisos.plausible)."""

    class Meta:
        model = Organisation
        fields = ["eligible_from", "eligible_until"]
        field_classes = {"eligible_from": plausible.PlausibleDateField, "eligible_until": plausible.PlausibleDateField}

    def clean(self):
        data = super().clean()
        start, end = data.get("eligible_from"), data.get("eligible_until")
        if start and end and end < start:
            self.add_error("eligible_until", _("Das Ende der Abrufberechtigung liegt vor ihrem Beginn."))
        return data


class EmergencyContactForm(forms.ModelForm):
    class Meta:
        model = EmergencyContact
        fields = ["name", "function", "mobile", "email", "position"]
        widgets = {"mobile": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"})}
