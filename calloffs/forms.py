"""Forms of the call-off pages. They check shape and format; the services check the rules."""

from __future__ import annotations

import copy
import uuid
from datetime import datetime
from decimal import Decimal

from django import forms
from django.db.models import Case, When
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from digisos import plausible
from incidents.models import Category, FirstHourStep
from tenants.models import phone_validator

from .models import ASSIGN_REASON_MAX, ASSIGN_REASON_MIN, OfferState, Priority, Provider
from .selectors import assignment_candidates

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
AWARE_NOW, AWARE_TODAY, AWARE_EARLIER = "now", "today", "earlier"
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d.%m.%Y %H:%M"]


def module_quantity_field(module, *, initial=None) -> forms.DecimalField:
    """The estimated quantity of one service module (filing form, change of scope)."""
    return forms.DecimalField(
        label=module.name,
        required=False,
        min_value=plausible.QUANTITY.low,
        max_value=plausible.QUANTITY.high,
        decimal_places=2,
        localize=True,
        initial=initial,
        help_text=_("%(unit)s · %(price)s € je Einheit")
        % {
            "unit": module.get_unit_display(),
            "price": number_format(module.price, decimal_pos=2, use_l10n=True, force_grouping=True),
        },
        widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 6}),
    )


def module_quantity_field_copy(module, *, initial=None) -> forms.DecimalField:
    """``module_quantity_field``, built once per module instance and what the field shows (language,
    name, unit, price, initial), then deep-copied for each form as Django copies a form's declared
    fields (issue 19: building it, with its unit's label and the price formatted, was half of the
    filing form's construction). For the modules of the kept contract terms, which live as long as
    their version: the built fields are kept on the instance (``_quantity_fields``) and go with it."""
    key = (translation.get_language(), module.name, module.unit, module.price, initial)
    built = module.__dict__.setdefault("_quantity_fields", {})
    field = built.get(key)
    if field is None:
        field = built[key] = module_quantity_field(module, initial=initial)
    return copy.deepcopy(field)


