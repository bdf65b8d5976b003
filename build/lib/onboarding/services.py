"""Every write to a request for access: atomic (durable), row-locked, audited; the e-mails go into
the outbox (notifications) in the same transaction."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from digisos.uploads import JPEG, PDF, PNG, RefusedUpload, check_upload
from notifications.models import Audience, source_of
from notifications.services import mail_enqueue
from tenants.models import Organisation, Role, User
from tenants.selectors import active_member_emails, roles_of
from tenants.services import audit, invitation_issue, organisation_register

from .models import PARENT_KINDS, PROOF_MAX_BYTES, REASON_MAX, REASON_MIN, AccessRequest, RequestStatus

PROOF_TYPES = (PDF, PNG, JPEG)


class OnboardingError(Exception):
    """A step the request's state does not allow; ``message`` is German, for the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def is_parent_admin(user, access_request: AccessRequest) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active) and (
        roles_of(user).get(access_request.parent_id) == Role.ADMIN
    )


def _mail(access_request: AccessRequest, *, kind: str, recipients: list[str], audience: str, organisation=None):
    if not recipients:
        return
    link = settings.SITE_URL + reverse("onboarding:detail", args=[access_request.public_id])
    with translation.override("de"):  # German first: the recipients' language is not known here
        text = render_to_string("emails/access_request.txt", {"request": access_request, "kind": kind, "link": link})
    subject, _sep, body = text.strip().partition("\n")
    mail_enqueue(
        recipients=recipients,
        subject=subject.strip(),
        body=body.strip(),
        event_type=f"onboarding.{kind}",
        audience=audience,
        organisation=organisation,
        reference=access_request.reference,
        link=reverse("onboarding:detail", args=[access_request.public_id]),
        source=source_of(access_request),
    )


def _ministry_emails() -> list[str]:
    return sorted(User.objects.filter(is_ministry_staff=True, is_active=True).values_list("email", flat=True))


def _parent_admin_emails(parent: Organisation) -> list[str]:
    return active_member_emails(organisation_id=parent.pk, roles=[Role.ADMIN])


@transaction.atomic(durable=True)
def access_request_submit(*, data: dict, proof, ip: str = "") -> AccessRequest:
    """File a request (no account: the applicant is anonymous). The proof must be a PDF, PNG or JPEG
    (digisos.uploads); the ministry and the parent's administration are told through the outbox."""
    if proof.size is None or not 1 <= proof.size <= PROOF_MAX_BYTES:
        raise ValidationError({"proof": _("Der Nachweis darf höchstens 10 MB groß sein.")})
    try:
        content_type = check_upload(proof, allowed=PROOF_TYPES)
    except RefusedUpload as exc:
        raise ValidationError({"proof": exc.message}) from None
    recent = AccessRequest.objects.filter(
        status__in=RequestStatus.open(), submitted_at__gte=timezone.now() - timedelta(hours=1)
    ).count()
    if recent >= settings.ONBOARDING_REQUESTS_PER_HOUR:
        raise OnboardingError(_("Zurzeit gehen sehr viele Anträge ein. Bitte versuchen Sie es in einer Stunde erneut."))
    parent = data.get("parent")
    if parent is not None and parent.kind not in PARENT_KINDS:
        raise ValidationError({"parent": _("Wählen Sie eine Kommune, einen Kreis oder eine Landesbehörde.")})
    digest = hashlib.sha256()
    for chunk in proof.chunks():
        digest.update(chunk)
    proof.seek(0)
    access_request = AccessRequest(
        **data,
        proof_name=(proof.name or "nachweis")[-255:],
        proof_content_type=content_type,
        proof_size=proof.size,
        proof_sha256=digest.hexdigest(),
    )
    access_request.contact_email = access_request.contact_email.strip().lower()
    access_request.proof = proof
    access_request.full_clean(exclude=["proof"])
    access_request.save()
    audit(
        actor=None,
        action="access_request.submitted",
        organisation=access_request.parent,
        target=access_request.name,
        reference=access_request.reference,
        legal_form=access_request.legal_form,
        contact=access_request.contact_email,
        proof_sha256=access_request.proof_sha256,
        ip=ip,
    )
    _mail(access_request, kind="received", recipients=[access_request.contact_email], audience=Audience.BODY)
    _mail(access_request, kind="to_ministry", recipients=_ministry_emails(), audience=Audience.MINISTRY)
    _mail(
        access_request,
        kind="to_parent",
        recipients=_parent_admin_emails(access_request.parent),
        audience=Audience.BODY,
        organisation=access_request.parent,
    )
    return access_request


