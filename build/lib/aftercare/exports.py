"""Indicator exports for CERTs: a STIX 2.1 bundle (OASIS' ``stix2``) and a MISP event (MISP core format,
built with ``pymisp`` without a server). Both carry each indicator's TLP 2.0 level; what goes in is
decided by the caller (aftercare.selectors), the export only writes.

TLP 2.0 in STIX 2.1: the marking definitions OASIS published (cti-stix-common-objects,
extension-definition-specifications/tlp-2.0) with their fixed ids, included in the bundle.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable

import stix2
from django.utils import timezone
from pymisp import MISPAttribute, MISPEvent

from .models import Indicator, IndicatorKind, Tlp

TLP2_EXTENSION = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
TLP2_CREATED = "2022-10-01T00:00:00.000Z"
TLP2_IDS = {
    Tlp.CLEAR: ("marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487", "clear"),
    Tlp.GREEN: ("marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb", "green"),
    Tlp.AMBER: ("marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421", "amber"),
    Tlp.AMBER_STRICT: ("marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003", "amber+strict"),
    Tlp.RED: ("marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1", "red"),
}
#: Most open first: an export as a whole carries the most restrictive level of what it contains.
TLP_ORDER = [Tlp.CLEAR, Tlp.GREEN, Tlp.AMBER, Tlp.AMBER_STRICT, Tlp.RED]
#: A fixed identity for the portal as the producer (uuid5 of its name, so it is the same in every export).
PRODUCER_ID = "identity--" + str(uuid.uuid5(uuid.NAMESPACE_URL, "https://digi-sos.nrw/"))
PRODUCER_NAME = "Digi-SOS NRW"


def _marking(tlp: str) -> stix2.MarkingDefinition:
    marking_id, level = TLP2_IDS[tlp]
    return stix2.MarkingDefinition(
        id=marking_id,
        created=TLP2_CREATED,
        name=f"TLP:{level.upper()}",
        extensions={TLP2_EXTENSION: {"extension_type": "property-extension", "tlp_2_0": level}},
    )


def _quote(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def stix_pattern(indicator: Indicator) -> str:
    value = _quote(indicator.value)
    kind = indicator.kind
    if kind == IndicatorKind.IP:
        return f"[{'ipv6-addr' if ':' in indicator.value else 'ipv4-addr'}:value = {value}]"
    return {
        IndicatorKind.DOMAIN: f"[domain-name:value = {value}]",
        IndicatorKind.URL: f"[url:value = {value}]",
        IndicatorKind.MD5: f"[file:hashes.MD5 = {value}]",
        IndicatorKind.SHA1: f"[file:hashes.'SHA-1' = {value}]",
        IndicatorKind.SHA256: f"[file:hashes.'SHA-256' = {value}]",
        IndicatorKind.EMAIL: f"[email-message:from_ref.value = {value}]",
    }[kind]


def most_restrictive(levels: Iterable[str]) -> str:
    levels = list(levels)
    return max(levels, key=TLP_ORDER.index) if levels else Tlp.CLEAR


def stix_bundle(indicators: Iterable[Indicator], *, title: str) -> str:
    """A STIX 2.1 bundle: the producer, the TLP 2.0 marking definitions used, one indicator per row."""
    rows = list(indicators)
    producer = stix2.Identity(id=PRODUCER_ID, name=PRODUCER_NAME, identity_class="organization")
    objects: list = [producer, *(_marking(tlp) for tlp in TLP_ORDER if any(i.tlp == tlp for i in rows))]
    for row in rows:
        valid_from = row.first_seen or row.created_at
        kwargs = {}
        if row.last_seen and row.last_seen > valid_from:
            kwargs["valid_until"] = row.last_seen
        objects.append(
            stix2.Indicator(
                id="indicator--" + str(row.public_id),
                created=row.created_at,
                modified=max(row.updated_at, row.created_at),
                name=f"{row.get_kind_display()}: {row.value}"[:250],
                description=row.description or title,
                indicator_types=["malicious-activity"],
                pattern=stix_pattern(row),
                pattern_type="stix",
                valid_from=valid_from,
                created_by_ref=PRODUCER_ID,
                object_marking_refs=[TLP2_IDS[row.tlp][0]],
                labels=[f"digisos-incident-{row.incident_id}"],
                **kwargs,
            )
        )
    return stix2.Bundle(objects=objects, allow_custom=False).serialize(pretty=True)


MISP_TYPES = {
    IndicatorKind.IP: "ip-dst",
    IndicatorKind.DOMAIN: "domain",
    IndicatorKind.URL: "url",
    IndicatorKind.MD5: "md5",
    IndicatorKind.SHA1: "sha1",
    IndicatorKind.SHA256: "sha256",
    IndicatorKind.EMAIL: "email-src",
}
MISP_CATEGORY = {
    IndicatorKind.IP: "Network activity",
    IndicatorKind.DOMAIN: "Network activity",
    IndicatorKind.URL: "Network activity",
    IndicatorKind.MD5: "Payload delivery",
    IndicatorKind.SHA1: "Payload delivery",
    IndicatorKind.SHA256: "Payload delivery",
    IndicatorKind.EMAIL: "Payload delivery",
}


def misp_tag(tlp: str) -> str:
    return f"tlp:{TLP2_IDS[tlp][1]}"


def misp_event(indicators: Iterable[Indicator], *, title: str, event_uuid: uuid.UUID | None = None) -> str:
    """A MISP event (core format JSON): one attribute per indicator with its TLP tag; the event is
    tagged with the most restrictive level of its attributes and shared with "this community only"."""
    rows = list(indicators)
    event = MISPEvent()
    event.info = title[:250]
    event.uuid = str(event_uuid or uuid.uuid4())
    event.distribution = 1  # this community only
    event.threat_level_id = 2  # medium: the receiving CERT grades
    event.analysis = 1  # ongoing
    event.date = timezone.localdate()
    event.add_tag(misp_tag(most_restrictive(row.tlp for row in rows)))
    for row in rows:
        attribute = MISPAttribute()
        attribute.from_dict(
            type=MISP_TYPES[row.kind],
            category=MISP_CATEGORY[row.kind],
            value=row.value,
            to_ids=True,
            comment=row.description[:250],
            uuid=str(row.public_id),
            distribution=5,  # inherit the event's
        )
        if row.first_seen:
            attribute.first_seen = row.first_seen
        if row.last_seen:
            attribute.last_seen = row.last_seen
        attribute.add_tag(misp_tag(row.tlp))
        event.add_attribute(**attribute.to_dict())
    return json.dumps(json.loads(event.to_json()), indent=2, ensure_ascii=False)
