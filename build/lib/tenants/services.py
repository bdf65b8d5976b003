"""Every write to tenants: atomic (durable, except invitation_accept), row-locked where a row changes, and audited."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from . import selectors
from .mail import queue_mail
from .models import AuditEntry, Invitation, Membership, Organisation, Role, User, hash_token
from .signals import invitation_accepted


def audit(*, actor, action: str, organisation: Organisation | None = None, target: str = "", **details) -> AuditEntry:
    """Append to the tamper-evident audit log (tenants.audit)."""
    from .audit import append

    return append(actor=actor, action=action, organisation=organisation, target=target, details=details)


def can_invite(*, actor: User, organisation: Organisation | None, as_ministry_staff: bool) -> bool:
    """Ministry staff invite ministry colleagues and any body's members; a body admin invites colleagues."""
    if not actor.is_authenticated or not actor.is_active:
        return False
    if actor.is_ministry_staff:
        return True
    if as_ministry_staff or organisation is None:
        return False
    return Membership.objects.filter(user=actor, organisation=organisation, role=Role.ADMIN).exists()


@transaction.atomic(durable=True)
def invitation_create(
    *,
    actor: User,
    email: str,
    organisation: Organisation | None = None,
    role: str = "",
    as_ministry_staff: bool = False,
    grant: tuple[str, str] | None = None,
    request=None,
) -> tuple[Invitation, str]:
    """Create an invitation and send its link. Returns the invitation and the one-time token.

    ``grant=(kind, key)`` invites to a right another app grants on acceptance (ministry only),
    e.g. ("provider", <provider public_id>) for provider staff.
    """
    return invitation_issue(
        actor=actor, email=email, organisation=organisation, role=role, as_ministry_staff=as_ministry_staff, grant=grant
    )


# Not durable: a service of another app that creates a body and invites its first administrator
# (onboarding's approval) calls it inside its own transaction, so that both commit together.
@transaction.atomic
def invitation_issue(
    *,
    actor: User,
    email: str,
    organisation: Organisation | None = None,
    role: str = "",
    as_ministry_staff: bool = False,
    grant: tuple[str, str] | None = None,
) -> tuple[Invitation, str]:
    """The work of ``invitation_create``, joining the caller's transaction."""
    if grant is not None:
        if not actor.is_authenticated or not actor.is_ministry_staff:
            raise PermissionDenied
        organisation, role, as_ministry_staff = None, "", False
    elif not can_invite(actor=actor, organisation=organisation, as_ministry_staff=as_ministry_staff):
        raise PermissionDenied
    email = email.strip().lower()
    if as_ministry_staff or grant is not None:
        organisation, role = None, ""
    elif organisation is None or role not in Role.values:
        raise ValidationError(_("Bitte Stelle und Rolle angeben."))
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError(_("Für diese E-Mail-Adresse gibt es bereits ein Konto."))
    # A fresh invitation replaces any pending one for the same address and body.
    now = timezone.now()
    Invitation.objects.pending().filter(email__iexact=email, organisation=organisation).update(revoked_at=now)
    token = Invitation.new_token()
    invitation = Invitation.objects.create(
        email=email,
        organisation=organisation,
        role=role,
        as_ministry_staff=as_ministry_staff,
        grant_kind=grant[0] if grant else "",
        grant_key=str(grant[1]) if grant else "",
        token_hash=hash_token(token),
        invited_by=actor,
    )
    audit(
        actor=actor,
        action="invitation.created",
        organisation=organisation,
        target=email,
        role=role,
        ministry=as_ministry_staff,
    )
    link = settings.SITE_URL + reverse("tenants:invitation_accept", args=[token])
    context = {"invitation": invitation, "link": link, "inviter": actor}
    with translation.override("de"):  # the invitee's language is not known yet: German first
        subject = _("[Digi-SOS] Einladung zum Notfallportal")
        message = render_to_string("emails/invitation.txt", context)
    # Through the outbox (retried, logged): the invitation and its e-mail commit together. Confidential:
    # the invitation keeps only the token's hash, so the mail's copy of the link is wiped once sent.
    queue_mail(
        recipients=[email],
        subject=str(subject),
        body=message,
        event_type="invitation",
        organisation=organisation,
        confidential=True,
    )
    return invitation, token


