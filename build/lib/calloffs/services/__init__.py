"""Every write of the calloffs app (STYLE.md §2). Import the entry points from here; the writes of
the contract administration (contract, terms, providers, staff accounts) are in
``calloffs.contract.services``.

Each public function is keyword-only, runs in its own durable transaction, re-reads and locks
the rows it changes, checks the actor's rights and the lifecycle itself, appends a
CallOffEvent (or a tenants AuditEntry) and raises a
``calloffs.errors.CallOffError`` subclass with a German message when a rule is broken.
"""

from .alerts import ministry_alert_acknowledge
from .ceiling import CEILING_THRESHOLDS, CEILING_WARNING_PERCENT, format_eur
from .filing import calloff_file, next_calloff_number
from .lifecycle import (
    calloff_cancel,
    calloff_close,
    calloff_complete,
    calloff_report_lead,
    calloff_start,
    time_entry_add,
    time_entry_confirm,
)
from .milestones import MILESTONE_KINDS, calloff_record_milestone
from .offers import calloff_assign_manually, offer_accept, offer_decline, offer_expire, offer_next
from .ranking import RankEntry, ranking_publish, validate_ranking
from .scope import calloff_change_scope
from .sla import deadlines_sweep, sla_breach_detect
from .webhooks import webhook_endpoint_create, webhook_endpoint_rotate_secret, webhook_endpoint_update

__all__ = [
    "CEILING_THRESHOLDS",
    "CEILING_WARNING_PERCENT",
    "MILESTONE_KINDS",
    "RankEntry",
    "calloff_assign_manually",
    "calloff_cancel",
    "calloff_change_scope",
    "calloff_close",
    "calloff_complete",
    "calloff_file",
    "calloff_record_milestone",
    "calloff_report_lead",
    "calloff_start",
    "deadlines_sweep",
    "format_eur",
    "ministry_alert_acknowledge",
    "next_calloff_number",
    "offer_accept",
    "offer_decline",
    "offer_expire",
    "offer_next",
    "ranking_publish",
    "sla_breach_detect",
    "time_entry_add",
    "time_entry_confirm",
    "validate_ranking",
    "webhook_endpoint_create",
    "webhook_endpoint_rotate_secret",
    "webhook_endpoint_update",
]
