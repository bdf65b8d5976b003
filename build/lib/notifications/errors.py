"""Errors of the outbox's services; ``message`` is German and safe to show, ``http_status`` a hint."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


class NotificationError(Exception):
    default_message = _("Diese Aktion ist nicht möglich.")
    code = "notification_error"
    http_status = 400

    def __init__(self, message=None):
        self.message = str(message if message is not None else self.default_message)
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message


class NotPermitted(NotificationError):
    code = "not_permitted"
    http_status = 403


class NotReplayable(NotificationError):
    code = "not_replayable"
    http_status = 409
