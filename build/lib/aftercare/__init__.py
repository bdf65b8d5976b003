"""After the incident: the provider's findings and the indicators of compromise it records, their
exports (STIX 2.1, MISP) and the matching of indicators across bodies.

Sits above ``calloffs`` (tenants ← notifications ← incidents ← calloffs ← aftercare): it reaches the
call-off only through ``calloffs.visibility`` / ``calloffs.permissions`` / ``calloffs.services``.
"""
