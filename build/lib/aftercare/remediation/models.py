"""Measures (one or more per finding), the contract's remediation terms and the reconnection gate.

Every value has its plausible range in the form/serializer and a CHECK constraint here; the states'
stamps (done, verified, accepted risk) are tied to the state by CHECK constraints too, so no path
(admin, shell, a bug) can store a verified measure without a verification or an accepted risk
without its reason.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length
from django.db.models.lookups import GreaterThanOrEqual, LessThanOrEqual
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from calloffs.models import CallOff, FrameworkContract
from digisos.plausible import date_range_check, datetime_range_check
from incidents.models import Incident
from tenants.models import Organisation

from ..models import Finding, Severity

#: Days from a measure's creation to its due date, by the finding's severity (the defaults of a
#: contract without RemediationTerms).
DEFAULT_DAYS = {Severity.CRITICAL: 7, Severity.HIGH: 30, Severity.MEDIUM: 90, Severity.LOW: 180}
DEFAULT_REMIND_BEFORE = 3
#: While a measure is overdue its owner and the body's admins are reminded again every N days; a
#: critical or high measure overdue more than M days is reported to the ministry (once).
DEFAULT_OVERDUE_EVERY, OVERDUE_EVERY_MAX = 7, 60
DEFAULT_ESCALATE_AFTER, ESCALATE_AFTER_MAX = 14, 365
#: The plausible number of overdue reminders of one measure (weekly for almost 20 years).
OVERDUE_REMINDERS_MAX = 1000
#: The plausible range of a term in days.
DAYS_MIN, DAYS_MAX = 1, 730
REMIND_MAX = 60
#: Reasons (accepted risk, sent back) are 10–2000 characters; notes up to 2000.
REASON_MIN, REASON_MAX = 10, 2000
NOTE_MAX = 2000
TITLE_MAX, DESCRIPTION_MAX = 200, 5000


def _days_field(label, default):
    return models.PositiveSmallIntegerField(
        label, default=default, validators=[MinValueValidator(DAYS_MIN), MaxValueValidator(DAYS_MAX)]
    )


class RemediationTerms(models.Model):
    """How long a body has for a measure under a contract, by severity, and when it is reminded.
    Absent row = the defaults (7/30/90/180 days, reminded 3 days before)."""

    contract = models.OneToOneField(
        FrameworkContract, on_delete=models.CASCADE, related_name="+", verbose_name=_("Rahmenvertrag")
    )
    critical_days = _days_field(_("Frist bei kritischem Schweregrad (Tage)"), DEFAULT_DAYS[Severity.CRITICAL])
    high_days = _days_field(_("Frist bei hohem Schweregrad (Tage)"), DEFAULT_DAYS[Severity.HIGH])
    medium_days = _days_field(_("Frist bei mittlerem Schweregrad (Tage)"), DEFAULT_DAYS[Severity.MEDIUM])
    low_days = _days_field(_("Frist bei niedrigem Schweregrad (Tage)"), DEFAULT_DAYS[Severity.LOW])
    remind_before_days = models.PositiveSmallIntegerField(
        _("Erinnerung vor Fristablauf (Tage)"),
        default=DEFAULT_REMIND_BEFORE,
        validators=[MinValueValidator(0), MaxValueValidator(REMIND_MAX)],
    )
    overdue_every_days = models.PositiveSmallIntegerField(
        _("Erneute Erinnerung bei Überfälligkeit alle (Tage)"),
        default=DEFAULT_OVERDUE_EVERY,
        validators=[MinValueValidator(1), MaxValueValidator(OVERDUE_EVERY_MAX)],
    )
    escalate_after_days = models.PositiveSmallIntegerField(
        _("Meldung an das Ministerium, wenn eine kritische oder hohe Maßnahme länger überfällig ist als (Tage)"),
        default=DEFAULT_ESCALATE_AFTER,
        validators=[MinValueValidator(1), MaxValueValidator(ESCALATE_AFTER_MAX)],
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("Fristen für Maßnahmen")
        verbose_name_plural = _("Fristen für Maßnahmen")
        constraints = [
            *(
                models.CheckConstraint(
                    condition=Q(**{f"{name}__gte": DAYS_MIN, f"{name}__lte": DAYS_MAX}),
                    name=f"remediation_{name}_range",
                )
                for name in ("critical_days", "high_days", "medium_days", "low_days")
            ),
            models.CheckConstraint(
                condition=Q(high_days__gte=F("critical_days"))
                & Q(medium_days__gte=F("high_days"))
                & Q(low_days__gte=F("medium_days")),
                name="remediation_days_by_severity_in_order",
            ),
            models.CheckConstraint(
                condition=Q(remind_before_days__gte=0, remind_before_days__lte=REMIND_MAX),
                name="remediation_remind_before_range",
            ),
            models.CheckConstraint(
                condition=Q(overdue_every_days__gte=1, overdue_every_days__lte=OVERDUE_EVERY_MAX),
                name="remediation_overdue_every_range",
            ),
            models.CheckConstraint(
                condition=Q(escalate_after_days__gte=1, escalate_after_days__lte=ESCALATE_AFTER_MAX),
                name="remediation_escalate_after_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contract_id}: {self.critical_days}/{self.high_days}/{self.medium_days}/{self.low_days}"

    def days_for(self, severity: str) -> int:
        return getattr(self, f"{severity}_days")


class MeasureState(models.TextChoices):
    OPEN = "open", _("Offen")
    IN_PROGRESS = "in_progress", _("In Arbeit")
    DONE = "done", _("Umgesetzt – Prüfung angefragt")
    VERIFIED = "verified", _("Geprüft und bestätigt")
    ACCEPTED_RISK = "accepted_risk", _("Risiko akzeptiert")


#: States in which a measure still needs work (reminders, overdue, the home page).
OPEN_STATES = (MeasureState.OPEN, MeasureState.IN_PROGRESS)
#: States a measure is finished in.
FINAL_STATES = (MeasureState.VERIFIED, MeasureState.ACCEPTED_RISK)


class OwnerKind(models.TextChoices):
    BODY = "body", _("Stelle")
    PROVIDER = "provider", _("Dienstleister (kostenpflichtige Leistung)")


def _in(field: str, choices) -> Q:
    return Q(**{f"{field}__in": [value for value, _label in choices]})


def _length_between(field: str, low: int, high: int) -> Q:
    return Q(GreaterThanOrEqual(Length(field), low)) & Q(LessThanOrEqual(Length(field), high))


class MeasureQuerySet(models.QuerySet):
    def visible_to(self, user) -> MeasureQuerySet:
        """As findings (aftercare.selectors.scope_q): the body's members, the ministry, the engaged provider."""
        from ..selectors import scope_q

        q = scope_q(user)
        return self if q is None else self.filter(q)

    def open(self) -> MeasureQuerySet:
        return self.filter(state__in=OPEN_STATES)

    def overdue(self, today: dt.date | None = None) -> MeasureQuerySet:
        return self.open().filter(due_date__lt=today or timezone.localdate())


