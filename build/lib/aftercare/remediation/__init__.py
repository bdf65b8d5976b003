"""Remediation after the incident: each finding becomes one or more measures the body (or the
provider, as a billable service) carries out and the other party verifies (the accepting provider
the body's work, a body admin the provider's); reminders before and after their due dates; the
reconnection gate of an incident.

Rules of the states (services.py is the only writer):

    open ─▶ in_progress ─▶ done ─▶ verified          (the second check: the accepting provider re-tests
      │          ▲           │                        the body's work; a body admin checks what the
      │          │           │                        provider carried out as a billable service)
      │          └───────────┘ sent back by the checker, with its reason
      └──────────┴───────────┴─▶ accepted_risk       (a body admin, with a reason of 10–2000 characters)

The reconnection gate of an incident stays closed while a measure marked "required for
reconnection" is not verified. An accepted risk does not open it: the shared network protects the
other bodies connected to it, and a body cannot accept a risk on their behalf; if a measure is
really not needed for reconnection, the provider (the expert who re-tests) takes the mark off, which
is audited. A body admin or the ministry may close an opened gate again, with a reason; every period
it was open stays on record (who opened and closed it, when, why).

While a measure is overdue its owner and the body's admins are reminded every ``overdue_every_days``
of the contract's terms; a critical or high measure overdue more than ``escalate_after_days`` is
reported to the ministry once.
"""
