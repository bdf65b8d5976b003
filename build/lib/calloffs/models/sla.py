"""SLA milestones of an assigned call-off and the breaches of their deadlines.

The deadlines themselves live on the call-off (``callback_due_at`` …, set at acceptance from
the contract's SLA terms); the moments the provider reported are on the call-off too
(``callback_made_at`` …). A breach row exists once a deadline passed without the milestone:
the sweep creates it when the deadline passes, or the milestone service when a milestone is
reported late before the sweep noticed. ``unique(calloff, milestone)`` makes either of them act
only once.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .calloff import CallOff


class Milestone(models.TextChoices):
    """The milestones that run against an SLA clock."""

    CALLBACK = "callback", _("Erster Rückruf")
    REMOTE_START = "remote_start", _("Beginn der Remote-Unterstützung")
    ONSITE = "onsite", _("Vor Ort")


#: milestone → (due field, done field) on CallOff.
MILESTONE_FIELDS: dict[str, tuple[str, str]] = {
    Milestone.CALLBACK: ("callback_due_at", "callback_made_at"),
    Milestone.REMOTE_START: ("remote_start_due_at", "remote_started_at"),
    Milestone.ONSITE: ("onsite_due_at", "onsite_arrived_at"),
}


class SLABreach(models.Model):
    calloff = models.ForeignKey(CallOff, on_delete=models.CASCADE, related_name="sla_breaches")
    milestone = models.CharField(_("Meilenstein"), max_length=12, choices=Milestone.choices)
    due_at = models.DateTimeField(_("Fällig bis"))
    detected_at = models.DateTimeField(_("Festgestellt am"), default=timezone.now)
    reported_at = models.DateTimeField(_("Nachträglich gemeldet für"), null=True, blank=True)
    late_by = models.DurationField(_("Verspätung"), null=True, blank=True)

    class Meta:
        verbose_name = _("SLA-Verstoß")
        verbose_name_plural = _("SLA-Verstöße")
        ordering = ["-detected_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["calloff", "milestone"], name="sla_breach_once_per_milestone"),
        ]

    def __str__(self) -> str:
        return f"{self.calloff_id} {self.get_milestone_display()} (fällig {self.due_at:%Y-%m-%d %H:%M})"
