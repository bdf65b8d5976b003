"""Security-relevant account events go into the tamper-evident audit log."""

from __future__ import annotations

from allauth.account import signals as account_signals
from allauth.mfa import signals as mfa_signals
from django.contrib.auth.signals import user_logged_out, user_login_failed
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from digisos.request_cache import forget

from .models import Membership
from .services import audit


def _ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "") if request is not None else ""


@receiver(account_signals.user_logged_in)
def on_login(sender, request, user, **kwargs):
    audit(actor=user, action="auth.login", target=user.email, ip=_ip(request))


@receiver(user_logged_out)
def on_logout(sender, request, user, **kwargs):
    if user is not None:
        audit(actor=user, action="auth.logout", target=user.email, ip=_ip(request))


@receiver(user_login_failed)
def on_login_failed(sender, credentials, request=None, **kwargs):
    # Only the attempted address is kept, never the password.
    login = str(credentials.get("email") or credentials.get("username") or "")[:254]
    audit(actor=None, action="auth.login_failed", target=login, ip=_ip(request))


@receiver(mfa_signals.authentication_failed)
def on_mfa_failed(sender, user, request=None, **kwargs):
    audit(actor=user, action="mfa.authentication_failed", target=user.email, ip=_ip(request))


@receiver(mfa_signals.authenticator_added)
def on_mfa_added(sender, request, user, authenticator, **kwargs):
    audit(actor=user, action="mfa.added", target=user.email, type=authenticator.type, ip=_ip(request))


@receiver(mfa_signals.authenticator_removed)
def on_mfa_removed(sender, request, user, authenticator, **kwargs):
    audit(actor=user, action="mfa.removed", target=user.email, type=authenticator.type, ip=_ip(request))


@receiver(mfa_signals.authenticator_reset)
def on_mfa_reset(sender, request, user, authenticator, **kwargs):
    audit(actor=user, action="mfa.reset", target=user.email, type=authenticator.type, ip=_ip(request))


@receiver(account_signals.password_changed)
@receiver(account_signals.password_set)
@receiver(account_signals.password_reset)
def on_password(sender, request, user, **kwargs):
    audit(actor=user, action="auth.password_changed", target=user.email, ip=_ip(request))


@receiver(account_signals.email_changed)
def on_email_changed(sender, request, user, from_email_address, to_email_address, **kwargs):
    audit(
        actor=user,
        action="auth.email_changed",
        target=user.email,
        old=getattr(from_email_address, "email", ""),
        new=getattr(to_email_address, "email", ""),
    )


@receiver(post_save, sender=Membership, dispatch_uid="tenants.membership_saved.forget")
@receiver(post_delete, sender=Membership, dispatch_uid="tenants.membership_deleted.forget")
def on_membership_changed(sender, **kwargs):
    # A request that changes a membership must not go on with what it read before the change.
    forget()
