from django import forms
from django.utils.translation import gettext_lazy as _

from .models import EmergencyContact, Organisation, OrganisationKind, Regierungsbezirk, Role


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


class OrganisationFilterForm(forms.Form):
    q = forms.CharField(label=_("Suche (Name oder AGS)"), required=False)
    kind = forms.ChoiceField(label=_("Art"), required=False, choices=[("", _("Alle"))] + OrganisationKind.choices)
    regierungsbezirk = forms.ChoiceField(
        label=_("Regierungsbezirk"), required=False, choices=[("", _("Alle"))] + Regierungsbezirk.choices
    )
