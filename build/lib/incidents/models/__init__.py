from .checklist import ChecklistTick, FirstHourStep
from .incident import Category, Incident, IncidentAttachment, IncidentQuerySet, IncidentStatus, TimelineEntry
from .major import MajorIncident, MajorIncidentStatus
from .reporting import ObligationKind, ReportingObligation

__all__ = [
    "Category",
    "ChecklistTick",
    "FirstHourStep",
    "Incident",
    "IncidentAttachment",
    "IncidentQuerySet",
    "IncidentStatus",
    "MajorIncident",
    "MajorIncidentStatus",
    "ObligationKind",
    "ReportingObligation",
    "TimelineEntry",
]
