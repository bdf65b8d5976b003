"""A body's readiness profile: what responders need in the first hour (critical systems, backups and
the last restore test, out-of-band admin contacts, remote access and its MFA, external IT providers,
cyber insurance, data protection officer, management's contact). Its contents are for the body (and,
later, the provider accepting a call-off: need to know); the ministry sees only aggregates
(readiness.selectors.overview). Written only through readiness.services. Depends on tenants only."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from digisos.plausible import date_range_check, datetime_range_check
from tenants.models import Organisation, phone_validator

TEXT_MAX = 4000
SHORT_MAX = 300
PHONE_MAX = 30
#: A profile not reviewed for this long is stale (issue 18: review every 6 months).
REVIEW_INTERVAL = timedelta(days=182)


def at_most(field: str, high: int, *, name: str) -> models.CheckConstraint:
    return models.CheckConstraint(condition=Q(LessThanOrEqual(Length(field), high)), name=name)


class RemoteAccess(models.TextChoices):
    VPN = "vpn", _("VPN")
    GATEWAY = "gateway", _("Remote-Desktop-Gateway / Terminalserver")
    VENDOR = "vendor", _("Fernwartung durch einen Dienstleister")
    OTHER = "other", _("Anderer Weg")
    NONE = "none", _("Kein Fernzugriff")


class ReadinessProfile(models.Model):
    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="+")
    critical_systems = models.TextField(
        _("Kritische Systeme und Dienste (mit Kritikalität)"), max_length=TEXT_MAX, blank=True
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
    insurance_hotline = models.CharField(
        _("Hotline der Cyberversicherung"), max_length=PHONE_MAX, blank=True, validators=[phone_validator]
    )
    dpo_contact = models.CharField(_("Datenschutzbeauftragte/r (Name, Telefon)"), max_length=SHORT_MAX, blank=True)
    management_contact = models.CharField(
        _("Verwaltungsspitze außerhalb der eigenen Technik (Name, Mobilnummer)"), max_length=SHORT_MAX, blank=True
    )
    #: Counts the saves; the order PDF of a call-off will name the version the provider saw.
    version = models.PositiveIntegerField(default=0)
    reviewed_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("Vorbereitungsprofil")
        verbose_name_plural = _("Vorbereitungsprofile")
        constraints = [
            at_most("critical_systems", TEXT_MAX, name="readiness_critical_systems_length"),
            at_most("backup_concept", TEXT_MAX, name="readiness_backup_concept_length"),
            at_most("admin_contacts", TEXT_MAX, name="readiness_admin_contacts_length"),
            at_most("external_providers", TEXT_MAX, name="readiness_external_providers_length"),
            at_most("insurance_hotline", PHONE_MAX, name="readiness_insurance_hotline_length"),
            at_most("dpo_contact", SHORT_MAX, name="readiness_dpo_contact_length"),
            at_most("management_contact", SHORT_MAX, name="readiness_management_contact_length"),
            models.CheckConstraint(
                condition=Q(remote_access__in=["", *RemoteAccess.values]), name="readiness_remote_access_valid"
            ),
            date_range_check("last_restore_test", name="readiness_last_restore_test_plausible"),
            datetime_range_check("reviewed_at", name="readiness_reviewed_at_plausible", null=False),
        ]

    def __str__(self) -> str:
        return str(self.organisation)

    #: What counts for completeness, in the order the form asks it.
    ITEMS = (
        "critical_systems",
        "backup_concept",
        "last_restore_test",
        "admin_contacts",
        "remote_access",
        "remote_access_mfa",
        "external_providers",
        "insurance_hotline",
        "dpo_contact",
        "management_contact",
    )

    def missing(self) -> list[str]:
        """Labels of what is not filled in yet (MFA counts as answered when remote access is "none")."""
        labels = []
        for name in self.ITEMS:
            value = getattr(self, name)
            if name == "remote_access_mfa" and self.remote_access == RemoteAccess.NONE:
                continue
            if value is None or value == "":
                labels.append(str(self._meta.get_field(name).verbose_name))
        return labels

    def score(self) -> int:
        """Completeness in percent."""
        total = len(self.ITEMS)
        return round((total - len(self.missing())) * 100 / total)

    def is_stale(self, now=None) -> bool:
        return (now or timezone.now()) - self.reviewed_at > REVIEW_INTERVAL

    @property
    def lacks_mfa(self) -> bool:
        return self.remote_access not in ("", RemoteAccess.NONE) and self.remote_access_mfa is False
