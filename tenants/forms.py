from django import forms
from django.utils.translation import gettext_lazy as _

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
    class Meta:
        model = Organisation
        fields = ["eligible_from", "eligible_until"]
        widgets = {
            "eligible_from": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "eligible_until": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }


class EmergencyContactForm(forms.ModelForm):
    class Meta:
        model = EmergencyContact
        fields = ["name", "function", "mobile", "email", "position"]
        widgets = {"mobile": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"})}