def _locked(access_request: AccessRequest) -> AccessRequest:
    return AccessRequest.objects.select_for_update().select_related("parent").get(pk=access_request.pk)


@transaction.atomic(durable=True)
def access_request_confirm(*, access_request: AccessRequest, actor) -> AccessRequest:
    """The parent body's administration confirms that the applicant is one of its own."""
    access_request = _locked(access_request)
    if not is_parent_admin(actor, access_request):
        raise PermissionDenied
    if access_request.status != RequestStatus.SUBMITTED:
        raise OnboardingError(_("Dieser Antrag kann nicht mehr bestätigt werden."))
    old = access_request.status
    access_request.status = RequestStatus.PARENT_CONFIRMED
    access_request.parent_confirmed_at, access_request.parent_confirmed_by = timezone.now(), actor
    access_request.save(update_fields=["status", "parent_confirmed_at", "parent_confirmed_by"])
    audit(
        actor=actor,
        action="access_request.parent_confirmed",
        organisation=access_request.parent,
        target=access_request.name,
        reference=access_request.reference,
        old=old,
        new=access_request.status,
    )
    _mail(access_request, kind="confirmed", recipients=_ministry_emails(), audience=Audience.MINISTRY)
    return access_request


def _require_ministry(actor) -> None:
    if not (getattr(actor, "is_authenticated", False) and actor.is_active and actor.is_ministry_staff):
        raise PermissionDenied


@transaction.atomic(durable=True)
def access_request_approve(*, access_request: AccessRequest, actor, admin_email: str = "") -> AccessRequest:
    """Enter the body under its parent, eligible from today, and invite its first administrator
    (the contact, or ``admin_email``): one transaction, so that none of it happens alone."""
    _require_ministry(actor)
    access_request = _locked(access_request)
    if not access_request.is_open:
        raise OnboardingError(_("Über diesen Antrag ist bereits entschieden."))
    old = access_request.status
    organisation = organisation_register(
        actor=actor,
        name=access_request.name,
        kind=access_request.legal_form,
        parent=access_request.parent,
        source_key=f"antrag:{access_request.public_id}",
        street=access_request.street,
        postcode=access_request.postcode,
        city=access_request.city,
        eligible_from=timezone.localdate(),
    )
    email = (admin_email or access_request.contact_email).strip().lower()
    invitation_issue(actor=actor, email=email, organisation=organisation, role=Role.ADMIN)
    access_request.status, access_request.organisation = RequestStatus.APPROVED, organisation
    access_request.decided_at, access_request.decided_by = timezone.now(), actor
    access_request.save(update_fields=["status", "organisation", "decided_at", "decided_by"])
    audit(
        actor=actor,
        action="access_request.approved",
        organisation=organisation,
        target=access_request.name,
        reference=access_request.reference,
        old=old,
        new=access_request.status,
        first_admin=email,
    )
    return access_request


@transaction.atomic(durable=True)
def access_request_refuse(*, access_request: AccessRequest, actor, reason: str) -> AccessRequest:
    _require_ministry(actor)
    reason = reason.strip()
    if not REASON_MIN <= len(reason) <= REASON_MAX:
        message = _("Bitte begründen Sie die Ablehnung in %(min)d bis %(max)d Zeichen.")
        raise ValidationError({"reason": message % {"min": REASON_MIN, "max": REASON_MAX}})
    access_request = _locked(access_request)
    if not access_request.is_open:
        raise OnboardingError(_("Über diesen Antrag ist bereits entschieden."))
    old = access_request.status
    access_request.status, access_request.refusal_reason = RequestStatus.REFUSED, reason
    access_request.decided_at, access_request.decided_by = timezone.now(), actor
    access_request.save(update_fields=["status", "refusal_reason", "decided_at", "decided_by"])
    audit(
        actor=actor,
        action="access_request.refused",
        organisation=access_request.parent,
        target=access_request.name,
        reference=access_request.reference,
        old=old,
        new=access_request.status,
        reason=reason,
    )
    _mail(access_request, kind="refused", recipients=[access_request.contact_email], audience=Audience.BODY)
    return access_request
