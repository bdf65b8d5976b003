"""A body's readiness profile: what responders need in the first hour (critical systems, backups and
the last restore test, out-of-band admin contacts, remote access and its MFA, external IT providers,
cyber insurance, data protection officer, management's contact). Its contents are for the body and
for the provider that accepted one of its call-offs (need to know, decided in calloffs.visibility);
the ministry sees only aggregates (readiness.selectors.overview). Written only through
readiness.services. Depends on tenants only.

Every saved change makes a new version (``ReadinessProfileVersion``, a copy of the contents with its
number and time), so a call-off's order PDF can name the version that was valid when the provider
accepted, and that version can be read back later. A save without a change is a review: the
six-month clock starts again, the version stays."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import NamedTuple

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import Exact, GreaterThanOrEqual, LessThanOrEqual
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from digisos.plausible import date_range_check, datetime_range_check
from digisos.uploads import JPEG, PDF, PNG
from tenants.models import Organisation, phone_validator

TEXT_MAX = 4000
SHORT_MAX = 300
PHONE_MAX = 30
INSURER_MAX = 200
POLICY_NUMBER_MAX = 60
#: Critical systems and services of one profile: at most this many rows (form and service check it).
CRITICAL_SYSTEMS_MAX = 50
SYSTEM_NAME_MAX = 120
SYSTEM_DESCRIPTION_MAX = 300
#: A profile not reviewed for this long is stale (issue 18: review every 6 months).
REVIEW_INTERVAL = timedelta(days=182)
#: What a network overview may be (decided by the content, digisos.uploads.check_upload).
NETWORK_OVERVIEW_TYPES = (PDF, PNG, JPEG)
#: The largest file the database accepts (the upload limit is READINESS_NETWORK_OVERVIEW_MAX_BYTES, far below).
NETWORK_OVERVIEW_MAX_STORED_BYTES = 2 * 1024**3


def at_most(field: str, high: int, *, name: str) -> models.CheckConstraint:
    return models.CheckConstraint(condition=Q(LessThanOrEqual(Length(field), high)), name=name)


class RemoteAccess(models.TextChoices):
    VPN = "vpn", _("VPN")
    GATEWAY = "gateway", _("Remote-Desktop-Gateway / Terminalserver")
    VENDOR = "vendor", _("Fernwartung durch einen Dienstleister")
    OTHER = "other", _("Anderer Weg")
    NONE = "none", _("Kein Fernzugriff")


def network_overview_path(instance: NetworkOverview, filename: str) -> str:
    """Under MEDIA_ROOT (outside the web root, never under a public URL), named by ids: the client's
    file name is never a path."""
    return f"readiness/{instance.organisation.public_id}/network-overview/{instance.public_id}"


class NetworkOverview(models.Model):
    """One uploaded network overview (network plan) of a body: kept unchanged, so that the profile
    version that named it can be read back; the profile points at the current one. Written only by
    readiness.services.readiness_network_overview_upload; served only through permission-checked
    views (the body's members, the provider that accepted one of its call-offs), as an attachment."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    file = models.FileField(_("Datei"), upload_to=network_overview_path, max_length=300)
    original_name = models.CharField(_("Dateiname"), max_length=255)
    content_type = models.CharField(_("Dateityp"), max_length=100)
    size = models.PositiveBigIntegerField(_("Größe (Bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("Hochgeladen am"), default=timezone.now)

    class Meta:
        verbose_name = _("Netzübersicht")
        verbose_name_plural = _("Netzübersichten")
        ordering = ["organisation", "-uploaded_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(size__gte=1, size__lte=NETWORK_OVERVIEW_MAX_STORED_BYTES),
                name="readiness_network_overview_size_range",
            ),
            models.CheckConstraint(
                condition=Q(Exact(Length("sha256"), 64)), name="readiness_network_overview_sha256_length"
            ),
            models.CheckConstraint(
                condition=Q(content_type__in=list(NETWORK_OVERVIEW_TYPES)), name="readiness_network_overview_type"
            ),
            models.CheckConstraint(
                condition=Q(GreaterThanOrEqual(Length("original_name"), 1)),
                name="readiness_network_overview_name_present",
            ),
            datetime_range_check("uploaded_at", name="readiness_network_overview_uploaded_at_plausible", null=False),
        ]

    def __str__(self) -> str:
        return self.original_name

    def summary(self) -> dict:
        """What a profile version keeps of it (not the file: the row stays, the version names it)."""
        return {
            "id": str(self.public_id),
            "filename": self.original_name,
            "content_type": self.content_type,
            "size": self.size,
            "sha256": self.sha256,
        }

    @property
    def kind(self) -> str:
        return {PDF: "PDF", PNG: "PNG", JPEG: "JPEG"}.get(self.content_type, self.content_type)

    def display(self) -> str:
        """ "netzplan.pdf (PDF, 1,2 MB)" for the pages that list the profile's entries (the SHA-256 stands
        beside it, in a element that may wrap: 64 characters in one word are wider than a phone)."""
        return f"{self.original_name} ({self.kind}, {filesizeformat(self.size)})"


class DisplayRow(NamedTuple):
    """One entry of a profile as the pages show it."""

    name: str
    label: str
    text: str


class ProtectionNeed(models.TextChoices):
    """Schutzbedarf after BSI IT-Grundschutz (BSI-Standard 200-2): the three categories."""

    NORMAL = "normal", _("normal")
    HIGH = "hoch", _("hoch")
    VERY_HIGH = "sehr_hoch", _("sehr hoch")

    @classmethod
    def highest(cls, values) -> str:
        """BSI's maximum principle: the highest of ``values`` ("" for none)."""
        order = list(cls.values)
        return max(values, key=order.index, default="")


class ReadinessProfile(models.Model):
    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="+")
    #: Derived, never entered: the highest protection need of the critical systems (``CriticalSystem``
    #: rows; BSI's maximum principle: a network is as critical as its most critical system), kept by
    #: readiness.services.readiness_profile_save in the transaction that writes the rows. Empty
    #: exactly when the profile has no critical system (the aggregate of selectors.overview reads it).
    critical_systems_protection = models.CharField(
        _("Schutzbedarf der kritischen Systeme (der höchste, nach BSI IT-Grundschutz)"),
        max_length=10,
        choices=ProtectionNeed.choices,
        blank=True,
    )
    backup_concept = models.TextField(
        _("Datensicherung (Konzept, Aufbewahrung, offline?)"), max_length=TEXT_MAX, blank=True
    )
    last_restore_test = models.DateField(_("Letzter erfolgreicher Wiederherstellungstest"), null=True, blank=True)
    admin_contacts = models.TextField(
        _("Wer hat Administrationsrechte, und wie ist er oder sie außerhalb der eigenen Technik erreichbar?"),
        max_length=TEXT_MAX,
        blank=True,
    )
    remote_access = models.CharField(_("Fernzugriff"), max_length=10, choices=RemoteAccess.choices, blank=True)
    remote_access_mfa = models.BooleanField(_("Fernzugriff mit Zwei-Faktor-Authentifizierung"), null=True, blank=True)
    external_providers = models.TextField(
        _("Externe IT-Dienstleister und ihre Verträge"), max_length=TEXT_MAX, blank=True
    )
    insurance_insurer = models.CharField(_("Cyberversicherung: Versicherer"), max_length=INSURER_MAX, blank=True)
    insurance_policy_number = models.CharField(
        _("Cyberversicherung: Versicherungsscheinnummer"), max_length=POLICY_NUMBER_MAX, blank=True
    )
    insurance_hotline = models.CharField(
        _("Hotline der Cyberversicherung"), max_length=PHONE_MAX, blank=True, validators=[phone_validator]
    )
    network_overview = models.ForeignKey(
        NetworkOverview,
        verbose_name=_("Netzübersicht (Netzplan)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    dpo_contact = models.CharField(_("Datenschutzbeauftragte/r (Name, Telefon)"), max_length=SHORT_MAX, blank=True)
    management_contact = models.CharField(
        _("Verwaltungsspitze außerhalb der eigenen Technik (Name, Mobilnummer)"), max_length=SHORT_MAX, blank=True
    )
    #: The number of the newest ReadinessProfileVersion (0: nothing saved yet); the order PDF of a
    #: call-off names the version valid at acceptance.
    version = models.PositiveIntegerField(default=0)
    reviewed_at = models.DateTimeField(default=timezone.now)
    #: The ``reviewed_at`` whose six-month review a reminder was sent for (one reminder per due review).
    review_reminded_for = models.DateTimeField(null=True, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("Vorbereitungsprofil")
        verbose_name_plural = _("Vorbereitungsprofile")
        constraints = [
            at_most("backup_concept", TEXT_MAX, name="readiness_backup_concept_length"),
            at_most("admin_contacts", TEXT_MAX, name="readiness_admin_contacts_length"),
            at_most("external_providers", TEXT_MAX, name="readiness_external_providers_length"),
            at_most("insurance_insurer", INSURER_MAX, name="readiness_insurance_insurer_length"),
            at_most("insurance_policy_number", POLICY_NUMBER_MAX, name="readiness_insurance_policy_number_length"),
            at_most("insurance_hotline", PHONE_MAX, name="readiness_insurance_hotline_length"),
            at_most("dpo_contact", SHORT_MAX, name="readiness_dpo_contact_length"),
            at_most("management_contact", SHORT_MAX, name="readiness_management_contact_length"),
            models.CheckConstraint(
                condition=Q(remote_access__in=["", *RemoteAccess.values]), name="readiness_remote_access_valid"
            ),
            models.CheckConstraint(
                condition=Q(critical_systems_protection__in=["", *ProtectionNeed.values]),
                name="readiness_critical_systems_protection_valid",
            ),
            date_range_check("last_restore_test", name="readiness_last_restore_test_plausible"),
            datetime_range_check("reviewed_at", name="readiness_reviewed_at_plausible", null=False),
            datetime_range_check("review_reminded_for", name="readiness_review_reminded_for_plausible"),
        ]
        indexes = [models.Index(fields=["reviewed_at"], name="readiness_reviewed_at")]

    def __str__(self) -> str:
        return str(self.organisation)

    #: The entries of readiness_profile_save, in the order the form asks them ("critical_systems": the
    #: rows of ``CriticalSystem``, edited as a formset; the others: fields of this model).
    ITEMS = (
        "critical_systems",
        "backup_concept",
        "last_restore_test",
        "admin_contacts",
        "remote_access",
        "remote_access_mfa",
        "external_providers",
        "insurance_insurer",
        "insurance_policy_number",
        "insurance_hotline",
        "dpo_contact",
        "management_contact",
    )
    #: What counts for completeness (13): the entries and the network overview (its own upload). Also
    #: the order the pages list them in. The critical systems count when there is at least one row.
    ENTRIES = (*ITEMS, "network_overview")
    #: The form's fields of this model (the critical systems are a formset of their own).
    FORM_FIELDS = tuple(name for name in ITEMS if name != "critical_systems")
    CRITICAL_SYSTEMS_LABEL = _("Kritische Systeme und Dienste (mit Schutzbedarf)")

    def missing_fields(self) -> list[str]:
        """Names of what is not filled in yet (MFA counts as answered when remote access is "none"; the
        critical systems when there is a row: the derived protection need is set exactly then)."""
        names = []
        for name in self.ENTRIES:
            if name == "network_overview":
                value = self.network_overview_id
            elif name == "critical_systems":
                value = self.critical_systems_protection
            else:
                value = getattr(self, name)
            if name == "remote_access_mfa" and self.remote_access == RemoteAccess.NONE:
                continue
            if value is None or value == "":
                names.append(name)
        return names

    @classmethod
    def label(cls, name: str) -> str:
        if name == "critical_systems":
            return str(cls.CRITICAL_SYSTEMS_LABEL)
        return str(cls._meta.get_field(name).verbose_name)

    def missing(self) -> list[str]:
        """Labels of what is not filled in yet."""
        return [self.label(name) for name in self.missing_fields()]

    @property
    def critical_systems(self) -> list[CriticalSystem]:
        """The rows in their order (one query, or none with ``prefetch_related("systems")``; an unsaved
        profile has none)."""
        return list(self.systems.all()) if self.pk else []

    def score(self) -> int:
        """Completeness in percent."""
        total = len(self.ENTRIES)
        return round((total - len(self.missing())) * 100 / total)

    def is_stale(self, now=None) -> bool:
        return (now or timezone.now()) - self.reviewed_at > REVIEW_INTERVAL

    def review_due_at(self):
        return self.reviewed_at + REVIEW_INTERVAL

    @property
    def lacks_mfa(self) -> bool:
        return self.remote_access not in ("", RemoteAccess.NONE) and self.remote_access_mfa is False

    def contents(self) -> dict:
        """The entries as plain JSON values (dates as ISO strings): the copy kept with each version."""
        values = {name: getattr(self, name) for name in self.FORM_FIELDS}
        values["critical_systems"] = [system.as_dict() for system in self.critical_systems]
        values["critical_systems_protection"] = self.critical_systems_protection
        if values["last_restore_test"] is not None:
            values["last_restore_test"] = values["last_restore_test"].isoformat()
        values["network_overview"] = self.network_overview.summary() if self.network_overview_id else None
        return values

    def display_rows(self) -> list[DisplayRow]:
        """(name, label, text) per entry, for the pages and PDFs that show the contents ("–" when empty).
        A page that links the network overview renders that entry itself (``name`` says which it is)."""
        rows = []
        for name in (self.ITEMS[0], "critical_systems_protection", *self.ITEMS[1:], "network_overview"):
            if name == "critical_systems":
                text = "\n".join(system.display() for system in self.critical_systems)
                rows.append(DisplayRow(name, str(self.CRITICAL_SYSTEMS_LABEL), text or "–"))
                continue
            field = self._meta.get_field(name)
            value = getattr(self, name)
            if name == "network_overview":
                text = value.display() if value else ""
            elif name == "remote_access":
                text = self.get_remote_access_display() if value else ""
            elif name == "critical_systems_protection":
                text = self.get_critical_systems_protection_display() if value else ""
            elif name == "remote_access_mfa":
                text = "" if value is None else str(_("ja") if value else _("nein"))
            elif name == "last_restore_test":
                text = value.strftime("%d.%m.%Y") if value else ""
            else:
                text = value
            rows.append(DisplayRow(name, str(field.verbose_name), text or "–"))
        return rows


class CriticalSystem(models.Model):
    """One critical system or service of a body's profile, with its protection need (BSI-Standard
    200-2) and, optionally, what depends on it. Ordered by ``position`` (0, 1, …). Written only by
    readiness.services.readiness_profile_save (all rows of a profile at once); each version of the
    profile keeps a copy of the rows."""

    profile = models.ForeignKey(ReadinessProfile, on_delete=models.CASCADE, related_name="systems")
    position = models.PositiveSmallIntegerField(_("Position"))
    name = models.CharField(_("System oder Dienst"), max_length=SYSTEM_NAME_MAX)
    description = models.CharField(
        _("Was hängt davon ab? (Kurzbeschreibung)"), max_length=SYSTEM_DESCRIPTION_MAX, blank=True
    )
    protection = models.CharField(_("Schutzbedarf"), max_length=10, choices=ProtectionNeed.choices)

    class Meta:
        verbose_name = _("Kritisches System")
        verbose_name_plural = _("Kritische Systeme")
        ordering = ["profile", "position"]
        constraints = [
            models.UniqueConstraint(fields=["profile", "position"], name="readiness_system_position_unique"),
            models.CheckConstraint(
                condition=Q(position__lt=CRITICAL_SYSTEMS_MAX), name="readiness_system_position_range"
            ),
            models.CheckConstraint(
                condition=Q(GreaterThanOrEqual(Length("name"), 1))
                & Q(LessThanOrEqual(Length("name"), SYSTEM_NAME_MAX)),
                name="readiness_system_name_length",
            ),
            at_most("description", SYSTEM_DESCRIPTION_MAX, name="readiness_system_description_length"),
            models.CheckConstraint(
                condition=Q(protection__in=ProtectionNeed.values), name="readiness_system_protection_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def as_dict(self) -> dict:
        return {"name": self.name, "description": self.description, "protection": self.protection}

    def display(self) -> str:
        """ "Einwohnermeldewesen (Schutzbedarf: hoch) – Bürgerbüro, Standesamt" """
        text = _("{name} (Schutzbedarf: {protection})").format(name=self.name, protection=self.get_protection_display())
        return f"{text} – {self.description}" if self.description else text


class ReadinessProfileVersion(models.Model):
    """One saved state of a body's profile: its number, when and by whom, and a copy of the entries.
    Written only by readiness.services.readiness_profile_save, never changed afterwards."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    number = models.PositiveIntegerField(_("Version"))
    saved_at = models.DateTimeField(_("Gespeichert am"), default=timezone.now)
    saved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    contents = models.JSONField(_("Inhalt"), default=dict)
    #: Names of the entries this version changed (the first version: those filled in).
    changed = models.JSONField(default=list)

    class Meta:
        verbose_name = _("Version eines Vorbereitungsprofils")
        verbose_name_plural = _("Versionen von Vorbereitungsprofilen")
        ordering = ["organisation", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "number"], name="readiness_version_unique"),
            models.CheckConstraint(condition=Q(number__gte=1), name="readiness_version_number_positive"),
            datetime_range_check("saved_at", name="readiness_version_saved_at_plausible", null=False),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} v{self.number}"