def invitation_for_token(token: str) -> Invitation | None:
    return Invitation.objects.select_related("organisation").filter(token_hash=hash_token(token)).first()


# Not durable: allauth's signup saves the new account and calls this (adapters.save_user) inside its own
# transaction, so that the account and its membership are created together or not at all.
@transaction.atomic
def invitation_accept(*, invitation: Invitation, user: User) -> Membership | None:
    """Turn an invitation into the account's rights, exactly once."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_usable:
        raise ValidationError(_("Diese Einladung ist abgelaufen oder wurde bereits verwendet."))
    if invitation.email.lower() != user.email.lower():
        raise ValidationError(_("Diese Einladung gilt für eine andere E-Mail-Adresse."))
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    membership = None
    if invitation.grant_kind:
        invitation_accepted.send(sender=Invitation, invitation=invitation, user=user)
    elif invitation.as_ministry_staff:
        user.is_ministry_staff = True
        user.save(update_fields=["is_ministry_staff"])
    else:
        membership, _created = Membership.objects.update_or_create(
            user=user, organisation=invitation.organisation, defaults={"role": invitation.role}
        )
    audit(
        actor=user,
        action="invitation.accepted",
        organisation=invitation.organisation,
        target=user.email,
        role=invitation.role,
        ministry=invitation.as_ministry_staff,
    )
    return membership


@transaction.atomic(durable=True)
def membership_set_role(*, membership: Membership, role: str, actor: User) -> Membership:
    _lock_admins(membership)
    membership = Membership.objects.select_for_update().select_related("organisation").get(pk=membership.pk)
    if not can_invite(actor=actor, organisation=membership.organisation, as_ministry_staff=False):
        raise PermissionDenied
    if role not in Role.values:
        raise ValidationError(_("Unbekannte Rolle."))
    old = membership.role
    if old == Role.ADMIN and role != Role.ADMIN and not _other_admins(membership):
        raise ValidationError(_("Die letzte Administration einer Stelle kann nicht herabgestuft werden."))
    membership.role = role
    membership.save(update_fields=["role"])
    audit(
        actor=actor,
        action="membership.role_changed",
        organisation=membership.organisation,
        target=membership.user.email,
        old=old,
        new=role,
    )
    return membership


@transaction.atomic(durable=True)
def membership_remove(*, membership: Membership, actor: User) -> None:
    _lock_admins(membership)
    membership = Membership.objects.select_for_update().select_related("organisation", "user").get(pk=membership.pk)
    if not can_invite(actor=actor, organisation=membership.organisation, as_ministry_staff=False):
        raise PermissionDenied
    if membership.role == Role.ADMIN and not _other_admins(membership):
        raise ValidationError(_("Die letzte Administration einer Stelle kann nicht entfernt werden."))
    audit(
        actor=actor,
        action="membership.removed",
        organisation=membership.organisation,
        target=membership.user.email,
        old=membership.role,
    )
    membership.delete()


def _lock_admins(membership: Membership) -> None:
    """Lock the body's row before a role change: two last-but-one administrators demoting or
    removing themselves at once would each have seen the other and left the body with none."""
    Organisation.objects.select_for_update().filter(pk=membership.organisation_id).values_list("pk").first()


def _other_admins(membership: Membership) -> bool:
    """Another administrator who can still act (a deactivated account does not count)."""
    return (
        Membership.objects.filter(organisation=membership.organisation, role=Role.ADMIN, user__is_active=True)
        .exclude(pk=membership.pk)
        .exists()
    )


@transaction.atomic(durable=True)
def organisation_set_eligibility(
    *, organisation: Organisation, actor: User, eligible_from, eligible_until
) -> Organisation:
    if not actor.is_ministry_staff:
        raise PermissionDenied
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    old = [str(organisation.eligible_from), str(organisation.eligible_until)]
    organisation.eligible_from, organisation.eligible_until = eligible_from, eligible_until
    organisation.full_clean(validate_unique=False)
    organisation.save(update_fields=["eligible_from", "eligible_until", "updated_at"])
    audit(
        actor=actor,
        action="organisation.eligibility_changed",
        organisation=organisation,
        target=organisation.name,
        old=old,
        new=[str(eligible_from), str(eligible_until)],
    )
    return organisation


@transaction.atomic(durable=True)
def organisation_set_leitweg_id(*, organisation: Organisation, actor: User, leitweg_id: str) -> Organisation:
    """A body's administrator enters or changes (or clears) its Leitweg-ID for e-invoices."""
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if not selectors.is_body_admin(user=actor, organisation=organisation):
        raise PermissionDenied
    old = organisation.leitweg_id
    organisation.leitweg_id = leitweg_id
    organisation.full_clean(validate_unique=False)
    organisation.save(update_fields=["leitweg_id", "updated_at"])
    audit(
        actor=actor,
        action="organisation.leitweg_id_changed",
        organisation=organisation,
        target=organisation.name,
        old=old,
        new=leitweg_id,
    )
    return organisation


