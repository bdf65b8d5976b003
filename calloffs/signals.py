"""Signals of the calloffs app: hooks for notifications and webhooks (added by later issues).

``calloff_event_recorded`` is sent once the transaction that appended a ``CallOffEvent`` has
committed (never for a rolled-back step), with ``event_id``, ``kind`` (the event's kind) and
``calloff_id``, so that a receiver can tell whether it cares without reading the event. Receivers should only enqueue
work (a Celery task taking the id), never block: see STYLE.md §4.

``calloff_event_written`` is sent inside that transaction, right after the event row (and its
outbox rows) are written, with ``event`` (saved, its call-off the locked row of the step). For what
must commit together with the step or not at all; a receiver writes in the caller's transaction and
an exception it raises rolls the whole step back (sent with ``send``, not ``send_robust``).
"""

from django.dispatch import Signal

calloff_event_recorded = Signal()
calloff_event_written = Signal()
