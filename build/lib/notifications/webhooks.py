"""Webhooks to providers after the Standard Webhooks specification (https://www.standardwebhooks.com/).

* Headers ``webhook-id`` (fixed per message, the same on every retry, so receivers can
  deduplicate), ``webhook-timestamp`` (seconds, per attempt) and ``webhook-signature``:
  ``v1,<base64 HMAC-SHA256 of "id.timestamp.body">``, computed with the reference package
  ``standardwebhooks``. During a secret rotation the header carries one signature per valid
  secret, separated by a space, so receivers holding either secret accept the message.
* SSRF: the host is resolved and every address must be public (no loopback, private,
  link-local, reserved or multicast ranges) unless ``WEBHOOK_ALLOW_PRIVATE_TARGETS``; the
  connection then goes to the address that was checked (no second lookup an attacker could
  rebind), with Host header and TLS server name of the original host. No redirects are followed.
* HTTPS only unless ``WEBHOOK_REQUIRE_HTTPS`` is off (it is off only with DEBUG by default).
"""

from __future__ import annotations

import ipaddress
import json
import socket
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

import urllib3
from django.conf import settings
from django.utils.translation import gettext as _
from standardwebhooks import Webhook

USER_AGENT = "Digi-SOS-Webhooks/1.0"
#: How much of a receiver's answer is kept in the attempt log.
RESPONSE_EXCERPT = 500


class UnsafeTarget(Exception):
    """The URL may not be called (scheme, credentials, address range); the message is German."""


@dataclass(frozen=True)
class SendResult:
    ok: bool
    status_code: int | None = None
    duration_ms: int | None = None
    error: str = ""
    #: True if retrying cannot help (e.g. the URL is refused by the SSRF rules).
    permanent: bool = False


#: IPv6 ranges that carry an IPv4 address inside: NAT64 (RFC 6052) and 6to4 (RFC 3056). The
#: IPv4-compatible form ``::a.b.c.d`` (deprecated, RFC 4291) is checked through ``::/96``.
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.IPv6Network("64:ff9b:1::/48")
_SIX_TO_FOUR = ipaddress.IPv6Network("2002::/16")
_IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address a packet to ``ip`` may end up at (mapped, NAT64, 6to4, IPv4-compatible)."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip in _NAT64 or ip in _IPV4_COMPATIBLE:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip in _SIX_TO_FOUR:
        return ip.sixtofour
    return None


def _is_public(address: str) -> bool:
    """Only globally routable unicast addresses; for IPv6 also the IPv4 address embedded in it."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.is_site_local or ip in _NAT64_LOCAL:  # fec0::/10 (deprecated, still routed internally)
            return False
        embedded = _embedded_ipv4(ip)
        if embedded is not None:
            ip = embedded
    return ip.is_global and not ip.is_multicast


def check_url(url: str, *, resolve: bool = True) -> list[str]:
    """Raise UnsafeTarget unless ``url`` may receive webhooks; return the addresses to connect to."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise UnsafeTarget(_("Die URL ist ungültig.")) from exc
    if parts.scheme not in ("https", "http"):
        raise UnsafeTarget(_("Nur http- und https-URLs sind erlaubt."))
    if parts.scheme != "https" and getattr(settings, "WEBHOOK_REQUIRE_HTTPS", True):
        raise UnsafeTarget(_("Webhooks werden nur an https-URLs gesendet."))
    if parts.username or parts.password:
        raise UnsafeTarget(_("Zugangsdaten in der URL sind nicht erlaubt."))
    host = parts.hostname
    if not host:
        raise UnsafeTarget(_("Die URL enthält keinen Rechnernamen."))
    if not resolve:
        return []
    port = port or (443 if parts.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise UnsafeTarget(_("Der Rechnername {host} ist nicht auflösbar.").format(host=host)) from exc
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if not addresses:
        raise UnsafeTarget(_("Der Rechnername {host} ist nicht auflösbar.").format(host=host))
    if not getattr(settings, "WEBHOOK_ALLOW_PRIVATE_TARGETS", False):
        blocked = [a for a in addresses if not _is_public(a)]
        if blocked:
            raise UnsafeTarget(
                _(
                    "Die Adresse {address} von {host} ist nicht öffentlich erreichbar (Loopback, privat, "
                    "link-lokal oder reserviert); dorthin werden keine Webhooks gesendet."
                ).format(address=blocked[0], host=host)
            )
    return addresses


def sign(*, secrets: list[str], msg_id: str, timestamp: int, body: str) -> str:
    """The ``webhook-signature`` header: one ``v1,<sig>`` per secret, space-separated."""
    moment = datetime.fromtimestamp(timestamp, tz=UTC)
    return " ".join(Webhook(secret).sign(msg_id=msg_id, timestamp=moment, data=body) for secret in secrets)


def encode(payload: dict) -> str:
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False, sort_keys=True)


