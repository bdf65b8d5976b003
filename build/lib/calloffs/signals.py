"""Signals of the calloffs app: hooks for notifications and webhooks (added by later issues).

``calloff_event_recorded`` is sent once the transaction that appended a ``CallOffEvent`` has
committed (never for a rolled-back step), with ``event_id``, ``kind`` (the event's kind) and
``calloff_id``, so that a receiver can tell whether it cares without reading the event. Receivers should only enqueue
work (a Celery task taking the id), never block: see STYLE.md §4.
"""

from django.dispatch import Signal

calloff_event_recorded = Signal()
