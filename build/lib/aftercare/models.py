"""Findings of the provider's analysis and indicators of compromise, both recorded on a call-off
(the accepting provider's engagement) and so on its incident and body.

Every value has its plausible range in the form/serializer (aftercare.validation, digisos.plausible)
and a CHECK constraint here, so nothing implausible is stored whatever the entry path.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import Exact, GreaterThanOrEqual, LessThanOrEqual
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from calloffs.models import CallOff
from digisos.plausible import datetime_range_check, order_check
from incidents.models import Incident, TimelineEntry
from tenants.models import Organisation


class Severity(models.TextChoices):
    LOW = "low", _("Niedrig")
    MEDIUM = "medium", _("Mittel")
    HIGH = "high", _("Hoch")
    CRITICAL = "critical", _("Kritisch")


SEVERITY_ORDER = [Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW]


class FindingCategory(models.TextChoices):
    """How the attacker got in or what made it possible (the initial access vectors seen at municipalities)."""

    PHISHING = "phishing", _("Phishing")
    REMOTE_ACCESS = "remote_access", _("Fernzugang ohne Mehrfaktor-Anmeldung")
    UNPATCHED = "unpatched", _("Ungepatchte Schwachstelle (CVE)")
    WEAK_CREDENTIALS = "weak_credentials", _("Schwache oder kompromittierte Zugangsdaten")
    MISCONFIGURATION = "misconfiguration", _("Fehlkonfiguration")
    SUPPLIER = "supplier", _("Dienstleister / Lieferkette")
    OTHER = "other", _("Sonstiges")


class Tlp(models.TextChoices):
    """FIRST Traffic Light Protocol 2.0: how far an indicator may travel."""

    CLEAR = "clear", "TLP:CLEAR"
    GREEN = "green", "TLP:GREEN"
    AMBER = "amber", "TLP:AMBER"
    AMBER_STRICT = "amber_strict", "TLP:AMBER+STRICT"
    RED = "red", "TLP:RED"


#: TLP levels that stay with the incident's parties (the body and the engaged provider): never in
#: an export beyond the incident, never shown to the ministry or matched values told to others.
PARTIES_ONLY = (Tlp.RED,)
#: TLP levels that never go into an export across bodies (the ministry-wide and major-incident
#: exports): RED stays with the named recipients, AMBER+STRICT within the recipient organisation.
#: They are not shown to the ministry either and take no part in matching (a match would tell the
#: ministry the value and the names of the bodies).
NOT_ACROSS_BODIES = (Tlp.RED, Tlp.AMBER_STRICT)


class IndicatorKind(models.TextChoices):
    IP = "ip", _("IP-Adresse")
    DOMAIN = "domain", _("Domain")
    URL = "url", _("URL")
    MD5 = "md5", "MD5"
    SHA1 = "sha1", "SHA-1"
    SHA256 = "sha256", "SHA-256"
    EMAIL = "email", _("E-Mail-Absender")


def _in(field: str, choices) -> Q:
    return Q(**{f"{field}__in": [value for value, _label in choices]})


class FindingQuerySet(models.QuerySet):
    def visible_to(self, user) -> FindingQuerySet:
        """The rules are in aftercare.selectors (one place for both models)."""
        from .selectors import scope_q

        q = scope_q(user)
        return self if q is None else self.filter(q)


class Finding(models.Model):
    """One finding of the provider's analysis on the incident, recorded under its call-off."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    calloff = models.ForeignKey(CallOff, on_delete=models.PROTECT, related_name="+", verbose_name=_("Abruf"))
    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="+", verbose_name=_("Vorfall"))
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("Stelle"))
    title = models.CharField(_("Titel"), max_length=200)
    description = models.TextField(_("Beschreibung"), max_length=20000)
    category = models.CharField(_("Kategorie"), max_length=20, choices=FindingCategory.choices)
    affected_systems = models.TextField(_("Betroffene Systeme"), max_length=5000, blank=True)
    cve_id = models.CharField(_("CVE-Kennung"), max_length=20, blank=True)
    cvss_vector = models.CharField(_("CVSS-Basisvektor"), max_length=200, blank=True)
    cvss_score = models.DecimalField(_("CVSS-Basiswert"), max_digits=3, decimal_places=1, null=True, blank=True)
    severity = models.CharField(_("Schweregrad"), max_length=10, choices=Severity.choices)
    recommendation = models.TextField(_("Empfohlene Maßnahme"), max_length=20000, blank=True)
    root_cause = models.BooleanField(_("Ursache des Vorfalls"), default=False)
    #: The timeline entry that recorded the finding as the root cause ("Ursache festgestellt"), while
    #: it is one: the report marks that entry by this reference, not by its text (a rename, another
    #: entry mentioning the title). Cleared when the mark is taken back.
    root_cause_entry = models.ForeignKey(
        TimelineEntry,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("Zeitleisteneintrag der Ursache"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("Erfasst von")
    )
    created_at = models.DateTimeField(_("Erfasst am"), default=timezone.now)
    updated_at = models.DateTimeField(_("Geändert am"), default=timezone.now)

    objects = FindingQuerySet.as_manager()

    class Meta:
        verbose_name = _("Befund")
        verbose_name_plural = _("Befunde")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=_in("severity", Severity.choices), name="finding_severity_valid"),
            models.CheckConstraint(condition=_in("category", FindingCategory.choices), name="finding_category_valid"),
            models.CheckConstraint(condition=~Q(title=""), name="finding_title_present"),
            # A vector and its score come together (the score computed from the vector), in [0, 10]
            # (``isnull=False`` spelled out: a comparison with NULL is unknown, and CHECK passes unknown).
            models.CheckConstraint(
                condition=(Q(cvss_vector="") & Q(cvss_score__isnull=True))
                | (
                    (Q(cvss_vector__startswith="CVSS:3.1/") | Q(cvss_vector__startswith="CVSS:4.0/"))
                    & Q(cvss_score__isnull=False, cvss_score__gte=Decimal("0.0"), cvss_score__lte=Decimal("10.0"))
                ),
                name="finding_cvss_vector_and_score",
            ),
            models.CheckConstraint(
                condition=Q(cve_id="") | (Q(cve_id__startswith="CVE-") & Q(GreaterThanOrEqual(Length("cve_id"), 13))),
                name="finding_cve_id_format",
            ),
            models.CheckConstraint(
                condition=Q(updated_at__gte=models.F("created_at")), name="finding_updated_after_created"
            ),
            datetime_range_check("created_at", name="finding_created_at_plausible", null=False),
        ]
        indexes = [models.Index(fields=["incident", "created_at"])]

    def __str__(self) -> str:
        return self.title