def build_request(*, secrets: list[str], msg_id: str, payload: dict, timestamp: int | None = None):
    """(body, headers) of one attempt."""
    body = encode(payload)
    timestamp = int(time.time()) if timestamp is None else timestamp
    headers = {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(secrets=secrets, msg_id=msg_id, timestamp=timestamp, body=body),
    }
    return body, headers


def post(*, url: str, body: str, headers: dict[str, str], timeout: float | None = None) -> SendResult:
    """POST once, to a checked address, without redirects; any 2xx is success."""
    timeout = timeout or settings.WEBHOOK_TIMEOUT_SECONDS
    started = time.monotonic()

    def elapsed() -> int:
        return int((time.monotonic() - started) * 1000)

    try:
        addresses = check_url(url)
    except UnsafeTarget as exc:
        return SendResult(ok=False, error=str(exc), duration_ms=elapsed(), permanent=True)
    parts = urlsplit(url)
    https = parts.scheme == "https"
    port = parts.port or (443 if https else 80)
    host = parts.hostname
    host_header = f"[{host}]" if ":" in host else host
    if parts.port:
        host_header += f":{parts.port}"
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    pool_kwargs = {
        "host": addresses[0],
        "port": port,
        "timeout": urllib3.Timeout(total=timeout),
        "retries": False,
        "maxsize": 1,
    }
    if https:
        pool_cls = urllib3.HTTPSConnectionPool
        pool_kwargs.update({"server_hostname": host, "assert_hostname": host, "cert_reqs": "CERT_REQUIRED"})
    else:
        pool_cls = urllib3.HTTPConnectionPool
    try:
        with pool_cls(**pool_kwargs) as pool:
            response = pool.urlopen(
                "POST",
                path,
                body=body.encode(),
                headers={**headers, "host": host_header},
                redirect=False,
                preload_content=False,
                assert_same_host=False,
            )
            try:
                excerpt = response.read(RESPONSE_EXCERPT, decode_content=True)
            finally:
                response.release_conn()
    except urllib3.exceptions.HTTPError as exc:
        reason = getattr(exc, "reason", None) or exc
        kind = "Zeitüberschreitung" if isinstance(exc, urllib3.exceptions.TimeoutError) else "Verbindungsfehler"
        return SendResult(ok=False, error=f"{kind}: {reason}"[:1000], duration_ms=elapsed())
    except OSError as exc:
        return SendResult(ok=False, error=f"Verbindungsfehler: {exc}"[:1000], duration_ms=elapsed())
    status = response.status
    if 200 <= status < 300:
        return SendResult(ok=True, status_code=status, duration_ms=elapsed())
    text = excerpt.decode("utf-8", "replace") if isinstance(excerpt, bytes) else str(excerpt)
    return SendResult(ok=False, status_code=status, duration_ms=elapsed(), error=f"HTTP {status}: {text}"[:1000])
