"""Writes and the checked read of evidence: the accepting provider uploads (one durable transaction,
the call-off locked, the type decided by the content, the size capped, the SHA-256 stored, an audit
entry); every download re-computes the SHA-256 and refuses a file that changed on disk."""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from calloffs.services.attachments import FileTooLarge, UnsupportedFileType
from digisos.uploads import ALL_TYPES, RefusedUpload, check_upload, clean_filename, open_if_unchanged, upload_sha256
from tenants.services import audit

from ..errors import AftercareError, InvalidInput
from ..locks import lock_engaged
from ..models import Finding
from .models import FindingEvidence

DESCRIPTION_MAX = 500


class EvidenceAltered(AftercareError):
    """The stored file no longer has the SHA-256 recorded at upload: it is not handed out."""

    default_message = gettext_lazy(
        "Die gespeicherte Datei stimmt nicht mehr mit ihrer Prüfsumme (SHA-256) überein und wird nicht "
        "ausgeliefert. Der Vorgang ist protokolliert; bitte wenden Sie sich an den Betrieb."
    )
    code = "evidence_altered"
    http_status = 409


@transaction.atomic(durable=True)
def evidence_add(*, finding: Finding, actor, upload: UploadedFile, description: str = "") -> FindingEvidence:
    limit = settings.API_MAX_UPLOAD_BYTES
    if upload.size > limit:
        raise FileTooLarge(
            _("Die Datei ist zu groß (höchstens {limit} MB).").format(limit=round(limit / 1_000_000, 1)), field="file"
        )
    if upload.size == 0:
        raise InvalidInput(_("Die Datei ist leer."), field="file")
    description = (description or "").strip()
    if len(description) > DESCRIPTION_MAX:
        raise InvalidInput(_("Höchstens {n} Zeichen.").format(n=DESCRIPTION_MAX), field="description")
    calloff = lock_engaged(calloff=finding.calloff, actor=actor)
    finding = Finding.objects.get(pk=finding.pk, calloff_id=calloff.pk)
    try:
        content_type = check_upload(upload, allowed=ALL_TYPES)
    except RefusedUpload as exc:
        raise UnsupportedFileType(exc.message, field="file") from exc
    sha256 = upload_sha256(upload)
    evidence = FindingEvidence(
        finding=finding,
        calloff=calloff,
        organisation_id=calloff.organisation_id,
        provider_id=calloff.provider_id,
        original_name=clean_filename(upload.name),
        content_type=content_type,
        size=upload.size,
        sha256=sha256,
        description=description,
        uploaded_by=actor,
    )
    evidence.file.save("upload", upload, save=False)
    try:
        evidence.save()
        audit(
            actor=actor,
            action="finding.evidence_added",
            organisation=calloff.organisation,
            target=f"{calloff.number}: {evidence.original_name}",
            finding=str(finding.public_id),
            evidence=str(evidence.public_id),
            sha256=sha256,
            size=evidence.size,
        )
    except Exception:
        evidence.file.delete(save=False)
        raise
    return evidence


def evidence_open(*, evidence: FindingEvidence, actor, via: str):
    """The stored file, opened for reading at its start, after its SHA-256 was computed again and
    found equal to the recorded one (EvidenceAltered otherwise, audited). Audits the download."""
    file, actual = open_if_unchanged(evidence.file, evidence.sha256)
    if file is None:
        audit(
            actor=actor,
            action="finding.evidence_altered",
            organisation=evidence.organisation,
            target=evidence.original_name,
            evidence=str(evidence.public_id),
            expected=evidence.sha256,
            actual=actual,
        )
        raise EvidenceAltered()
    audit(
        actor=actor,
        action="finding.evidence_downloaded",
        organisation=evidence.organisation,
        target=evidence.original_name,
        evidence=str(evidence.public_id),
        sha256=evidence.sha256,
        via=via,
    )
    return file
