"""Files the assigned provider uploads to a call-off: reports and evidence.

The type is decided by the content (``digisos.uploads.sniff``), the size is capped by
``settings.API_MAX_UPLOAD_BYTES``, the SHA-256 is stored so both sides can verify the file,
and the file is written under MEDIA_ROOT with a name of our own (outside the web root).
"""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from digisos.uploads import ALL_TYPES, PDF, TEXT, RefusedUpload, check_upload, clean_filename, upload_sha256
from tenants.services import audit

from ..errors import CallOffError, InvalidInput, TransitionNotAllowed
from ..models import WORK_STATES, AttachmentKind, CallOff, CallOffAttachment, Provider
from .common import lock_calloff, require_assigned, require_provider_staff

#: What each kind of attachment may be: a report is a document, evidence may also be images and archives.
ALLOWED_BY_KIND = {AttachmentKind.REPORT: (PDF, TEXT), AttachmentKind.EVIDENCE: ALL_TYPES}


class FileTooLarge(CallOffError):
    default_message = gettext_lazy("Die Datei ist zu groß.")
    code = "file_too_large"
    http_status = 413


class UnsupportedFileType(CallOffError):
    default_message = gettext_lazy("Erlaubt sind nur PDF, PNG, JPEG, ZIP und reiner Text (UTF-8).")
    code = "unsupported_file_type"
    http_status = 415


@transaction.atomic(durable=True)
def attachment_add(
    *, calloff: CallOff, provider: Provider, actor, kind: str, upload: UploadedFile
) -> CallOffAttachment:
    require_provider_staff(actor, provider)
    if kind not in AttachmentKind.values:
        raise InvalidInput(_("Die Art muss „report“ oder „evidence“ sein."), field="kind")
    limit = settings.API_MAX_UPLOAD_BYTES
    if upload.size > limit:
        raise FileTooLarge(
            _("Die Datei ist zu groß (höchstens {limit} MB)."), field="file", limit=round(limit / 1_000_000, 1)
        )
    if upload.size == 0:
        raise InvalidInput(_("Die Datei ist leer."), field="file")
    calloff = lock_calloff(calloff)
    require_assigned(calloff, provider)
    if calloff.state not in WORK_STATES:
        raise TransitionNotAllowed(
            _("Dateien können nur zu einem angenommenen oder laufenden Abruf hochgeladen werden.")
        )
    try:
        content_type = check_upload(upload, allowed=ALLOWED_BY_KIND[kind])
    except RefusedUpload as exc:
        raise UnsupportedFileType(exc.message, field="file") from exc
    attachment = CallOffAttachment(
        calloff=calloff,
        provider=provider,
        kind=kind,
        original_name=clean_filename(upload.name),
        content_type=content_type,
        size=upload.size,
        sha256=upload_sha256(upload),
        uploaded_by=actor,
    )
    attachment.file.save("upload", upload, save=False)
    try:
        attachment.save()
        audit(
            actor=actor,
            action="calloff.attachment_added",
            organisation=calloff.organisation,
            target=f"{calloff.number}: {attachment.original_name}",
            attachment=str(attachment.public_id),
            kind=kind,
            sha256=attachment.sha256,
            size=attachment.size,
            provider=str(provider.public_id),
        )
    except Exception:
        attachment.file.delete(save=False)
        raise
    return attachment
