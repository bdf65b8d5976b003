"""Notifications: webhooks to providers, e-mail, SMS; the outbox's retry plan. See .env.example."""

from django.core.exceptions import ImproperlyConfigured

from .parsers import env_bool, env_int, env_str

_debug = env_bool("DEBUG", False)

# Webhooks (Standard Webhooks). Private, loopback and link-local targets are refused (SSRF)
# unless allowed here (local tests and benchmarks only); plain http only with DEBUG.
WEBHOOK_ALLOW_PRIVATE_TARGETS = env_bool("WEBHOOK_ALLOW_PRIVATE_TARGETS", False)
WEBHOOK_REQUIRE_HTTPS = env_bool("WEBHOOK_REQUIRE_HTTPS", not _debug)
WEBHOOK_TIMEOUT_SECONDS = env_int("WEBHOOK_TIMEOUT_SECONDS", 10, minimum=1)
# Overlap of the old and the new secret after a rotation.
WEBHOOK_SECRET_OVERLAP_HOURS = env_int("WEBHOOK_SECRET_OVERLAP_HOURS", 24, minimum=1)

# The outbox: retries with backoff and jitter for NOTIFICATION_RETRY_HOURS, then "dead".
NOTIFICATION_RETRY_HOURS = env_int("NOTIFICATION_RETRY_HOURS", 72, minimum=1)
# After this many failed attempts the ministry is alerted (once per endpoint or address).
NOTIFICATION_ALERT_AFTER_ATTEMPTS = env_int("NOTIFICATION_ALERT_AFTER_ATTEMPTS", 5, minimum=1)
# A delivery that has not finished after this long counts as lost (worker killed) and is repeated.
NOTIFICATION_LEASE_SECONDS = env_int("NOTIFICATION_LEASE_SECONDS", WEBHOOK_TIMEOUT_SECONDS + 20, minimum=2)
if NOTIFICATION_LEASE_SECONDS <= WEBHOOK_TIMEOUT_SECONDS:
    raise ImproperlyConfigured(
        f"NOTIFICATION_LEASE_SECONDS={NOTIFICATION_LEASE_SECONDS} must exceed "
        f"WEBHOOK_TIMEOUT_SECONDS={WEBHOOK_TIMEOUT_SECONDS}, or a slow delivery would be sent twice"
    )
# A queued notification not picked up within this many seconds is handed to the broker again.
NOTIFICATION_REQUEUE_SECONDS = env_int("NOTIFICATION_REQUEUE_SECONDS", 15, minimum=1)

# SMS: notifications.sms.LogSMSBackend (default, writes to the log) or notifications.sms.HTTPGatewaySMSBackend.
SMS_BACKEND = env_str("SMS_BACKEND", "notifications.sms.LogSMSBackend")
SMS_GATEWAY_URL = env_str("SMS_GATEWAY_URL", "")
SMS_GATEWAY_TOKEN = env_str("SMS_GATEWAY_TOKEN", "")
SMS_SENDER = env_str("SMS_SENDER", "DigiSOS")
if SMS_BACKEND.endswith("HTTPGatewaySMSBackend") and not SMS_GATEWAY_URL:
    raise ImproperlyConfigured("SMS_BACKEND=HTTPGatewaySMSBackend needs SMS_GATEWAY_URL")

# How many deadline sweeps may work at once, each on its share of the call-offs (see calloffs.tasks.sweep).
DEADLINE_SWEEP_SLOTS = env_int("DEADLINE_SWEEP_SLOTS", 2, minimum=1)
