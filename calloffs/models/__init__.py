"""Models of the calloffs app, one module per concept; import them from here."""

from .alert import AlertKind, MinistryAlert
from .api import (
    API_KEY_PREFIX,
    AttachmentKind,
    CallOffAttachment,
    IdempotencyRecord,
    IdempotencyState,
    ProviderApiKey,
)
from .calloff import (
    ENGAGED_STATES,
    OPEN_STATES,
    TRANSITIONS,
    WORK_STATES,
    CallOff,
    CallOffEvent,
    CallOffNumberSequence,
    CallOffService,
    CallOffState,
    EventKind,
    Offer,
    OfferState,
    TimeEntry,
    time_entry_problems,
)
from .contract import (
    ContractStatus,
    FrameworkContract,
    Priority,
    RoleRate,
    ServiceModule,
    SLATerm,
    Unit,
)
from .document import CallOffDocument, DocumentKind, DocumentState
from .provider import Provider, ProviderContact, ProviderMembership, validate_regions
from .ranking import ProviderRank, RankingVersion
from .sla import MILESTONE_FIELDS, Milestone, SLABreach

__all__ = [
    "API_KEY_PREFIX",
    "AttachmentKind",
    "CallOffAttachment",
    "IdempotencyRecord",
    "IdempotencyState",
    "ProviderApiKey",
    "ENGAGED_STATES",
    "MILESTONE_FIELDS",
    "OPEN_STATES",
    "TRANSITIONS",
    "WORK_STATES",
    "AlertKind",
    "CallOff",
    "CallOffDocument",
    "CallOffEvent",
    "CallOffNumberSequence",
    "CallOffService",
    "CallOffState",
    "ContractStatus",
    "DocumentKind",
    "DocumentState",
    "EventKind",
    "FrameworkContract",
    "Milestone",
    "MinistryAlert",
    "Offer",
    "OfferState",
    "Priority",
    "Provider",
    "ProviderContact",
    "ProviderMembership",
    "ProviderRank",
    "RankingVersion",
    "RoleRate",
    "SLABreach",
    "SLATerm",
    "ServiceModule",
    "TimeEntry",
    "Unit",
    "time_entry_problems",
    "validate_regions",
]
