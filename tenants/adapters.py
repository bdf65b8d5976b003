"""allauth adapter: no public sign-up; an invitation opens the door once."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter

from .models import Invitation

SESSION_KEY = "digisos_invitation"


def invitation_from_session(request) -> Invitation | None:
    public_id = request.session.get(SESSION_KEY) if request is not None else None
    if not public_id:
        return None
    return Invitation.objects.pending().filter(public_id=public_id).first()


class InvitationOnlyAccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        return invitation_from_session(request) is not None

    def clean_email(self, email: str) -> str:
        email = super().clean_email(email)
        invitation = invitation_from_session(getattr(self, "request", None))
        if invitation is not None and invitation.email.lower() != email.lower():
            from django.core.exceptions import ValidationError
            from django.utils.translation import gettext as _

            raise ValidationError(_("Bitte die E-Mail-Adresse verwenden, an die die Einladung ging."))
        return email

    def save_user(self, request, user, form, commit=True):
        invitation = invitation_from_session(request)
        if invitation is None or invitation.email.lower() != user.email.lower():
            # The form already refuses a different address; this is the last line of defence.
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied("Invitation required")
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            from .services import invitation_accept

            invitation_accept(invitation=invitation, user=user)
            request.session.pop(SESSION_KEY, None)
        return user
