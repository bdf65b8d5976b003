"""Evidence attachments on findings: files the accepting provider uploads to back a finding (logs,
screenshots, a forensic report, an archive of samples), stored like the call-off's attachments
(type from the content, size limit, SHA-256, under MEDIA_ROOT with a name of our own) and shared
with the body only.

Who sees the evidence (selectors.evidence_visible_to): the body's members (every role) and the
staff of the provider that uploaded it while it is engaged in the call-off. Not the ministry (it
reads the findings, not the raw evidence, which may hold personal data and the body's internals),
not another provider, nobody else: 404. Every download re-computes the SHA-256 and refuses a file
that no longer matches (services.evidence_open).
"""
