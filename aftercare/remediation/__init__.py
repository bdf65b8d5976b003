"""Remediation after the incident: each finding becomes one or more measures the body (or the
provider, as a billable service) carries out and the accepting provider verifies; reminders before
and after their due dates; the reconnection gate of an incident.

Rules of the states (services.py is the only writer):

    open ─▶ in_progress ─▶ done ─▶ verified          (the accepting provider re-tests and confirms)
      │          ▲           │
      │          └───────────┘ sent back by the provider, with its reason
      └──────────┴───────────┴─▶ accepted_risk       (a body admin, with a reason of 10–2000 characters)

The reconnection gate of an incident stays closed while a measure marked "required for
reconnection" is not verified. An accepted risk does not open it: the shared network protects the
other bodies connected to it, and a body cannot accept a risk on their behalf; if a measure is
really not needed for reconnection, the provider (the expert who re-tests) takes the mark off, which
is audited.
"""
