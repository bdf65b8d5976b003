"""Kept for the historical migration 0005, which names these defaults; the outbox is the
``notifications`` app now (moved there with its rows by migration 0009)."""

from notifications.models import new_webhook_id, new_webhook_secret

__all__ = ["new_webhook_id", "new_webhook_secret"]
