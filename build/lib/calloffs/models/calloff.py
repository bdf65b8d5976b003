"""The call-off (Abruf): what a body orders under the contract, its offers and its audit trail."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import GreaterThanOrEqual, LessThanOrEqual
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from digisos import plausible
from digisos.plausible import date_range_check, datetime_range_check, number_range_check, range_validator
from incidents.models import Category, Incident
from notifications.models import Notification
from tenants.models import Organisation, phone_validator
from tenants.selectors import roles_of

from ..errors import ImmutableRecord
from .contract import FrameworkContract, Priority, ServiceModule, money_field
from .provider import Provider
from .ranking import RankingVersion


class CallOffState(models.TextChoices):
    """The labels are the one wording of the states, for callers first (page, lists, e-mails, PDFs
    use get_state_display / these labels; nobody spells them again). "Angeboten" read as if the provider
    had offered something: the body's view is that a provider has been asked."""

    SUBMITTED = "submitted", _("Eingegangen")
    OFFERED = "offered", _("Dienstleister angefragt")
    ACCEPTED = "accepted", _("Angenommen")
    IN_PROGRESS = "in_progress", _("In Bearbeitung")
    COMPLETED = "completed", _("Leistung erbracht")
    CLOSED = "closed", _("Abgeschlossen")
    UNASSIGNED = "unassigned", _("Nicht vergeben")
    CANCELLED = "cancelled", _("Storniert")


S = CallOffState
#: The lifecycle. Services check every move against this map; nothing else changes ``state``.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.SUBMITTED: frozenset({S.OFFERED, S.UNASSIGNED, S.CANCELLED}),
    S.OFFERED: frozenset({S.OFFERED, S.ACCEPTED, S.UNASSIGNED, S.CANCELLED}),
    S.UNASSIGNED: frozenset({S.ACCEPTED, S.CANCELLED}),
    S.ACCEPTED: frozenset({S.IN_PROGRESS, S.COMPLETED, S.CANCELLED}),
    S.IN_PROGRESS: frozenset({S.COMPLETED, S.CANCELLED}),
    S.COMPLETED: frozenset({S.CLOSED}),
    S.CLOSED: frozenset(),
    S.CANCELLED: frozenset(),
}
#: States in which a provider is engaged; they count against its capacity.
ENGAGED_STATES = (S.ACCEPTED, S.IN_PROGRESS)
#: States in which the assigned provider may record hours.
WORK_STATES = (S.ACCEPTED, S.IN_PROGRESS, S.COMPLETED)
OPEN_STATES = (S.SUBMITTED, S.OFFERED, S.UNASSIGNED, S.ACCEPTED, S.IN_PROGRESS)
#: Plausible length of the ministry's reason for deviating from the order of precedence
#: (form, service and the CHECK below).
ASSIGN_REASON_MIN, ASSIGN_REASON_MAX = 10, 2000


class CallOffQuerySet(models.QuerySet):
    def visible_to(self, user) -> CallOffQuerySet:
        """Ministry: all. Body members: their bodies' call-offs. Provider staff: call-offs
        assigned to their provider or with an offer open to it right now. Anyone else: none.

        Built from subqueries, not joins, so no DISTINCT is needed and the queryset can be
        row-locked and paginated.
        """
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.is_ministry_staff:
            return self.all()
        from ..permissions import provider_ids_of  # the account's bodies and provider, read once per request

        own_bodies = list(roles_of(user))
        my_provider = provider_ids_of(user)
        # Only the clauses that can match (an empty IN matches nothing): a body's member without a
        # provider is not compiled a subquery of offers on every page (issue 19), and vice versa.
        scope = Q(organisation_id__in=own_bodies) if own_bodies or not my_provider else Q()
        if my_provider:
            open_offers = Offer.objects.filter(state=OfferState.OPEN, provider_id__in=my_provider).values("calloff_id")
            scope |= Q(provider_id__in=my_provider) | Q(pk__in=open_offers)
        return self.filter(scope)

    def open(self) -> CallOffQuerySet:
        return self.filter(state__in=OPEN_STATES)


