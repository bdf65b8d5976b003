"""SMS: a small pluggable backend, chosen by the setting ``SMS_BACKEND`` (a dotted path).

* ``LogSMSBackend`` (default): writes the message to the log; nothing leaves the machine.
* ``HTTPGatewaySMSBackend``: POSTs ``{"to", "from", "text"}`` as JSON to ``SMS_GATEWAY_URL``
  with ``Authorization: Bearer SMS_GATEWAY_TOKEN``; any 2xx counts as accepted.
* ``MemorySMSBackend``: keeps messages in ``outbox`` (tests).

A backend raises ``SMSError`` when the message was not accepted; the delivery task logs the
attempt and retries on its schedule.
"""

from __future__ import annotations

import json
import logging

import urllib3
from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class SMSError(Exception):
    pass


class BaseSMSBackend:
    def send(self, *, to: str, text: str) -> None:  # pragma: no cover - interface
        raise NotImplementedError


class LogSMSBackend(BaseSMSBackend):
    def send(self, *, to: str, text: str) -> None:
        logger.info("SMS to %s: %s", to, text)


class MemorySMSBackend(BaseSMSBackend):
    outbox: list[dict] = []

    def send(self, *, to: str, text: str) -> None:
        MemorySMSBackend.outbox.append({"to": to, "text": text})


class HTTPGatewaySMSBackend(BaseSMSBackend):
    def __init__(self, url: str | None = None, token: str | None = None, sender: str | None = None):
        self.url = url or settings.SMS_GATEWAY_URL
        self.token = token if token is not None else settings.SMS_GATEWAY_TOKEN
        self.sender = sender or settings.SMS_SENDER
        if not self.url:
            raise SMSError("SMS_GATEWAY_URL is not set")

    def send(self, *, to: str, text: str) -> None:
        headers = {"content-type": "application/json"}
        if self.token:
            headers["authorization"] = f"Bearer {self.token}"
        body = json.dumps({"to": to, "from": self.sender, "text": text}).encode()
        try:
            response = urllib3.request(
                "POST",
                self.url,
                body=body,
                headers=headers,
                timeout=urllib3.Timeout(total=settings.WEBHOOK_TIMEOUT_SECONDS),
                retries=False,
                redirect=False,
            )
        except urllib3.exceptions.HTTPError as exc:
            raise SMSError(f"SMS-Gateway nicht erreichbar: {exc}") from exc
        if not 200 <= response.status < 300:
            raise SMSError(f"SMS-Gateway antwortet HTTP {response.status}: {response.data[:200]!r}")


def get_backend() -> BaseSMSBackend:
    return import_string(settings.SMS_BACKEND)()


def send_sms(*, to: str, text: str) -> None:
    get_backend().send(to=to, text=text)