@transaction.atomic(durable=True)
def emergency_contact_save(*, contact, actor: User):
    contact.full_clean()
    contact.save()
    audit(
        actor=actor,
        action="emergency_contact.saved",
        organisation=contact.organisation,
        target=contact.name,
        mobile=contact.mobile,
    )
    return contact


@transaction.atomic(durable=True)
def emergency_contact_delete(*, contact, actor: User) -> None:
    audit(actor=actor, action="emergency_contact.deleted", organisation=contact.organisation, target=contact.name)
    contact.delete()


MANDATE_FIELDS = ("principal", "member", "may_file_calloffs", "valid_from", "valid_until", "note")


@transaction.atomic(durable=True)
def mandate_save(*, mandate, actor: User):
    """Create or change a mandate (ministry staff only; the Django admin writes through here)."""
    if not actor.is_ministry_staff:
        raise PermissionDenied
    created = mandate.pk is None
    old = {}
    if not created:
        current = type(mandate).objects.select_for_update().get(pk=mandate.pk)
        old = {name: str(getattr(current, name)) for name in MANDATE_FIELDS}
    mandate.full_clean()
    mandate.save()
    new = {name: str(getattr(mandate, name)) for name in MANDATE_FIELDS}
    audit(
        actor=actor,
        action="mandate.created" if created else "mandate.changed",
        organisation=mandate.member,
        target=str(mandate),
        old={k: v for k, v in old.items() if v != new[k]},
        new={k: v for k, v in new.items() if created or old.get(k) != v},
    )
    return mandate


@transaction.atomic(durable=True)
def mandate_delete(*, mandate, actor: User) -> None:
    if not actor.is_ministry_staff:
        raise PermissionDenied
    mandate = type(mandate).objects.select_for_update().select_related("principal", "member").get(pk=mandate.pk)
    audit(actor=actor, action="mandate.deleted", organisation=mandate.member, target=str(mandate))
    mandate.delete()


# Not durable: called inside the approving service's transaction (onboarding.services).
@transaction.atomic
def organisation_register(
    *,
    actor: User,
    name: str,
    kind: str,
    parent: Organisation,
    source_key: str,
    street: str = "",
    postcode: str = "",
    city: str = "",
    eligible_from=None,
) -> Organisation:
    """Enter a new eligible body under its parent (ministry staff only), eligible from ``eligible_from``."""
    if not actor.is_authenticated or not actor.is_ministry_staff:
        raise PermissionDenied
    organisation = Organisation(
        name=name,
        kind=kind,
        parent=parent,
        source_key=source_key,
        street=street,
        postcode=postcode,
        city=city,
        regierungsbezirk=parent.regierungsbezirk,
        eligible_from=eligible_from,
    )
    organisation.full_clean()
    organisation.save()
    audit(
        actor=actor,
        action="organisation.registered",
        organisation=organisation,
        target=organisation.name,
        parent=parent.name,
        kind=kind,
        eligible_from=str(eligible_from),
    )
    return organisation
