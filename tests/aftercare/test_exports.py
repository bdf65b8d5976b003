"""Exports: the STIX 2.1 bundle parses back with stix2, the MISP event loads with pymisp; TLP honoured
(RED and AMBER+STRICT never in an export across bodies or one the ministry takes); audited; scoped."""

import json

import pytest
import stix2
from django.urls import reverse
from pymisp import MISPEvent

from aftercare import services
from aftercare.exports import TLP2_IDS
from incidents import services as incident_services
from tenants.models import AuditEntry
from tests.aftercare.conftest import SHA256

pytestmark = pytest.mark.django_db

URL_WITH_QUOTE = "https://evil.example/o'reilly\\x?a=1"


@pytest.fixture
def recorded(engaged, engaged_b, p1):
    rows = {
        "sha256": services.indicator_create(calloff=engaged, actor=p1, kind="sha256", value=SHA256, tlp="green"),
        "ip6": services.indicator_create(calloff=engaged, actor=p1, kind="ip", value="2001:db8::7", tlp="clear"),
        "url": services.indicator_create(calloff=engaged, actor=p1, kind="url", value=URL_WITH_QUOTE, tlp="amber"),
        "mail": services.indicator_create(
            calloff=engaged, actor=p1, kind="email", value="rg@evil.example", tlp="amber"
        ),
        "strict": services.indicator_create(
            calloff=engaged, actor=p1, kind="md5", value="d41d8cd98f00b204e9800998ecf8427e", tlp="amber_strict"
        ),
        "red": services.indicator_create(calloff=engaged, actor=p1, kind="domain", value="geheim.example", tlp="red"),
        "b": services.indicator_create(calloff=engaged_b, actor=p1, kind="ip", value="198.51.100.9", tlp="green"),
    }
    return rows


def _get(client, name, **kwargs):
    return client.get(reverse(f"aftercare:{name}", kwargs=kwargs))


def _stix(response):
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("application/stix+json")
    bundle = stix2.parse(response.content.decode(), allow_custom=False)
    return {o.pattern: o for o in bundle.objects if o.type == "indicator"}, bundle


def _misp(response):
    assert response.status_code == 200
    event = MISPEvent()
    event.load(response.content.decode())
    return {a.value: a for a in event.attributes}, event


def test_the_body_exports_all_of_its_incident_as_stix(client_for, alice, engaged, recorded):
    patterns, bundle = _stix(
        _get(client_for(alice), "incident_export", public_id=engaged.incident.public_id, fmt="stix")
    )
    assert f"[file:hashes.'SHA-256' = '{SHA256}']" in patterns
    assert "[ipv6-addr:value = '2001:db8::7']" in patterns
    assert "[url:value = 'https://evil.example/o\\'reilly\\\\x?a=1']" in patterns
    assert "[email-message:from_ref.value = 'rg@evil.example']" in patterns
    assert "[domain-name:value = 'geheim.example']" in patterns  # the body is a party: its RED is its own
    assert "198.51.100.9" not in json.dumps(json.loads(bundle.serialize()))  # another body's incident
    sha = patterns[f"[file:hashes.'SHA-256' = '{SHA256}']"]
    assert sha.object_marking_refs == [TLP2_IDS["green"][0]]
    markings = {o.id: o for o in bundle.objects if o.type == "marking-definition"}
    assert markings[TLP2_IDS["red"][0]].name == "TLP:RED"
    entry = AuditEntry.objects.get(action="indicators.exported")
    assert entry.details["count"] == 6 and entry.details["format"] == "stix"


def test_the_body_exports_a_misp_event(client_for, alice, p1, engaged, recorded):
    attributes, event = _misp(_get(client_for(p1), "incident_export", public_id=engaged.incident.public_id, fmt="misp"))
    assert attributes[SHA256].type == "sha256" and attributes["2001:db8::7"].type == "ip-dst"
    assert attributes["rg@evil.example"].type == "email-src" and attributes[URL_WITH_QUOTE].type == "url"
    assert [t.name for t in attributes[SHA256].tags] == ["tlp:green"]
    assert [t.name for t in attributes["d41d8cd98f00b204e9800998ecf8427e"].tags] == ["tlp:amber+strict"]
    assert [t.name for t in event.tags] == ["tlp:red"]  # the event as a whole: its most restrictive level


def test_red_is_never_in_the_ministry_wide_export(client_for, ministry, recorded):
    for fmt in ("stix", "misp"):
        response = _get(client_for(ministry), "nrw_export", fmt=fmt)
        text = response.content.decode()
        assert "geheim.example" not in text and "d41d8cd98f00b204e9800998ecf8427e" not in text
        assert SHA256 in text and "198.51.100.9" in text  # both bodies: NRW-wide
    patterns, bundle = _stix(_get(client_for(ministry), "nrw_export", fmt="stix"))
    assert len(patterns) == 5
    assert TLP2_IDS["red"][0] not in bundle.serialize()
    attributes, event = _misp(_get(client_for(ministry), "nrw_export", fmt="misp"))
    assert len(attributes) == 5 and [t.name for t in event.tags] == ["tlp:amber"]


def test_the_ministry_takes_no_red_from_an_incident_either(client_for, ministry, engaged, recorded):
    text = _get(client_for(ministry), "incident_export", public_id=engaged.incident.public_id, fmt="stix").content
    assert b"geheim.example" not in text and b"d41d8cd98f00b204e9800998ecf8427e" not in text and SHA256.encode() in text


def test_major_incident_export(client_for, ministry, alice, org_a, org_b, engaged, engaged_b, recorded):
    from incidents.models import Category

    major = incident_services.major_incident_declare(actor=ministry, title="Lage Südwestfalen")
    incident_services.major_incident_link(major=major, actor=ministry, organisations=[org_a], category=Category.OTHER)
    engaged.incident.refresh_from_db()
    if engaged.incident.major_incident_id != major.pk:  # linking opens an incident per body; attach ours
        from incidents.models import Incident

        Incident.objects.filter(pk=engaged.incident_id).update(major_incident=major)
    patterns, _bundle = _stix(_get(client_for(ministry), "major_export", public_id=major.public_id, fmt="stix"))
    text = " ".join(patterns)
    assert SHA256 in text and "geheim.example" not in text and "198.51.100.9" not in text
    assert _get(client_for(alice), "major_export", public_id=major.public_id, fmt="stix").status_code == 404


def test_exports_are_scoped(client_for, charlie, p2, alice, engaged, recorded):
    for user in (charlie, p2):
        response = _get(client_for(user), "incident_export", public_id=engaged.incident.public_id, fmt="stix")
        assert response.status_code == 404
    for user in (alice, charlie, p2):
        assert _get(client_for(user), "nrw_export", fmt="stix").status_code == 404
        assert _get(client_for(user), "matches").status_code == 404
    response = _get(client_for(alice), "incident_export", public_id=engaged.incident.public_id, fmt="csv")
    assert response.status_code == 404


def test_the_ministry_lists_indicators_seen_at_several_bodies(client_for, ministry, engaged, engaged_b, p1):
    services.indicator_create(calloff=engaged, actor=p1, kind="sha256", value=SHA256, tlp="amber")
    services.indicator_create(calloff=engaged_b, actor=p1, kind="sha256", value=SHA256, tlp="green")
    services.indicator_create(calloff=engaged_b, actor=p1, kind="domain", value="nur-b.example", tlp="green")
    body = _get(client_for(ministry), "matches").content.decode()
    assert SHA256 in body and "Stadt A, Stadt B" in body and "nur-b.example" not in body
