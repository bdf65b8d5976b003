"""The first-hour checklist: the steps printed on the body's emergency card (Notfallkarte), ticked
off by the body's staff during the incident. The texts are defined once here; the card and the
call-off page both read them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from digisos.plausible import datetime_range_check

from .incident import Incident


class FirstHourStep(models.TextChoices):
    """The steps of the first hour, in the order of the card."""

    LOG = "log", _("Uhrzeit notieren, ab jetzt ein Protokoll führen: wer hat wann was bemerkt und getan.")
    ISOLATE = (
        "isolate",
        _(
            "Betroffene Geräte vom Netz trennen (Kabel ziehen, WLAN aus) – nicht ausschalten, nicht neu aufsetzen: "
            "Spuren bleiben erhalten."
        ),
    )
    CALL_HELP = (
        "call_help",
        _("Hilfe abrufen (über das Portal oder die Hotlines). Priorität P1, wenn der Dienstbetrieb eingestellt ist."),
    )
    REMOTE_ACCESS = (
        "remote_access",
        _("Fernzugänge (VPN, Fernwartung) sperren; Sicherungen vom Netz trennen und schützen."),
    )
    INFORM = "inform", _("Behördenleitung, Informationssicherheits- und Datenschutzbeauftragte informieren.")
    OUT_OF_BAND = (
        "out_of_band",
        _(
            "Nur über Mobiltelefone und Adressen außerhalb des eigenen Netzes kommunizieren; "
            "Angreifer lesen womöglich mit."
        ),
    )
    NO_CONTACT = (
        "no_contact",
        _("Kein Kontakt zu den Angreifern, keine Zahlung ohne Abstimmung mit Leitung und Dienstleister."),
    )
    DEADLINES = (
        "deadlines",
        _("Meldefristen beachten: Datenschutzverletzung binnen 72 Stunden an die LDI NRW; CERT NRW informieren."),
    )
    PRESERVE = "preserve", _("Nichts löschen, keine Passwörter über möglicherweise kompromittierte Systeme ändern.")


class ChecklistTick(models.Model):
    """Where one step of the first-hour checklist stands for an incident. Written only by
    incidents.services.checklist_set (row-locked, audited, a timeline entry per change)."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="checklist")
    step = models.CharField(_("Schritt"), max_length=16, choices=FirstHourStep.choices)
    done = models.BooleanField(_("Erledigt"), default=False)
    changed_at = models.DateTimeField(_("Geändert am"), default=timezone.now)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("Geändert von"),
    )

    class Meta:
        verbose_name = _("Schritt der Checkliste für die erste Stunde")
        verbose_name_plural = _("Checkliste für die erste Stunde")
        ordering = ["incident", "id"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "step"], name="checklist_tick_once_per_step"),
            models.CheckConstraint(condition=Q(step__in=FirstHourStep.values), name="checklist_tick_known_step"),
            datetime_range_check("changed_at", name="checklist_tick_changed_at_plausible", null=False),
        ]

    def __str__(self) -> str:
        return f"{self.incident_id} {self.step}: {'✓' if self.done else '–'}"
