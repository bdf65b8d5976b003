"""Download of the files a provider uploaded through the API: for the parties only.

Parties are ministry staff, the members of the body that called off, and the staff of the
assigned provider. Anyone else (including a provider that merely holds an offer) gets a 404.
Files live under MEDIA_ROOT, outside the web root, and leave only through this view.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404

from tenants.models import Membership
from tenants.services import audit

from .. import selectors
from ..models import CallOffAttachment
from ..permissions import is_ministry, is_staff_of


def is_party(user, calloff) -> bool:
    if is_ministry(user):
        return True
    if Membership.objects.filter(user=user, organisation_id=calloff.organisation_id).exists():
        return True
    return calloff.provider_id is not None and is_staff_of(user, calloff.provider)


@login_required
def attachment_download(request, public_id, attachment_id):
    calloff = selectors.calloff_for_user(user=request.user, public_id=public_id)
    if not is_party(request.user, calloff):
        raise Http404
    attachment = get_object_or_404(CallOffAttachment, calloff=calloff, public_id=attachment_id)
    file = attachment.file.open("rb")
    audit(
        actor=request.user,
        action="calloff.attachment_downloaded",
        organisation=calloff.organisation,
        target=f"{calloff.number}: {attachment.original_name}",
        attachment=str(attachment.public_id),
        sha256=attachment.sha256,
    )
    response = FileResponse(
        file,
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["X-Content-SHA256"] = attachment.sha256
    response["Cache-Control"] = "private, no-store"
    return response