class Measure(models.Model):
    """What is to be done about a finding, by whom and until when, and whether it was verified."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    finding = models.ForeignKey(Finding, on_delete=models.PROTECT, related_name="measures", verbose_name=_("Befund"))
    calloff = models.ForeignKey(CallOff, on_delete=models.PROTECT, related_name="+", verbose_name=_("Abruf"))
    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="+", verbose_name=_("Vorfall"))
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("Stelle"))
    title = models.CharField(_("Maßnahme"), max_length=TITLE_MAX)
    description = models.TextField(_("Beschreibung"), max_length=DESCRIPTION_MAX, blank=True)
    owner_kind = models.CharField(_("Zuständig"), max_length=10, choices=OwnerKind.choices, default=OwnerKind.BODY)
    #: The person at the body (null: not assigned yet, or the provider is responsible).
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("Verantwortlich"),
    )
    due_date = models.DateField(_("Frist"))
    #: When the reminder before the due date is due (due date minus the contract's lead time).
    remind_on = models.DateField(_("Erinnerung am"))
    required_for_reconnection = models.BooleanField(_("Voraussetzung für den Wiederanschluss"), default=False)
    state = models.CharField(_("Status"), max_length=14, choices=MeasureState.choices, default=MeasureState.OPEN)
    done_at = models.DateTimeField(_("Umgesetzt am"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    done_note = models.TextField(_("Hinweis zur Umsetzung"), max_length=NOTE_MAX, blank=True)
    verified_at = models.DateTimeField(_("Bestätigt am"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    verify_note = models.TextField(_("Prüfvermerk"), max_length=NOTE_MAX, blank=True)
    #: The second check of a measure the provider carried out (a billable service) is the body's:
    #: True when a body admin confirmed it, False when the accepting provider did (the body's own work).
    verified_by_body = models.BooleanField(_("Von der Stelle bestätigt"), default=False)
    returned_at = models.DateTimeField(_("Zurückgegeben am"), null=True, blank=True)
    returned_reason = models.TextField(_("Grund der Rückgabe"), max_length=REASON_MAX, blank=True)
    risk_reason = models.TextField(_("Begründung der Risikoübernahme"), max_length=REASON_MAX, blank=True)
    risk_accepted_at = models.DateTimeField(_("Risiko akzeptiert am"), null=True, blank=True)
    risk_accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("Risiko akzeptiert von"),
    )
    reminded_at = models.DateTimeField(_("Erinnert am"), null=True, blank=True)
    #: The last overdue reminder, how many were sent, and when the next one is due (the beat task
    #: flips the count by compare-and-set, so each interval's reminder is written once).
    overdue_notified_at = models.DateTimeField(_("Überfälligkeit gemeldet am"), null=True, blank=True)
    overdue_reminders = models.PositiveSmallIntegerField(_("Erinnerungen bei Überfälligkeit"), default=0)
    overdue_next_on = models.DateField(_("Nächste Erinnerung bei Überfälligkeit"), null=True, blank=True)
    #: When a critical or high measure, long overdue, was reported to the ministry (once per due date).
    escalated_at = models.DateTimeField(_("An das Ministerium gemeldet am"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("Erfasst von")
    )
    created_at = models.DateTimeField(_("Erfasst am"), default=timezone.now)
    updated_at = models.DateTimeField(_("Geändert am"), default=timezone.now)

    objects = MeasureQuerySet.as_manager()

    class Meta:
        verbose_name = _("Maßnahme")
        verbose_name_plural = _("Maßnahmen")
        ordering = ["due_date", "created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=_in("state", MeasureState.choices), name="measure_state_valid"),
            models.CheckConstraint(condition=_in("owner_kind", OwnerKind.choices), name="measure_owner_kind_valid"),
            models.CheckConstraint(condition=~Q(title=""), name="measure_title_present"),
            models.CheckConstraint(
                condition=Q(owner_kind=OwnerKind.BODY) | Q(owner__isnull=True), name="measure_provider_has_no_person"
            ),
            date_range_check("due_date", name="measure_due_date_plausible", null=False),
            models.CheckConstraint(condition=Q(remind_on__lte=F("due_date")), name="measure_remind_before_due"),
            # The stamps belong to their states, and only to them.
            models.CheckConstraint(
                condition=(Q(state__in=[MeasureState.DONE, MeasureState.VERIFIED]) & Q(done_at__isnull=False))
                | (~Q(state__in=[MeasureState.DONE, MeasureState.VERIFIED]) & Q(done_at__isnull=True)),
                name="measure_done_stamp_with_state",
            ),
            models.CheckConstraint(
                condition=(Q(state=MeasureState.VERIFIED) & Q(verified_at__isnull=False))
                | (~Q(state=MeasureState.VERIFIED) & Q(verified_at__isnull=True)),
                name="measure_verified_stamp_with_state",
            ),
            # Nobody checks their own work: a measure the provider carried out is confirmed by the body,
            # the body's own by the provider, and never by the person who reported it done.
            models.CheckConstraint(
                condition=(~Q(state=MeasureState.VERIFIED) & Q(verified_by_body=False))
                | (Q(state=MeasureState.VERIFIED, owner_kind=OwnerKind.BODY, verified_by_body=False))
                | (Q(state=MeasureState.VERIFIED, owner_kind=OwnerKind.PROVIDER, verified_by_body=True)),
                name="measure_second_check_by_the_other_party",
            ),
            models.CheckConstraint(
                condition=Q(verified_by__isnull=True) | Q(done_by__isnull=True) | ~Q(verified_by=F("done_by")),
                name="measure_not_verified_by_who_did_it",
            ),
            models.CheckConstraint(
                condition=(
                    Q(state=MeasureState.ACCEPTED_RISK)
                    & Q(risk_accepted_at__isnull=False)
                    & _length_between("risk_reason", REASON_MIN, REASON_MAX)
                )
                | (~Q(state=MeasureState.ACCEPTED_RISK) & Q(risk_accepted_at__isnull=True) & Q(risk_reason="")),
                name="measure_accepted_risk_with_reason",
            ),
            models.CheckConstraint(
                condition=(Q(returned_at__isnull=True) & Q(returned_reason=""))
                | (Q(returned_at__isnull=False) & _length_between("returned_reason", REASON_MIN, REASON_MAX)),
                name="measure_returned_with_reason",
            ),
            models.CheckConstraint(
                condition=Q(LessThanOrEqual(Length("done_note"), NOTE_MAX))
                & Q(LessThanOrEqual(Length("verify_note"), NOTE_MAX))
                & Q(LessThanOrEqual(Length("title"), TITLE_MAX))
                & Q(LessThanOrEqual(Length("description"), DESCRIPTION_MAX)),
                name="measure_text_lengths",
            ),
            models.CheckConstraint(
                condition=(
                    Q(overdue_reminders=0) & Q(overdue_next_on__isnull=True) & Q(overdue_notified_at__isnull=True)
                )
                | (
                    Q(overdue_reminders__gte=1, overdue_reminders__lte=OVERDUE_REMINDERS_MAX)
                    & Q(overdue_next_on__gt=F("due_date"))
                    & Q(overdue_notified_at__isnull=False)
                ),
                name="measure_overdue_reminders_consistent",
            ),
            datetime_range_check("escalated_at", name="measure_escalated_at_plausible"),
            models.CheckConstraint(condition=Q(updated_at__gte=F("created_at")), name="measure_updated_after_created"),
            datetime_range_check("created_at", name="measure_created_at_plausible", null=False),
        ]
        indexes = [
            models.Index(fields=["incident", "due_date"]),
            models.Index(fields=["organisation", "due_date"]),
            models.Index(
                fields=["remind_on"], name="measure_reminder_due", condition=Q(state__in=["open", "in_progress"])
            ),
            models.Index(
                fields=["due_date", "overdue_next_on"],
                name="measure_overdue_due",
                condition=Q(state__in=["open", "in_progress"]),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    def is_overdue(self, today: dt.date | None = None) -> bool:
        return self.is_open and self.due_date < (today or timezone.localdate())

    def days_overdue(self, today: dt.date | None = None) -> int:
        """Whole days since the due date while the measure is still to do (0 before and on the due date)."""
        return max(0, ((today or timezone.localdate()) - self.due_date).days) if self.is_open else 0

    @property
    def checked_by_body(self) -> bool:
        """Whose second check confirms the measure: a body admin's for what the provider carried out
        (a billable service), the accepting provider's for the body's own work; for a verified
        measure, whose check did (``verified_by_body``)."""
        if self.state == MeasureState.VERIFIED:
            return self.verified_by_body
        return self.owner_kind == OwnerKind.PROVIDER

    @property
    def satisfies_gate(self) -> bool:
        """Whether it lets the reconnection gate open (see the package's docstring)."""
        return not self.required_for_reconnection or self.state == MeasureState.VERIFIED


class ReconnectionGate(models.Model):
    """One period in which an incident's body may be reconnected to shared networks: who opened it,
    when, and (once closed again) who closed it, when and why. At most one open period per incident;
    the rows together are the gate's history."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="+", verbose_name=_("Vorfall"))
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("Stelle"))
    opened_at = models.DateTimeField(_("Freigegeben am"), default=timezone.now)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("Freigegeben von"),
    )
    #: The name as it was when the gate was opened (the account may be deleted later).
    opened_by_name = models.CharField(_("Freigegeben von (Name)"), max_length=300)
    opened_as_ministry = models.BooleanField(_("Durch das Ministerium"), default=False)
    note = models.TextField(_("Vermerk"), max_length=NOTE_MAX, blank=True)
    closed_at = models.DateTimeField(_("Wieder gesperrt am"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("Wieder gesperrt von"),
    )
    closed_by_name = models.CharField(_("Wieder gesperrt von (Name)"), max_length=300, blank=True)
    closed_as_ministry = models.BooleanField(_("Durch das Ministerium gesperrt"), default=False)
    close_reason = models.TextField(_("Grund der Sperre"), max_length=REASON_MAX, blank=True)

    class Meta:
        verbose_name = _("Freigabe des Wiederanschlusses")
        verbose_name_plural = _("Freigaben des Wiederanschlusses")
        ordering = ["opened_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["incident"], condition=Q(closed_at__isnull=True), name="gate_one_open_per_incident"
            ),
            datetime_range_check("opened_at", name="gate_opened_at_plausible", null=False),
            datetime_range_check("closed_at", name="gate_closed_at_plausible"),
            models.CheckConstraint(condition=~Q(opened_by_name=""), name="gate_opened_by_name_present"),
            models.CheckConstraint(condition=Q(LessThanOrEqual(Length("note"), NOTE_MAX)), name="gate_note_length"),
            # Closed again: when (not before it opened), by whom and why (10–2000 characters); open: none of it.
            models.CheckConstraint(
                condition=(
                    Q(closed_at__isnull=True) & Q(closed_by_name="") & Q(close_reason="") & Q(closed_as_ministry=False)
                )
                | (
                    Q(closed_at__isnull=False)
                    & Q(closed_at__gte=F("opened_at"))
                    & ~Q(closed_by_name="")
                    & _length_between("close_reason", REASON_MIN, REASON_MAX)
                ),
                name="gate_closed_with_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.incident_id} @ {self.opened_at:%Y-%m-%d}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None