class CallOffFilingForm(forms.Form):
    """The emergency call-off (Notfall-Abruf): short, prefilled, works on a phone."""

    client_token = forms.UUIDField(widget=forms.HiddenInput)
    organisation = forms.ChoiceField(label=_("Für welche Stelle?"), choices=())
    # Nothing is preselected: the caller says what happened (a guess from the form would end up in the
    # incident record and the reports).
    category = forms.ChoiceField(label=_("Was ist passiert?"), choices=Category.choices, widget=forms.RadioSelect)
    operations_halted = forms.TypedChoiceField(
        label=_("Ist der Dienstbetrieb eingestellt?"),
        choices=[("yes", _("Ja – der Betrieb steht (Priorität P1)")), ("no", _("Nein – eingeschränkt"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    priority = forms.ChoiceField(
        label=_("Falls nicht eingestellt: wie stark beeinträchtigt?"),
        choices=[(Priority.P2, Priority.P2.label), (Priority.P3, Priority.P3.label)],
        widget=forms.RadioSelect,
        required=False,
        help_text=_("Ohne Auswahl gilt P2 (Dienstbetrieb erheblich beeinträchtigt)."),
    )
    # "Seit wann?": the time of becoming aware starts the NIS-2 and GDPR clocks. Asked plainly; left
    # open, the filing time is assumed and the incident page says so (the body can correct it there).
    aware = forms.ChoiceField(
        label=_("Seit wann wissen Sie von dem Vorfall?"),
        choices=[
            (AWARE_NOW, _("Gerade eben")),
            (AWARE_TODAY, _("Früher am heutigen Tag")),
            (AWARE_EARLIER, _("An einem früheren Tag")),
        ],
        widget=forms.RadioSelect,
        required=False,
        help_text=_(
            "Ab diesem Zeitpunkt laufen die Meldefristen. Ohne Angabe gilt der Zeitpunkt dieses Abrufs "
            "als angenommen; Sie können ihn später beim Vorfall berichtigen."
        ),
    )
    aware_time = forms.TimeField(
        label=_("Uhrzeit heute"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        input_formats=["%H:%M", "%H.%M", "%H:%M:%S"],
    )
    detected_at = plausible.PastDateTimeField(
        label=_("Datum und Uhrzeit"),
        required=False,
        widget=DATETIME_WIDGET,
        input_formats=DATETIME_FORMATS,
        help_text=_("Ungefähr genügt."),
    )
    situation = forms.CharField(
        label=_("Kurze Lagebeschreibung"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        help_text=_("Zum Beispiel: Erpresserschreiben auf den Servern, Dateien verschlüsselt, Netz getrennt."),
    )
    affected = forms.CharField(
        label=_("Was ist betroffen?"), widget=forms.Textarea(attrs={"rows": 2}), max_length=5000, required=False
    )
    place_of_performance = forms.CharField(
        label=_("Leistungsort"), widget=forms.Textarea(attrs={"rows": 2}), max_length=1000, required=False
    )
    callback_phone = forms.CharField(
        label=_("Rückrufnummer (außerhalb der eigenen Telefonanlage)"),
        max_length=30,
        validators=[phone_validator],
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
    )
    callback_email = forms.EmailField(
        label=_("E-Mail außerhalb der eigenen Infrastruktur"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    # Ministry staff filing for a body that phoned in.
    phoned_in_by = forms.CharField(label=_("Wer hat angerufen? (Name, Funktion, Rückrufnummer)"), required=False)
    verification_note = forms.CharField(
        label=_("Wie wurde die Identität geprüft?"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("Zum Beispiel: Rückruf über die hinterlegte Notfallnummer."),
    )

    DEFAULT_QUANTITY = Decimal("1")

    def __init__(self, *args, organisations, modules, on_behalf: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.on_behalf = on_behalf
        self.modules = list(modules)
        self.fields["organisation"].choices = [(str(o.public_id), o.name) for o in organisations]
        if len(self.fields["organisation"].choices) == 1:
            self.fields["organisation"].widget = forms.HiddenInput()
        if not on_behalf:
            del self.fields["phoned_in_by"]
            del self.fields["verification_note"]
        else:
            self.fields["phoned_in_by"].required = True
            self.fields["verification_note"].required = True
        # The contract's first module is the acute response: preset with one unit, stated on the form and
        # changeable, so a caller who only says what happened files on the first submit.
        for index, module in enumerate(self.modules):
            initial = self.DEFAULT_QUANTITY if index == 0 else None
            self.fields[f"module_{module.pk}"] = module_quantity_field_copy(module, initial=initial)

    @property
    def default_module(self):
        return self.modules[0] if self.modules else None

    def awareness(self) -> datetime | None:
        """The time of becoming aware the caller gave (from the cleaned data); None: not given, assumed."""
        data = self.cleaned_data
        choice = data.get("aware") or (AWARE_EARLIER if data.get("detected_at") else "")
        if choice == AWARE_NOW:
            return timezone.now()
        if choice == AWARE_TODAY and data.get("aware_time") is not None:
            return timezone.make_aware(datetime.combine(timezone.localdate(), data["aware_time"]))
        if choice == AWARE_EARLIER:
            return data.get("detected_at")
        return None

    def module_fields(self):
        return [self[f"module_{m.pk}"] for m in self.modules]

    def services(self):
        return [
            (module, self.cleaned_data[f"module_{module.pk}"])
            for module in self.modules
            if self.cleaned_data.get(f"module_{module.pk}")
        ]

    def clean(self):
        data = super().clean()
        choice = data.get("aware")
        if choice == AWARE_TODAY and "aware_time" not in self.errors:
            if data.get("aware_time") is None:
                self.add_error("aware_time", _("Bitte die Uhrzeit angeben, zu der der Vorfall bemerkt wurde."))
            else:
                try:
                    plausible.check_past_datetime(self.awareness(), label=self.fields["aware_time"].label)
                except forms.ValidationError as exc:
                    self.add_error("aware_time", exc)
        if choice == AWARE_EARLIER and data.get("detected_at") is None and "detected_at" not in self.errors:
            self.add_error("detected_at", _("Bitte Datum und Uhrzeit angeben, zu der der Vorfall bemerkt wurde."))
        module_errors = any(f"module_{m.pk}" in self.errors for m in self.modules)
        if self.modules and not module_errors and not self.services():
            # Tied to the first service field, so that the error summary links to where it can be fixed.
            self.add_error(
                f"module_{self.modules[0].pk}",
                _("Bitte mindestens eine Leistung mit geschätzter Menge angeben (z. B. 1 Stunde)."),
            )
        return data

    @staticmethod
    def new_token() -> str:
        return str(uuid.uuid4())


class AcceptForm(forms.Form):
    lead_name = forms.CharField(label=_("Einsatzleitung (Name)"), max_length=200)
    lead_phone = forms.CharField(
        label=_("Telefon der Einsatzleitung"),
        max_length=30,
        validators=[phone_validator],
        widget=forms.TextInput(attrs={"type": "tel"}),
    )
    eta_remote = plausible.PlannedDateTimeField(
        label=_("Remote-Unterstützung ab"), required=False, widget=DATETIME_WIDGET, input_formats=DATETIME_FORMATS
    )
    eta_onsite = plausible.PlannedDateTimeField(
        label=_("Vor Ort ab"), required=False, widget=DATETIME_WIDGET, input_formats=DATETIME_FORMATS
    )
    note = forms.CharField(label=_("Hinweis"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Begründung"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class SummaryForm(forms.Form):
    summary = forms.CharField(label=_("Zusammenfassung der Leistung"), widget=forms.Textarea(attrs={"rows": 3}))


class AssignChoiceField(forms.ModelChoiceField):
    """One radio button per provider, its label saying rank, load against capacity and region."""

    def __init__(self, *args, candidates, region: str, **kwargs):
        self.candidates = {c.provider.pk: c for c in candidates}
        self.region = region
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj) -> str:
        c = self.candidates.get(obj.pk)
        if c is None:
            return str(obj)
        region_note = "" if c.serves_region else " (" + _("nicht %(region)s") % {"region": self.region} + ")"
        parts = [
            _("Rang %(rank)s") % {"rank": c.rank} if c.rank else _("nicht in der Rangfolge dieses Abrufs"),
            _("%(engaged)s von %(capacity)s Einsätzen belegt") % {"engaged": c.engaged, "capacity": obj.capacity}
            + (" (" + _("ausgelastet") + ")" if c.at_capacity else ""),
            _("Regierungsbezirke: %(regions)s") % {"regions": ", ".join(obj.regions or [])} + region_note,
        ]
        if c.offer_state:
            parts.append(_("Angebot: %(state)s") % {"state": OfferState(c.offer_state).label})
        return f"{obj.legal_name} – " + " · ".join(str(p) for p in parts)


class ManualAssignForm(forms.Form):
    """The ministry assigns a provider directly, deviating from the order of precedence."""

    reason = forms.CharField(
        label=_("Begründung der Abweichung von der Rangfolge"),
        help_text=_(
            "Mindestens 10 Zeichen, z. B. „Rang 1 telefonisch nicht erreichbar“. "
            "Wird im Verlauf und im Prüfprotokoll dokumentiert."
        ),
        widget=forms.Textarea(attrs={"rows": 2}),
        min_length=ASSIGN_REASON_MIN,
        max_length=ASSIGN_REASON_MAX,
    )

    def __init__(self, *args, calloff, **kwargs):
        super().__init__(*args, **kwargs)
        candidates = assignment_candidates(calloff)
        self.fields["provider"] = AssignChoiceField(
            label=_("Dienstleister"),
            queryset=Provider.objects.filter(pk__in=[c.provider.pk for c in candidates]),
            candidates=candidates,
            region=calloff.organisation.regierungsbezirk,
            empty_label=None,
            widget=forms.RadioSelect,
        )
        if candidates:  # in the order of precedence, not by name
            order = Case(*(When(pk=c.provider.pk, then=i) for i, c in enumerate(candidates)))
            self.fields["provider"].queryset = self.fields["provider"].queryset.order_by(order)
        self.order_fields(["provider", "reason"])


class ChecklistForm(forms.Form):
    """Tick (done=1) or untick (done=0) one step of the first-hour checklist."""

    step = forms.ChoiceField(choices=FirstHourStep.choices)
    done = forms.TypedChoiceField(choices=[("1", "1"), ("0", "0")], coerce=lambda value: value == "1")
