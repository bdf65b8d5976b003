"""Portal forms for measures and the reconnection gate. The services check everything again (and the
database too); the forms answer in German and keep the input."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import Finding
from .models import DESCRIPTION_MAX, NOTE_MAX, REASON_MAX, REASON_MIN, TITLE_MAX, OwnerKind, RemediationTerms

PROVIDER_CHOICE = OwnerKind.PROVIDER.value


class AssignForm(forms.Form):
    owner = forms.ChoiceField(label=_("Verantwortlich"))

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.members = {str(user.pk): user for user in members}
        self.fields["owner"].choices = [
            ("", _("– bitte wählen –")),
            *((pk, f"{user.get_full_name() or user.email} ({user.email})") for pk, user in self.members.items()),
            (PROVIDER_CHOICE, _("Der Dienstleister (kostenpflichtige Leistung)")),
        ]

    def owner_kind_and_user(self):
        value = self.cleaned_data["owner"]
        if value == PROVIDER_CHOICE:
            return OwnerKind.PROVIDER, None
        return OwnerKind.BODY, self.members.get(value)


class DoneForm(forms.Form):
    note = forms.CharField(
        label=_("Was wurde umgesetzt? (optional)"),
        max_length=NOTE_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Der beauftragte Dienstleister wird gebeten, die Umsetzung zu prüfen."),
    )

    def __init__(self, *args, checked_by_body: bool = False, **kwargs):
        """``checked_by_body``: the provider carried the measure out, so a body admin checks it."""
        super().__init__(*args, **kwargs)
        if checked_by_body:
            self.fields["note"].help_text = _(
                "Die Administration der Stelle wird gebeten, die Umsetzung zu prüfen (nicht der Dienstleister, "
                "der sie umgesetzt hat)."
            )


class RiskForm(forms.Form):
    reason = forms.CharField(
        label=_("Begründung der Risikoübernahme"),
        min_length=REASON_MIN,
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("{low} bis {high} Zeichen. Die Entscheidung wird mit Ihrem Namen protokolliert.").format(
            low=REASON_MIN, high=REASON_MAX
        ),
    )


class VerifyForm(forms.Form):
    result = forms.ChoiceField(
        label=_("Ergebnis der Prüfung"),
        choices=[("verified", _("Bestätigt: die Maßnahme wirkt")), ("sent_back", _("Zurückgeben: nicht ausreichend"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Prüfvermerk bzw. Grund der Rückgabe"),
        max_length=REASON_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Beim Zurückgeben Pflicht, mindestens {n} Zeichen.").format(n=REASON_MIN),
    )

    def clean(self):
        data = super().clean()
        if data.get("result") == "sent_back" and len((data.get("note") or "").strip()) < REASON_MIN:
            self.add_error("note", _("Bitte begründen Sie die Rückgabe (mindestens {n} Zeichen).").format(n=REASON_MIN))
        return data


class RequiredForm(forms.Form):
    required_for_reconnection = forms.BooleanField(
        label=_("Voraussetzung für den Wiederanschluss an gemeinsame Netze"), required=False
    )


class GateForm(forms.Form):
    note = forms.CharField(
        label=_("Vermerk (optional)"), max_length=NOTE_MAX, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class GateCloseForm(forms.Form):
    reason = forms.CharField(
        label=_("Grund der Sperre"),
        min_length=REASON_MIN,
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "{low} bis {high} Zeichen. Die Sperre wird mit Ihrem Namen protokolliert; eine erneute Freigabe "
            "setzt voraus, dass alle erforderlichen Maßnahmen bestätigt sind."
        ).format(low=REASON_MIN, high=REASON_MAX),
    )


class MeasureForm(forms.Form):
    finding = forms.ModelChoiceField(label=_("Befund"), queryset=Finding.objects.none(), to_field_name="public_id")
    title = forms.CharField(label=_("Maßnahme"), max_length=TITLE_MAX)
    description = forms.CharField(
        label=_("Beschreibung"), max_length=DESCRIPTION_MAX, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    required_for_reconnection = forms.BooleanField(
        label=_("Voraussetzung für den Wiederanschluss an gemeinsame Netze"), required=False
    )

    def __init__(self, *args, calloff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["finding"].queryset = Finding.objects.filter(calloff_id=calloff.pk).order_by("created_at")


class TermsForm(forms.ModelForm):
    """The ministry's remediation terms of a contract (days by severity, reminder lead time)."""

    class Meta:
        model = RemediationTerms
        fields = [
            "critical_days",
            "high_days",
            "medium_days",
            "low_days",
            "remind_before_days",
            "overdue_every_days",
            "escalate_after_days",
        ]

    def clean(self):
        data = super().clean()
        days = [data.get(name) for name in ("critical_days", "high_days", "medium_days", "low_days")]
        if None not in days and days != sorted(days):
            raise forms.ValidationError(
                _("Die Fristen müssen mit sinkendem Schweregrad gleich bleiben oder länger werden.")
            )
        return data
