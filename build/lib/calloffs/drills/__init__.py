"""Drills (Übungen): a body or the ministry exercises the real call-off path (order of precedence,
offer, acceptance, call-back, remote start, with the SLA clocks) and measures the providers' real
response times. A drill is a call-off with ``is_drill`` (filed by ``calloff_file(drill=True)``):
marked ÜBUNG on every page, message and PDF, outside the ceiling, never billed, in a drill record
of its own that no reporting clock ever runs for.

It lives in calloffs, not in readiness: it reads call-offs, offers and SLA terms (calloffs' own
models), and readiness depends on tenants only (pyproject.toml's import-linter contracts).

* ``forms``: the drill form (a page of its own, never the emergency form).
* ``measures``: the times of one drill and of every provider over time, against the SLA.
* ``views``: start a drill, the report of one drill, the ministry's overview; each also as a PDF.
"""