#: The moments of a call-off that a person or a provider enters (the others are set by the system).
ENTERED_MOMENTS = (
    "detected_at",
    "eta_remote",
    "eta_onsite",
    "callback_made_at",
    "remote_started_at",
    "onsite_arrived_at",
    "contained_at",
)


class CallOff(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    #: The outbox rows about this call-off (deleted with it, as before the outbox had its own app).
    notifications = GenericRelation(
        Notification, content_type_field="topic_type", object_id_field="topic_id", related_query_name="calloff"
    )
    number = models.CharField(_("Abrufnummer"), max_length=20, unique=True)
    contract = models.ForeignKey(
        FrameworkContract, on_delete=models.PROTECT, related_name="calloffs", verbose_name=_("Rahmenvertrag")
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="calloffs", verbose_name=_("Stelle")
    )
    incident = models.ForeignKey(
        Incident, on_delete=models.PROTECT, related_name="calloffs", verbose_name=_("Sicherheitsvorfall")
    )
    ranking_version = models.ForeignKey(
        RankingVersion,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="calloffs",
        verbose_name=_("Rangfolge"),
    )
    state = models.CharField(_("Status"), max_length=12, choices=CallOffState.choices, default=S.SUBMITTED)
    priority = models.CharField(_("Priorität"), max_length=2, choices=Priority.choices)
    category = models.CharField(_("Art des Vorfalls"), max_length=20, choices=Category.choices)
    situation = models.TextField(_("Was ist passiert?"))
    detected_at = models.DateTimeField(_("Bemerkt seit"), null=True, blank=True)
    affected = models.TextField(_("Was ist betroffen?"), blank=True)
    operations_halted = models.BooleanField(_("Dienstbetrieb eingestellt"), default=False)
    place_of_performance = models.TextField(_("Leistungsort"), blank=True)
    callback_phone = models.CharField(_("Rückrufnummer"), max_length=30, validators=[phone_validator])
    callback_email = models.EmailField(_("E-Mail außerhalb der eigenen Infrastruktur"), blank=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("Gestellt von")
    )
    on_behalf = models.BooleanField(_("Im Auftrag gestellt (telefonisch gemeldet)"), default=False)
    phoned_in_by = models.CharField(_("Gemeldet von"), max_length=200, blank=True)
    verification_note = models.TextField(_("Prüfung der Identität"), blank=True)
    client_token = models.UUIDField(_("Formular-Token"), editable=False)
    provider = models.ForeignKey(
        Provider,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="calloffs",
        verbose_name=_("Dienstleister"),
    )
    lead_name = models.CharField(_("Einsatzleitung"), max_length=200, blank=True)
    lead_phone = models.CharField(
        _("Telefon der Einsatzleitung"), max_length=30, blank=True, validators=[phone_validator]
    )
    eta_remote = models.DateTimeField(_("Remote-Unterstützung ab"), null=True, blank=True)
    eta_onsite = models.DateTimeField(_("Vor Ort ab"), null=True, blank=True)
    accept_note = models.TextField(_("Hinweis zur Annahme"), blank=True)
    estimated_value = money_field(_("Geschätzter Wert (EUR)"), default=0)
    #: An exercise of the real call-off path (readiness work): nothing is billed for it.
    is_drill = models.BooleanField(_("Übung"), default=False)
    exceeds_ceiling = models.BooleanField(_("Überschreitet den Höchstwert"), default=False)
    manual_assignment_reason = models.TextField(_("Grund der manuellen Vergabe"), blank=True)
    cancel_reason = models.TextField(_("Grund der Stornierung"), blank=True)
    completion_summary = models.TextField(_("Abschlussbericht des Dienstleisters"), blank=True)
    submitted_at = models.DateTimeField(_("Gestellt am"), default=timezone.now)
    accepted_at = models.DateTimeField(_("Angenommen am"), null=True, blank=True)
    started_at = models.DateTimeField(_("Begonnen am"), null=True, blank=True)
    completed_at = models.DateTimeField(_("Leistung erbracht am"), null=True, blank=True)
    closed_at = models.DateTimeField(_("Abgeschlossen am"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("Storniert am"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)
    callback_due_at = models.DateTimeField(_("Rückruf fällig bis"), null=True, blank=True)
    remote_start_due_at = models.DateTimeField(_("Remote-Beginn fällig bis"), null=True, blank=True)
    onsite_due_at = models.DateTimeField(_("Vor Ort fällig bis"), null=True, blank=True)
    # Milestones reported by the provider (calloffs.services.milestones); each stops its SLA clock.
    callback_made_at = models.DateTimeField(_("Erster Rückruf am"), null=True, blank=True)
    remote_started_at = models.DateTimeField(_("Remote-Unterstützung begonnen am"), null=True, blank=True)
    onsite_arrived_at = models.DateTimeField(_("Vor Ort eingetroffen am"), null=True, blank=True)
    contained_at = models.DateTimeField(_("Eingedämmt am"), null=True, blank=True)

    objects = CallOffQuerySet.as_manager()

    class Meta:
        verbose_name = _("Abruf")
        verbose_name_plural = _("Abrufe")
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["filed_by", "client_token"], name="calloff_client_token_unique"),
            models.CheckConstraint(
                condition=Q(on_behalf=False) | (~Q(phoned_in_by="") & ~Q(verification_note="")),
                name="calloff_on_behalf_documented",
            ),
            models.CheckConstraint(
                condition=~Q(state__in=[S.ACCEPTED, S.IN_PROGRESS, S.COMPLETED, S.CLOSED]) | Q(provider__isnull=False),
                name="calloff_engaged_has_provider",
            ),
            number_range_check("estimated_value", plausible.MONEY, name="calloff_value_plausible", null=False),
            models.CheckConstraint(
                condition=Q(manual_assignment_reason="")
                | Q(
                    GreaterThanOrEqual(Length("manual_assignment_reason"), ASSIGN_REASON_MIN),
                    LessThanOrEqual(Length("manual_assignment_reason"), ASSIGN_REASON_MAX),
                ),
                name="calloff_assign_reason_length",
            ),
            # What the body or the provider entered lies in the plausible range (digisos.plausible).
            *(datetime_range_check(field, name=f"calloff_{field}_plausible") for field in ENTERED_MOMENTS),
        ]
        indexes = [
            models.Index(fields=["organisation", "state"], name="calloff_org_state"),
            models.Index(fields=["provider", "state"], name="calloff_provider_state"),
            models.Index(fields=["contract", "state"], name="calloff_contract_state"),
            # The SLA sweep of the notification issue reads these (STYLE §4).
            models.Index(
                fields=["callback_due_at"],
                name="calloff_callback_due_open",
                condition=Q(state__in=[S.ACCEPTED, S.IN_PROGRESS]),
            ),
            models.Index(
                fields=["remote_start_due_at"],
                name="calloff_remote_due_open",
                condition=Q(state__in=[S.ACCEPTED, S.IN_PROGRESS]),
            ),
            models.Index(
                fields=["onsite_due_at"],
                name="calloff_onsite_due_open",
                condition=Q(state__in=[S.ACCEPTED, S.IN_PROGRESS]),
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def can_move_to(self, state: str) -> bool:
        return state in TRANSITIONS.get(self.state, frozenset())

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


class CallOffService(models.Model):
    """A service called off, with the contract price at filing time (a snapshot)."""

    calloff = models.ForeignKey(CallOff, on_delete=models.CASCADE, related_name="services")
    service_module = models.ForeignKey(
        ServiceModule, on_delete=models.PROTECT, related_name="+", verbose_name=_("Leistungsmodul")
    )
    estimated_quantity = models.DecimalField(
        _("Geschätzte Menge"), max_digits=10, decimal_places=2, validators=[range_validator(plausible.QUANTITY)]
    )
    unit_price = money_field(_("Preis je Einheit (EUR)"), plausible.UNIT_PRICE)
    value = money_field(_("Geschätzter Wert (EUR)"))
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("Abgerufene Leistung")
        verbose_name_plural = _("Abgerufene Leistungen")
        ordering = ["calloff", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["calloff", "service_module"], name="calloff_service_unique"),
            models.CheckConstraint(
                condition=Q(estimated_quantity__gt=0, estimated_quantity__lte=plausible.QUANTITY.high),
                name="calloff_service_quantity_plausible",
            ),
            number_range_check("unit_price", plausible.UNIT_PRICE, name="calloff_service_price_plausible", null=False),
            number_range_check("value", plausible.MONEY, name="calloff_service_value_plausible", null=False),
        ]

    def __str__(self) -> str:
        return f"{self.service_module} × {self.estimated_quantity}"


class OfferState(models.TextChoices):
    OPEN = "open", _("Angefragt – Antwort ausstehend")
    ACCEPTED = "accepted", _("Angenommen")
    DECLINED = "declined", _("Abgelehnt")
    EXPIRED = "expired", _("Keine Antwort in der Frist")
    WITHDRAWN = "withdrawn", _("Zurückgezogen")


class Offer(models.Model):
    """The call-off offered to one provider, in the order of precedence, for a limited time."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    calloff = models.ForeignKey(CallOff, on_delete=models.CASCADE, related_name="offers")
    provider = models.ForeignKey(
        Provider, on_delete=models.PROTECT, related_name="offers", verbose_name=_("Dienstleister")
    )
    rank = models.PositiveSmallIntegerField(_("Rang"), null=True, blank=True)
    sequence = models.PositiveSmallIntegerField(_("Lfd. Nr. im Abruf"))
    state = models.CharField(_("Status"), max_length=10, choices=OfferState.choices, default=OfferState.OPEN)
    offered_at = models.DateTimeField(_("Angeboten am"), default=timezone.now)
    respond_by = models.DateTimeField(_("Antwort bis"))
    responded_at = models.DateTimeField(_("Beantwortet am"), null=True, blank=True)
    decline_reason = models.TextField(_("Grund der Ablehnung"), blank=True)

    class Meta:
        verbose_name = _("Angebot")
        verbose_name_plural = _("Angebote")
        ordering = ["calloff", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["calloff", "sequence"], name="offer_sequence_unique"),
            models.UniqueConstraint(fields=["calloff", "provider"], name="offer_provider_once"),
            models.UniqueConstraint(fields=["calloff"], condition=Q(state="open"), name="offer_one_open_per_calloff"),
        ]
        indexes = [
            # The expiry sweep: open offers by deadline (healthchecks' alert_after index).
            models.Index(fields=["respond_by"], name="offer_respond_by_open", condition=Q(state="open")),
            models.Index(fields=["provider", "state"], name="offer_provider_state"),
        ]

    def __str__(self) -> str:
        return f"{self.calloff_id}#{self.sequence} → {self.provider}"


class EventKind(models.TextChoices):
    FILED = "filed", _("Abruf gestellt")
    OFFERED = "offered", _("Dienstleister angefragt")
    SKIPPED = "skipped", _("Übersprungen")
    DECLINED = "declined", _("Abgelehnt")
    EXPIRED = "expired", _("Angebot abgelaufen")
    WITHDRAWN = "withdrawn", _("Angebot zurückgezogen")
    ACCEPTED = "accepted", _("Angenommen")
    LEAD_REPORTED = "lead_reported", _("Einsatzleitung gemeldet")
    STARTED = "started", _("Begonnen")
    COMPLETED = "completed", _("Leistung erbracht")
    CLOSED = "closed", _("Abgeschlossen")
    CANCELLED = "cancelled", _("Storniert")
    UNASSIGNED = "unassigned", _("Kein Dienstleister verfügbar")
    ASSIGNED_MANUALLY = "assigned_manually", _("Manuell vergeben")
    CEILING_EXCEEDED = "ceiling_exceeded", _("Höchstwert überschritten")
    TIME_ENTRY_ADDED = "time_entry_added", _("Leistungsnachweis erfasst")
    TIME_ENTRY_CONFIRMED = "time_entry_confirmed", _("Leistungsnachweis bestätigt")
    CALLBACK_MADE = "callback_made", _("Erster Rückruf erfolgt")
    REMOTE_STARTED = "remote_started", _("Remote-Unterstützung begonnen")
    ONSITE_ARRIVED = "onsite_arrived", _("Vor Ort eingetroffen")
    CONTAINED = "contained", _("Vorfall eingedämmt")
    NOTE = "note", _("Lagemeldung des Dienstleisters")
    SLA_BREACHED = "sla_breached", _("SLA-Frist überschritten")
    SCOPE_CHANGED = "scope_changed", _("Leistungsumfang geändert")


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ImmutableRecord()

    def delete(self):
        raise ImmutableRecord()


class CallOffEvent(models.Model):
    """Append-only audit trail of a call-off: every step and every deviation with its reason."""

    calloff = models.ForeignKey(CallOff, on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField(_("Zeitpunkt"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("Handelnde Person"),
    )
    provider = models.ForeignKey(
        Provider, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("Dienstleister")
    )
    kind = models.CharField(_("Ereignis"), max_length=24, choices=EventKind.choices)
    old_state = models.CharField(_("Status vorher"), max_length=12, choices=CallOffState.choices, blank=True)
    new_state = models.CharField(_("Status nachher"), max_length=12, choices=CallOffState.choices, blank=True)
    reason = models.TextField(_("Begründung"), blank=True)
    data = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("Ereignis")
        verbose_name_plural = _("Ereignisse")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["calloff", "at"], name="calloff_event_calloff_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_kind_display()}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ImmutableRecord()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableRecord()


class CallOffNumberSequence(models.Model):
    """One row per year; row-locked while a number is drawn, so numbers have no gaps."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("Nummernkreis")
        verbose_name_plural = _("Nummernkreise")

    def __str__(self) -> str:
        return f"{self.year}: {self.last_value}"


class TimeEntry(models.Model):
    """Proof of work (Leistungsnachweis): hours per role per day; the basis of invoicing."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    calloff = models.ForeignKey(CallOff, on_delete=models.PROTECT, related_name="time_entries")
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="time_entries")
    date = models.DateField(_("Datum"))
    hours = models.DecimalField(_("Stunden"), max_digits=4, decimal_places=2)
    person = models.CharField(
        _("Person"),
        max_length=200,
        blank=True,
        help_text=_("Wer gearbeitet hat; ohne Angabe zählen die Einträge einer Rolle als eine Person."),
    )
    role = models.ForeignKey("calloffs.RoleRate", on_delete=models.PROTECT, related_name="+", verbose_name=_("Rolle"))
    service_module = models.ForeignKey(
        ServiceModule,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("Leistungsmodul"),
    )
    description = models.TextField(_("Tätigkeit"))
    value = money_field(_("Wert (EUR)"))
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(_("Bestätigt am"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("Bestätigt von"),
    )

    class Meta:
        verbose_name = _("Leistungsnachweis")
        verbose_name_plural = _("Leistungsnachweise")
        ordering = ["calloff", "date", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(hours__gt=0, hours__lte=24), name="time_entry_hours_range"),
            number_range_check("value", plausible.MONEY, name="time_entry_value_plausible", null=False),
            date_range_check("date", name="time_entry_date_plausible", null=False),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.hours} h {self.role}"

    def clean(self):
        problems = time_entry_problems(
            calloff=self.calloff if self.calloff_id else None, day=self.date, hours=self.hours
        )
        if problems:
            raise ValidationError(problems)


def time_entry_problems(*, calloff: CallOff | None, day, hours) -> dict[str, str]:
    """The rules of a time entry, shared by the model and the service: {field: German message}."""
    problems: dict[str, str] = {}
    if hours is not None and not (0 < hours <= 24):
        problems["hours"] = str(_("Die Stunden müssen größer als 0 und höchstens 24 sein."))
    if day is not None:
        if day > timezone.localdate():
            problems["date"] = str(_("Das Datum liegt in der Zukunft."))
        elif calloff is not None and day < timezone.localdate(calloff.submitted_at):
            problems["date"] = str(_("Das Datum liegt vor der Stellung des Abrufs."))
    return problems
