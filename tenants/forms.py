from django import forms
from django.utils.translation import gettext_lazy as _

from digisos import plausible

from .models import EmergencyContact, Organisation, Role


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("E-Mail-Adresse"))
    role = forms.ChoiceField(label=_("Rolle"), choices=Role.choices, initial=Role.CALLER)


class MinistryInvitationForm(forms.Form):
    email = forms.EmailField(label=_("E-Mail-Adresse"))


class MembershipForm(forms.Form):
    role = forms.ChoiceField(label=_("Rolle"), choices=Role.choices)
    remove = forms.BooleanField(label=_("Mitgliedschaft beenden"), required=False)


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