class IndicatorQuerySet(models.QuerySet):
    def visible_to(self, user) -> IndicatorQuerySet:
        """As findings; the ministry (not a party of the incident, and not the body's organisation)
        never sees TLP:RED nor TLP:AMBER+STRICT (TLP 2.0: within the recipient organisation only)."""
        from .selectors import scope_q

        q = scope_q(user)
        return self.exclude(tlp__in=NOT_ACROSS_BODIES) if q is None else self.filter(q)


class Indicator(models.Model):
    """An indicator of compromise seen in the incident, with its TLP level."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    calloff = models.ForeignKey(CallOff, on_delete=models.PROTECT, related_name="+", verbose_name=_("Abruf"))
    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="+", verbose_name=_("Vorfall"))
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("Stelle"))
    kind = models.CharField(_("Typ"), max_length=10, choices=IndicatorKind.choices)
    #: Normalised (aftercare.validation.normalise_indicator): the same indicator is the same string.
    value = models.CharField(_("Wert"), max_length=2048)
    tlp = models.CharField(_("TLP"), max_length=12, choices=Tlp.choices, default=Tlp.AMBER)
    description = models.TextField(_("Beschreibung"), max_length=5000, blank=True)
    first_seen = models.DateTimeField(_("Erstmals gesehen"), null=True, blank=True)
    last_seen = models.DateTimeField(_("Zuletzt gesehen"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("Erfasst von")
    )
    created_at = models.DateTimeField(_("Erfasst am"), default=timezone.now)
    updated_at = models.DateTimeField(_("Geändert am"), default=timezone.now)

    objects = IndicatorQuerySet.as_manager()

    class Meta:
        verbose_name = _("Indikator")
        verbose_name_plural = _("Indikatoren")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["calloff", "kind", "value"], name="indicator_once_per_calloff"),
            models.CheckConstraint(condition=_in("kind", IndicatorKind.choices), name="indicator_kind_valid"),
            models.CheckConstraint(condition=_in("tlp", Tlp.choices), name="indicator_tlp_valid"),
            models.CheckConstraint(condition=~Q(value=""), name="indicator_value_present"),
            # Hashes have their exact length; the other types at least "a.bc"-like lengths.
            models.CheckConstraint(
                condition=(Q(kind="md5") & Q(Exact(Length("value"), 32)))
                | (Q(kind="sha1") & Q(Exact(Length("value"), 40)))
                | (Q(kind="sha256") & Q(Exact(Length("value"), 64)))
                | (
                    Q(kind__in=["ip", "domain", "url", "email"])
                    & Q(GreaterThanOrEqual(Length("value"), 2))
                    & Q(LessThanOrEqual(Length("value"), 2048))
                ),
                name="indicator_value_length",
            ),
            models.CheckConstraint(condition=~Q(kind="email") | Q(value__contains="@"), name="indicator_email_has_at"),
            models.CheckConstraint(
                condition=~Q(kind="url") | Q(value__contains="://"), name="indicator_url_has_scheme"
            ),
            datetime_range_check("first_seen", name="indicator_first_seen_plausible"),
            datetime_range_check("last_seen", name="indicator_last_seen_plausible"),
            order_check("first_seen", "last_seen", name="indicator_seen_in_order"),
            datetime_range_check("created_at", name="indicator_created_at_plausible", null=False),
        ]
        indexes = [
            models.Index(fields=["kind", "value"], name="indicator_match"),
            models.Index(fields=["incident", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.value}"

    @property
    def stays_with_parties(self) -> bool:
        return self.tlp in PARTIES_ONLY


class IndicatorValue(models.Model):
    """One indicator value across all bodies: the row that matching locks, so two bodies recording the
    same value at the same moment are told about each other exactly once."""

    kind = models.CharField(_("Typ"), max_length=10, choices=IndicatorKind.choices)
    value = models.CharField(_("Wert"), max_length=2048)
    created_at = models.DateTimeField(_("Erstmals erfasst am"), default=timezone.now)

    class Meta:
        verbose_name = _("Indikatorwert")
        verbose_name_plural = _("Indikatorwerte")
        constraints = [
            models.UniqueConstraint(fields=["kind", "value"], name="indicator_value_unique"),
            models.CheckConstraint(condition=_in("kind", IndicatorKind.choices), name="indicator_value_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.value}"


class Sighting(models.Model):
    """A body at which an indicator value has been recorded (once per body); ``alerted`` when its
    arrival made the value one seen at more than one body and the ministry was told."""

    indicator_value = models.ForeignKey(IndicatorValue, on_delete=models.CASCADE, related_name="sightings")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+", verbose_name=_("Stelle"))
    first_indicator = models.ForeignKey(
        Indicator, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("Erster Indikator")
    )
    alerted = models.BooleanField(_("Ministerium informiert"), default=False)
    created_at = models.DateTimeField(_("Erfasst am"), default=timezone.now)

    class Meta:
        verbose_name = _("Sichtung")
        verbose_name_plural = _("Sichtungen")
        constraints = [
            models.UniqueConstraint(fields=["indicator_value", "organisation"], name="sighting_once_per_body"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_value} @ {self.organisation_id}"


# The remediation models live in their own module (aftercare.remediation.models); imported here so
# that Django registers them and ``from aftercare.models import Measure`` works.
from .evidence.models import FindingEvidence  # noqa: E402, F401  (registered with the app, like remediation)
from .remediation.models import (  # noqa: E402, F401
    Measure,
    MeasureState,
    OwnerKind,
    ReconnectionGate,
    RemediationTerms,
)

# --- Final report (Abschlussbericht) ------------------------------------------------------------

#: Plausible length of a lessons-learned text: a sentence at least, a few pages at most
#: (form, service and the CHECK below). Empty means "not written yet".
LESSONS_MIN, LESSONS_MAX = 20, 10000
#: Plausible length of the body's NIS-2 final report draft (what the authority's form takes, with room).
NIS2_DRAFT_MIN, NIS2_DRAFT_MAX = 50, 30000


def _empty_or_length(field: str, low: int, high: int) -> Q:
    return Q(**{field: ""}) | (Q(GreaterThanOrEqual(Length(field), low)) & Q(LessThanOrEqual(Length(field), high)))


class ReportNotes(models.Model):
    """What the parties write for the final report of one engagement (a call-off of the incident):
    the lessons learned of the accepting provider and those of the body, each edited by its side
    only (aftercare.report_services). The report's other sections come from the recorded data."""

    calloff = models.OneToOneField(CallOff, on_delete=models.PROTECT, related_name="+", verbose_name=_("Abruf"))
    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="+", verbose_name=_("Vorfall"))
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("Stelle"))
    lessons_provider = models.TextField(_("Lessons learned des Dienstleisters"), max_length=LESSONS_MAX, blank=True)
    lessons_body = models.TextField(_("Lessons learned der Stelle"), max_length=LESSONS_MAX, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("Geändert von")
    )
    updated_at = models.DateTimeField(_("Geändert am"), default=timezone.now)

    class Meta:
        verbose_name = _("Angaben zum Abschlussbericht")
        verbose_name_plural = _("Angaben zu Abschlussberichten")
        constraints = [
            models.CheckConstraint(
                condition=_empty_or_length("lessons_provider", LESSONS_MIN, LESSONS_MAX),
                name="report_notes_lessons_provider_length",
            ),
            models.CheckConstraint(
                condition=_empty_or_length("lessons_body", LESSONS_MIN, LESSONS_MAX),
                name="report_notes_lessons_body_length",
            ),
            datetime_range_check("updated_at", name="report_notes_updated_at_plausible", null=False),
        ]

    def __str__(self) -> str:
        return f"{self.calloff_id}"


