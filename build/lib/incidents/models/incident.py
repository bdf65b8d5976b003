"""The security incident a body lives through. Depends on tenants only."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from digisos.plausible import datetime_range_check
from tenants.models import Organisation
from tenants.selectors import roles_of

from ..visibility import outside_incident_ids


class Category(models.TextChoices):
    RANSOMWARE = "ransomware", _("Ransomware / Verschlüsselung")
    MALWARE = "malware", _("Andere Schadsoftware")
    ACCOUNT = "account", _("Kompromittiertes Konto")
    DATA_LEAK = "data_leak", _("Datenabfluss")
    DDOS = "ddos", _("DDoS / Überlastung")
    OTHER = "other", _("Sonstiges")


class IncidentStatus(models.TextChoices):
    OPEN = "open", _("Offen")
    CONTAINED = "contained", _("Eingedämmt")
    ERADICATED = "eradicated", _("Bereinigt")
    RECOVERED = "recovered", _("Wiederhergestellt")
    CLOSED = "closed", _("Abgeschlossen")


class IncidentQuerySet(models.QuerySet):
    def visible_to(self, user) -> IncidentQuerySet:
        """Ministry: all. Body members: their bodies' incidents. Parties outside the body (a
        provider's staff): only the incidents the apps above us say they are engaged in
        (``incidents.visibility``; the call-off rule lives in ``calloffs.visibility``)."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.is_ministry_staff:
            return self.all()
        visible = Q(organisation_id__in=list(roles_of(user)))  # read once per request
        for incident_ids in outside_incident_ids(user):
            visible |= Q(pk__in=incident_ids)
        return self.filter(visible)

    def open(self) -> IncidentQuerySet:
        return self.exclude(status=IncidentStatus.CLOSED)

    def real(self) -> IncidentQuerySet:
        """Without the records of drills (what counts for the situation and the reporting duties)."""
        return self.filter(is_drill=False)


class Incident(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="incidents")
    title = models.CharField(_("Titel"), max_length=200)
    category = models.CharField(_("Art des Vorfalls"), max_length=20, choices=Category.choices)
    first_detected_at = models.DateTimeField(_("Erstmals bemerkt am"), null=True, blank=True)
    became_aware_at = models.DateTimeField(_("Kenntnis erlangt am"), default=timezone.now)
    #: True while the awareness time is the filing time because the caller gave none ("angenommen");
    #: the body's correction (incident_update) clears it.
    became_aware_assumed = models.BooleanField(_("Zeitpunkt der Kenntnisnahme angenommen"), default=False)
    status = models.CharField(_("Status"), max_length=12, choices=IncidentStatus.choices, default=IncidentStatus.OPEN)
    affected_systems = models.TextField(_("Betroffene Dienste und Systeme"), blank=True)
    operations_halted = models.BooleanField(_("Dienstbetrieb eingestellt"), default=False)
    personal_data_affected = models.BooleanField(_("Personenbezogene Daten betroffen"), null=True, blank=True)
    nis2_in_scope = models.BooleanField(_("Im Anwendungsbereich von NIS-2"), default=False)
    criminal_complaint_filed = models.BooleanField(_("Strafanzeige erstattet"), default=False)
    #: The record of a drill (Übung): opened for a drill call-off only, never attached to a real
    #: incident, and no legal reporting clock ever runs for it (services.obligations_sync).
    is_drill = models.BooleanField(_("Übung"), default=False, editable=False)
    major_incident = models.ForeignKey(
        "incidents.MajorIncident",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="incidents",
        verbose_name=_("Großschadenslage"),
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = IncidentQuerySet.as_manager()

    class Meta:
        verbose_name = _("Sicherheitsvorfall")
        verbose_name_plural = _("Sicherheitsvorfälle")
        ordering = ["-became_aware_at"]
        indexes = [models.Index(fields=["organisation", "status"])]
        constraints = [
            # Entered by the body: in the plausible range (digisos.plausible), never the year 1.
            datetime_range_check("first_detected_at", name="incident_first_detected_at_plausible"),
            datetime_range_check("became_aware_at", name="incident_became_aware_at_plausible", null=False),
            # A drill's record is never part of a major incident (its timeline, the ministry's exports).
            models.CheckConstraint(
                condition=Q(is_drill=False) | Q(major_incident__isnull=True), name="incident_drill_not_in_major"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class TimelineEntry(models.Model):
    """Append-only timeline of an incident: by the body, the provider or the system."""

    class Source(models.TextChoices):
        BODY = "body", _("Stelle")
        PROVIDER = "provider", _("Dienstleister")
        SYSTEM = "system", _("System")

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="timeline")
    at = models.DateTimeField(default=timezone.now)
    source = models.CharField(max_length=10, choices=Source.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField()
    #: Who outside the body sees the entry (incidents.visibility): "" everyone who sees the incident,
    #: "internal" only the body and the ministry, any other value only the party engaged under it
    #: (e.g. "calloff:<uuid>", set by the calloffs app).
    scope = models.CharField(_("Sichtbarkeit"), max_length=60, blank=True, default="", db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Zeitleisteneintrag")
        verbose_name_plural = _("Zeitleiste")
        ordering = ["at", "id"]
        constraints = [datetime_range_check("at", name="timeline_entry_at_plausible", null=False)]

    def __str__(self) -> str:
        return self.text[:60]


class IncidentAttachment(models.Model):
    """A file on the incident record, stored outside the web root with its SHA-256."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="attachments")
    timeline_entry = models.ForeignKey(
        TimelineEntry, null=True, blank=True, on_delete=models.SET_NULL, related_name="attachments"
    )
    file = models.FileField(upload_to="incidents/%Y/%m/")
    name = models.CharField(_("Dateiname"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)
    #: Set by the body at upload and changed through services.attachment_set_shared (audited).
    shared_with_provider = models.BooleanField(_("Für den beauftragten Dienstleister freigegeben"), default=False)
    #: When it was (last) shared; a provider whose engagement ended before then does not see it
    #: (incidents.visibility.OutsideView.until). Set and cleared with the flag.
    shared_at = models.DateTimeField(_("Freigegeben am"), null=True, blank=True)

    class Meta:
        verbose_name = _("Anlage")
        verbose_name_plural = _("Anlagen")
        ordering = ["uploaded_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(shared_with_provider=True, shared_at__isnull=False)
                | Q(shared_with_provider=False, shared_at__isnull=True),
                name="attachment_shared_at_with_flag",
            ),
            datetime_range_check("shared_at", name="attachment_shared_at_plausible"),
        ]

    def __str__(self) -> str:
        return self.name
