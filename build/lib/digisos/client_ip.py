"""The address of the person at the other end, for rate limits and the audit log.

Behind the reverse proxy (``BEHIND_PROXY=1``) every request comes from the proxy's address, so a
limit keyed on ``REMOTE_ADDR`` would be one limit for all of NRW: five junk requests an hour from
anyone would lock every applicant out. The proxy appends the address it saw to ``X-Forwarded-For``
(nginx: ``proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;``), so the right-most entry is
the one our own proxy wrote; entries to its left come from the client and can be forged, and are
never used. Without the setting the header is ignored (a client could set it).
"""

from __future__ import annotations

import ipaddress

from django.conf import settings


def client_ip(request) -> str:
    remote = request.META.get("REMOTE_ADDR", "")
    if not getattr(settings, "BEHIND_PROXY", False):
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    last = forwarded.rsplit(",", 1)[-1].strip()
    try:
        return str(ipaddress.ip_address(last))
    except ValueError:
        return remote