class Nis2FinalReportDraft(models.Model):
    """The body's own draft of its NIS-2 final report (Art. 23 (4) d: one month after the
    notification), prefilled from the final report's data and edited by the body before it submits
    it to the authority (the portal does not submit it; the obligation is marked done on the incident)."""

    incident = models.OneToOneField(Incident, on_delete=models.PROTECT, related_name="+", verbose_name=_("Vorfall"))
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("Stelle"))
    text = models.TextField(_("Entwurf"), max_length=NIS2_DRAFT_MAX)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("Geändert von")
    )
    updated_at = models.DateTimeField(_("Geändert am"), default=timezone.now)

    class Meta:
        verbose_name = _("Entwurf des NIS-2-Abschlussberichts")
        verbose_name_plural = _("Entwürfe von NIS-2-Abschlussberichten")
        constraints = [
            models.CheckConstraint(
                condition=Q(GreaterThanOrEqual(Length("text"), NIS2_DRAFT_MIN))
                & Q(LessThanOrEqual(Length("text"), NIS2_DRAFT_MAX)),
                name="nis2_draft_text_length",
            ),
            datetime_range_check("updated_at", name="nis2_draft_updated_at_plausible", null=False),
        ]

    def __str__(self) -> str:
        return f"{self.incident_id}"
