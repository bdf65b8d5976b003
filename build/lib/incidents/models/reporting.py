"""Legal reporting obligations of an incident and their clocks (NIS-2 Art. 23, GDPR Art. 33, CERT NRW)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from digisos.plausible import datetime_range_check


class ObligationKind(models.TextChoices):
    NIS2_EARLY_WARNING = "nis2_early_warning", _("NIS-2-Frühwarnung (24 Stunden)")
    NIS2_NOTIFICATION = "nis2_notification", _("NIS-2-Meldung (72 Stunden)")
    NIS2_FINAL_REPORT = "nis2_final_report", _("NIS-2-Abschlussbericht (1 Monat nach der Meldung)")
    GDPR_NOTIFICATION = "gdpr_notification", _("Meldung an die LDI NRW nach Art. 33 DSGVO (72 Stunden)")
    CERT_NRW = "cert_nrw", _("Meldung an CERT NRW (24 Stunden)")


#: Deadline of each obligation, measured from the awareness time (the final report: from the notification).
DEADLINES = {
    ObligationKind.NIS2_EARLY_WARNING: timedelta(hours=24),
    ObligationKind.NIS2_NOTIFICATION: timedelta(hours=72),
    ObligationKind.GDPR_NOTIFICATION: timedelta(hours=72),
    ObligationKind.CERT_NRW: timedelta(hours=24),
}
FINAL_REPORT_AFTER_NOTIFICATION = timedelta(days=30)
#: Reminders go out this long before a deadline (and again when it has passed).
REMINDER_BEFORE = {
    ObligationKind.NIS2_EARLY_WARNING: timedelta(hours=6),
    ObligationKind.NIS2_NOTIFICATION: timedelta(hours=12),
    ObligationKind.GDPR_NOTIFICATION: timedelta(hours=12),
    ObligationKind.CERT_NRW: timedelta(hours=6),
    ObligationKind.NIS2_FINAL_REPORT: timedelta(days=5),
}
RECIPIENTS = {
    ObligationKind.NIS2_EARLY_WARNING: _("BSI / zuständige Behörde"),
    ObligationKind.NIS2_NOTIFICATION: _("BSI / zuständige Behörde"),
    ObligationKind.NIS2_FINAL_REPORT: _("BSI / zuständige Behörde"),
    ObligationKind.GDPR_NOTIFICATION: _("Landesbeauftragte für Datenschutz und Informationsfreiheit NRW (LDI NRW)"),
    ObligationKind.CERT_NRW: _("CERT NRW"),
}


class ObligationQuerySet(models.QuerySet):
    def open(self):
        return self.filter(done_at__isnull=True, waived_at__isnull=True)

    def overdue(self, now=None):
        return self.open().filter(due_at__lt=now or timezone.now())

    def reminder_due(self, now=None):
        """Open obligations whose reminder time has come and which have not been reminded yet."""
        return self.open().filter(remind_at__lte=now or timezone.now(), reminded_at__isnull=True)


class ReportingObligation(models.Model):
    incident = models.ForeignKey("incidents.Incident", on_delete=models.CASCADE, related_name="obligations")
    kind = models.CharField(_("Meldepflicht"), max_length=24, choices=ObligationKind.choices)
    due_at = models.DateTimeField(_("Fällig bis"))
    remind_at = models.DateTimeField(_("Erinnerung ab"))
    reminded_at = models.DateTimeField(_("Erinnert am"), null=True, blank=True)
    overdue_notified_at = models.DateTimeField(_("Überfälligkeit gemeldet am"), null=True, blank=True)
    done_at = models.DateTimeField(_("Erledigt am"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reference = models.CharField(_("Aktenzeichen / Referenz der Meldung"), max_length=200, blank=True)
    waived_at = models.DateTimeField(_("Entfallen am"), null=True, blank=True)
    waived_reason = models.TextField(_("Begründung, warum die Meldung entfällt"), blank=True)

    objects = ObligationQuerySet.as_manager()

    class Meta:
        verbose_name = _("Meldepflicht")
        verbose_name_plural = _("Meldepflichten")
        ordering = ["due_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "kind"], name="obligation_once_per_incident"),
            datetime_range_check("done_at", name="obligation_done_at_plausible"),
        ]
        indexes = [
            # The reminder sweep reads open obligations by reminder time.
            models.Index(
                fields=["remind_at"],
                name="obligation_remind_open",
                condition=Q(done_at__isnull=True, waived_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} – {self.incident}"

    @property
    def is_open(self) -> bool:
        return self.done_at is None and self.waived_at is None

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.due_at < timezone.now()

    @property
    def recipient(self) -> str:
        return str(RECIPIENTS[self.kind])
