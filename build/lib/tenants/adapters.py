"""allauth adapter: no public sign-up; an invitation opens the door once."""

from __future__ import annotations

import time

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.login import get_authentication_records
from allauth.core import context
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from .middleware import has_mfa
from .models import Invitation

SESSION_KEY = "digisos_invitation"


def demo_logins_allowed() -> bool:
    return bool(settings.DEBUG or settings.DEMO_MODE)


def invitation_from_session(request) -> Invitation | None:
    public_id = request.session.get(SESSION_KEY) if request is not None else None
    if not public_id:
        return None
    return Invitation.objects.pending().filter(public_id=public_id).first()


class InvitationOnlyAccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """allauth's account and MFA mails (password reset, e-mail confirmation, security notices) go
        through the outbox (retried, in the delivery log) instead of straight to SMTP. They are
        confidential: a reset link or a confirmation key is a password for a while, so the outbox
        wipes the text once the mail is delivered (or given up); the log keeps who, when, what kind."""
        from allauth.core import context as allauth_context
        from django.contrib.sites.shortcuts import get_current_site

        from .mail import queue_mail

        # The adapter's own request first: allauth sends MFA notices from an on_commit hook, which
        # may run after its request context has been left (then allauth_context.request is None).
        request = getattr(self, "request", None) or allauth_context.request
        ctx = {"request": request, "email": email, "current_site": get_current_site(request)}
        ctx.update(context)
        message = self.render_mail(template_prefix, email, ctx)
        kind = template_prefix.rsplit("/", 1)[-1]
        queue_mail(
            recipients=list(message.to),
            subject=message.subject,
            body=message.body,
            event_type=f"account.{kind}",
            confidential=True,
        )

    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        """Setting up the first factor right after the password login needs no second password prompt.

        Everyone else (changing or removing a factor, e-mail, password) re-authenticates as usual.
        """
        required = super().is_reauthentication_required(app=app, **kwargs)
        if required and app == "allauth.mfa":
            request = context.request
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated and not has_mfa(user):
                records = get_authentication_records(request, user)
                timeout = account_settings.REAUTHENTICATION_TIMEOUT
                if records and time.time() - records[-1]["at"] < timeout:
                    return False
        return required

    def pre_login(self, request, user, **kwargs):
        """Demo accounts (public password and TOTP secret) log in only on a demo instance."""
        if getattr(user, "is_demo", False) and not demo_logins_allowed():
            from allauth.account.internal.stagekit import clear_login
            from django.contrib import messages
            from django.shortcuts import redirect
            from django.utils.translation import gettext as _

            clear_login(request)
            messages.error(
                request,
                _(
                    "Demo-Konten sind auf dieser Installation gesperrt: Ihre Zugangsdaten sind öffentlich. "
                    "Bitte melden Sie sich mit Ihrem eigenen Konto an."
                ),
            )
            return redirect("account_login")
        return super().pre_login(request, user, **kwargs)

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
        email = (form.cleaned_data.get("email") or "").lower()
        if invitation is None or invitation.email.lower() != email:
            # The form already refuses a different address; this is the last line of defence.
            raise PermissionDenied("Invitation required")
        from .services import invitation_accept

        try:
            # The account and its rights come into being together, or not at all.
            with transaction.atomic():
                user = super().save_user(request, user, form, commit=commit)
                if commit:
                    invitation_accept(invitation=invitation, user=user)
        except ValidationError as exc:
            raise PermissionDenied(" ".join(exc.messages)) from exc
        request.session.pop(SESSION_KEY, None)
        return user
