"""E-mail from the tenants app (invitations, allauth's account mails) goes through the outbox of the
``notifications`` app, which sits above tenants and registers its sender here when it starts
(NotificationsConfig.ready). Nothing here sends mail itself."""

from __future__ import annotations

from collections.abc import Callable

_sender: Callable[..., object] | None = None


def register_sender(sender: Callable[..., object]) -> None:
    global _sender
    _sender = sender


def queue_mail(
    *, recipients: list[str], subject: str, body: str, event_type: str, organisation=None, confidential: bool = False
) -> None:
    """Queue e-mails in the caller's transaction; delivered with retries after it commits.
    ``confidential``: the body carries a secret (reset link, key, code); the outbox wipes it once sent."""
    if _sender is None:
        raise RuntimeError("no outbox registered: is 'notifications' in INSTALLED_APPS?")
    _sender(
        recipients=recipients,
        subject=subject,
        body=body,
        event_type=event_type,
        audience="body" if organisation is not None else "ministry",
        organisation=organisation,
        confidential=confidential,
    )
