"""Documents rendered for a call-off: the call-off order (Abrufauftrag) and the proof of work
(Leistungsnachweis) as PDF, versioned, with their SHA-256 and a code to verify them; and the one
document of a whole incident (all its engagements): the incident's final report, which belongs to the
incident instead of a call-off (``incident`` set, ``calloff`` empty) and is read by the body and the
ministry only, never by a provider (calloffs.selectors_documents).

A row is the visible status of a render job (STYLE.md §4): pending → started → ready | failed;
a failed one can be retried (back to pending). Rows are never deleted and a ready file is never
replaced: a change (of scope, of contacts) makes the next version, the old ones stay.
"""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from incidents.models import Incident

from .calloff import CallOff


class DocumentKind(models.TextChoices):
    ORDER = "order", _("Abrufauftrag")
    PROOF_OF_WORK = "proof_of_work", _("Leistungsnachweis")
    #: The incident's final report of the engagement (rendered by the aftercare app, which registers
    #: its renderer: calloffs.documents.register_renderer).
    FINAL_REPORT = "final_report", _("Abschlussbericht")
    #: The final report of the whole incident (every engagement; for the body and the ministry), a
    #: document of the incident, not of a call-off (rendered by the aftercare app, like FINAL_REPORT).
    INCIDENT_REPORT = "incident_report", _("Abschlussbericht zum Vorfall")


#: The kinds that belong to an incident (``CallOffDocument.incident``) rather than to a call-off.
INCIDENT_KINDS = frozenset({DocumentKind.INCIDENT_REPORT})


class DocumentState(models.TextChoices):
    PENDING = "pending", _("In Warteschlange")
    STARTED = "started", _("Wird erstellt")
    READY = "ready", _("Bereit")
    FAILED = "failed", _("Fehlgeschlagen")


#: Lower-case letters and digits without the look-alikes 0/o, 1/l/i: the code is printed on
#: paper and may be typed in by hand.
VERIFY_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
VERIFY_CODE_LENGTH = 20  # 31**20 ≈ 2**99: not guessable


def new_verify_code() -> str:
    return "".join(secrets.choice(VERIFY_ALPHABET) for _ in range(VERIFY_CODE_LENGTH))


def document_upload_to(instance: CallOffDocument, filename: str) -> str:
    if instance.calloff_id is None:
        return f"incidents/documents/{instance.incident.public_id}/{filename}"
    return f"calloffs/documents/{instance.calloff.public_id}/{filename}"


class CallOffDocument(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    calloff = models.ForeignKey(
        CallOff, null=True, blank=True, on_delete=models.PROTECT, related_name="documents", verbose_name=_("Abruf")
    )
    #: Set instead of ``calloff`` for a document of the whole incident (INCIDENT_KINDS).
    incident = models.ForeignKey(
        Incident,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="documents",
        verbose_name=_("Sicherheitsvorfall"),
    )
    kind = models.CharField(_("Art"), max_length=16, choices=DocumentKind.choices)
    version = models.PositiveIntegerField(_("Version"))
    state = models.CharField(_("Status"), max_length=8, choices=DocumentState.choices, default=DocumentState.PENDING)
    reason = models.CharField(_("Anlass"), max_length=200, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("Angefordert von"),
    )
    file = models.FileField(_("Datei"), upload_to=document_upload_to, max_length=300, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    size = models.PositiveIntegerField(_("Größe (Bytes)"), null=True, blank=True)
    verify_code = models.CharField(_("Prüfcode"), max_length=32, unique=True, default=new_verify_code, editable=False)
    error = models.TextField(_("Fehler"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("Versuche"), default=0)
    created_at = models.DateTimeField(_("Angefordert am"), default=timezone.now)
    started_at = models.DateTimeField(_("Begonnen am"), null=True, blank=True)
    rendered_at = models.DateTimeField(_("Erstellt am"), null=True, blank=True)

    class Meta:
        verbose_name = _("Dokument zum Abruf")
        verbose_name_plural = _("Dokumente zu Abrufen")
        ordering = ["calloff", "kind", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["calloff", "kind", "version"], name="calloff_document_version_unique"),
            models.UniqueConstraint(
                fields=["incident", "kind", "version"],
                condition=Q(incident__isnull=False),
                name="incident_document_version_unique",
            ),
            # Either a call-off's document or an incident's, by its kind.
            models.CheckConstraint(
                condition=(Q(calloff__isnull=False, incident__isnull=True) & ~Q(kind__in=["incident_report"]))
                | (Q(calloff__isnull=True, incident__isnull=False) & Q(kind__in=["incident_report"])),
                name="calloff_document_owner",
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="calloff_document_version_positive"),
            models.CheckConstraint(
                condition=~Q(state="ready") | (~Q(sha256="") & ~Q(file="")),
                name="calloff_document_ready_has_file",
            ),
        ]
        indexes = [
            # The auditor / retry of jobs that never finished.
            models.Index(
                fields=["created_at"],
                name="calloff_document_unfinished",
                condition=Q(state__in=["pending", "started"]),
            ),
        ]

    def __str__(self) -> str:
        owner = self.calloff_id if self.calloff_id is not None else f"incident {self.incident_id}"
        return f"{self.get_kind_display()} {owner} v{self.version} ({self.state})"

    @property
    def is_incident_document(self) -> bool:
        return self.calloff_id is None

    @property
    def reference(self) -> str:
        """What the document is about, for people: the call-off number, or the incident's short reference."""
        return self.calloff.number if self.calloff_id is not None else incident_reference(self.incident)

    @property
    def is_ready(self) -> bool:
        return self.state == DocumentState.READY

    @property
    def is_unfinished(self) -> bool:
        return self.state in (DocumentState.PENDING, DocumentState.STARTED)

    def filename(self) -> str:
        stem = {
            DocumentKind.ORDER: "Abrufauftrag",
            DocumentKind.PROOF_OF_WORK: "Leistungsnachweis",
            DocumentKind.FINAL_REPORT: "Abschlussbericht",
            DocumentKind.INCIDENT_REPORT: "Abschlussbericht",
        }[self.kind]
        return f"{self.reference}_{stem}_v{self.version}.pdf"


def incident_reference(incident: Incident) -> str:
    """A short reference of an incident for file names and the public verification page: names no
    body (which body was hit is not public), unique enough to tell the body's incidents apart."""
    return f"Vorfall-{incident.public_id.hex[:8].upper()}"
