"""Celery tasks of the calloffs app, one concept per module (STYLE.md §4).

Celery's autodiscovery imports ``calloffs.tasks``; every task module must be imported here.
Tasks are thin: they take ids, load the row, call a service; a missing row is logged and skipped.
"""

from .api_housekeeping import purge_idempotency_keys  # noqa: F401
from .audit import audit_timers  # noqa: F401
from .documents import render_calloff_document, sweep_stale_documents  # noqa: F401
from .sweep import sweep_deadlines  # noqa: F401
