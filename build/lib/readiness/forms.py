from django import forms
from django.utils.translation import gettext_lazy as _

from digisos.plausible import PastDateField

from .models import CRITICAL_SYSTEMS_MAX, SYSTEM_DESCRIPTION_MAX, SYSTEM_NAME_MAX, ProtectionNeed, ReadinessProfile


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
        fields = list(ReadinessProfile.FORM_FIELDS)
        widgets = {
            "backup_concept": forms.Textarea(attrs={"rows": 3}),
            "admin_contacts": forms.Textarea(attrs={"rows": 3}),
            "external_providers": forms.Textarea(attrs={"rows": 3}),
            "insurance_hotline": forms.TextInput(attrs={"type": "tel"}),
        }
        help_texts = {
            "admin_contacts": _(
                "Namen und private oder dienstliche Mobilnummern, die bei einem Angriff erreichbar bleiben."
            ),
        }


class CriticalSystemForm(forms.Form):
    """One row of the critical systems. A row without name and description is empty (left out); the
    labels carry the row's number, so that each field is named on its own (screen readers, voice)."""

    name = forms.CharField(label=_("System oder Dienst"), required=False, max_length=SYSTEM_NAME_MAX)
    description = forms.CharField(
        label=_("Was hängt davon ab?"),
        required=False,
        max_length=SYSTEM_DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    protection = forms.ChoiceField(
        label=_("Schutzbedarf"),
        required=False,
        choices=[("", _("– bitte wählen –")), *ProtectionNeed.choices],
    )

    def __init__(self, *args, number: int = 1, **kwargs):
        super().__init__(*args, **kwargs)
        self.number = number
        self.fields["name"].label = _("System {number}: Name").format(number=number)
        self.fields["description"].label = _("System {number}: was hängt davon ab?").format(number=number)
        self.fields["protection"].label = _("System {number}: Schutzbedarf").format(number=number)

    def is_blank(self) -> bool:
        data = self.cleaned_data
        return not data.get("name") and not data.get("description")

    def clean(self):
        data = super().clean()
        if self.is_blank() or data.get("DELETE"):
            return data
        if not data.get("name"):
            self.add_error("name", _("Bitte den Namen des Systems oder Dienstes angeben."))
        if not data.get("protection"):
            self.add_error("protection", _("Bitte den Schutzbedarf wählen (normal, hoch oder sehr hoch)."))
        return data


class BaseCriticalSystemFormSet(forms.BaseFormSet):
    default_error_messages = {
        "too_many_forms": _("Höchstens %(num)d kritische Systeme und Dienste."),
    }

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "number": (index or 0) + 1}

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("System {number} entfernen").format(number=form.number)

    def clean(self):
        if any(self.errors):
            return
        if len(self.rows()) > CRITICAL_SYSTEMS_MAX:
            raise forms.ValidationError(
                _("Höchstens {max} kritische Systeme und Dienste; bitte entfernen Sie {over}.").format(
                    max=CRITICAL_SYSTEMS_MAX, over=len(self.rows()) - CRITICAL_SYSTEMS_MAX
                ),
                code="too_many_systems",
            )

    def rows(self) -> list[dict]:
        """The filled rows that stay, in order (empty rows and those marked for removal are left out)."""
        return [
            {
                "name": form.cleaned_data["name"],
                "description": form.cleaned_data["description"],
                "protection": form.cleaned_data["protection"],
            }
            for form in self.forms
            if form.cleaned_data and not form.is_blank() and not form.cleaned_data.get("DELETE")
        ]


#: One empty row to fill in below the rows there are; more through "add row" (no JavaScript needed).
#: absolute_max leaves room above the limit so that too many rows come back with an error, not cut off.
CriticalSystemFormSet = forms.formset_factory(
    CriticalSystemForm,
    formset=BaseCriticalSystemFormSet,
    extra=1,
    can_delete=True,
    max_num=CRITICAL_SYSTEMS_MAX,
    absolute_max=CRITICAL_SYSTEMS_MAX + 10,
)
SYSTEMS_PREFIX = "system"


def systems_initial(profile) -> list[dict]:
    return [system.as_dict() for system in profile.critical_systems] if profile else []


def with_one_more_row(data):
    """The posted data with one more (empty) row, or None at the limit (the "add row" button)."""
    key = f"{SYSTEMS_PREFIX}-TOTAL_FORMS"
    try:
        total = int(data.get(key, ""))
    except ValueError:
        return None
    if total < 0 or total >= CRITICAL_SYSTEMS_MAX:
        return None
    data = data.copy()
    data[key] = str(total + 1)
    return data


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


class NetworkOverviewRemoveForm(forms.Form):
    """The confirmation to remove the network overview: names the overview the person saw (a file
    replaced meanwhile is not removed unseen, readiness.services.readiness_network_overview_remove)."""

    overview = forms.UUIDField(
        widget=forms.HiddenInput,
        error_messages={
            "required": _("Bitte bestätigen Sie, welche Netzübersicht entfernt werden soll."),
            "invalid": _("Bitte bestätigen Sie, welche Netzübersicht entfernt werden soll."),
        },
    )
