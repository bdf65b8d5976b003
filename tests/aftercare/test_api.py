"""/api/v1/calloffs/{id}/findings/ and /indicators/: the accepting provider lists, creates, reads and
changes; every other key gets 404 problems; bad input is a 400 problem; POST honours Idempotency-Key."""

import pytest

from aftercare.models import Finding, Indicator
from tests.aftercare.conftest import FINDING, SHA256

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


def base(calloff, what):
    return f"/api/v1/calloffs/{calloff.public_id}/{what}/"


def test_the_accepting_provider_works_its_findings(api, engaged):
    client = api(0)
    response = client.post(base(engaged, "findings"), FINDING, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["severity"] == "critical" and body["created_at"].endswith("Z")
    finding_url = base(engaged, "findings") + body["id"] + "/"
    assert client.get(finding_url).json()["title"] == FINDING["title"]
    listing = client.get(base(engaged, "findings")).json()
    assert [row["id"] for row in listing["results"]] == [body["id"]]
    vector = "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"
    response = client.patch(finding_url, {"cvss_vector": vector, "root_cause": True}, format="json")
    assert response.status_code == 200, response.content
    assert (response.json()["cvss_score"], response.json()["severity"]) == ("9.3", "critical")
    assert Finding.objects.get().root_cause


def test_the_accepting_provider_works_its_indicators(api, engaged):
    client = api(0)
    response = client.post(
        base(engaged, "indicators"),
        {"kind": "sha256", "value": SHA256.upper(), "tlp": "green", "first_seen": "2026-11-30T08:00:00+01:00"},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["value"], body["first_seen"]) == (SHA256, "2026-11-30T07:00:00Z")
    url = base(engaged, "indicators") + body["id"] + "/"
    response = client.patch(url, {"tlp": "red"}, format="json")
    assert response.status_code == 200 and response.json()["tlp"] == "red"
    response = client.patch(url, {"value": "1" * 64}, format="json")  # not a field of the update: ignored
    assert Indicator.objects.get().value == SHA256


@pytest.mark.parametrize(
    "what,data,field",
    [
        ("findings", {**FINDING, "severity": "apocalyptic"}, "severity"),
        ("findings", {**FINDING, "category": "unpatched"}, "cve_id"),
        ("findings", {**FINDING, "cvss_vector": "CVSS:3.1/AV:Q"}, "cvss_vector"),
        ("findings", {**FINDING, "title": ""}, "title"),
        ("indicators", {"kind": "md5", "value": "abc"}, "value"),
        ("indicators", {"kind": "ip", "value": "203.0.113.7", "tlp": "purple"}, "tlp"),
        ("indicators", {"kind": "ip", "value": "203.0.113.7", "first_seen": "0001-01-01T00:00:00Z"}, "first_seen"),
        (
            "indicators",
            {
                "kind": "ip",
                "value": "203.0.113.7",
                "first_seen": "2026-11-30T08:00:00Z",
                "last_seen": "2026-11-29T08:00:00Z",
            },
            "last_seen",
        ),
    ],
)
def test_bad_input_is_a_problem_naming_the_field(api, engaged, what, data, field):
    response = api(0).post(base(engaged, what), data, format="json")
    assert response.status_code == 400 and response["Content-Type"] == PROBLEM
    assert field in response.json()["errors"], response.json()


def test_it_checks_ownership(api, engaged, drive, p1):
    """Another provider's key, and P1's key on a call-off only offered to it: 404 on every path."""
    from aftercare import services

    finding = services.finding_create(calloff=engaged, actor=p1, **FINDING)
    indicator = services.indicator_create(calloff=engaged, actor=p1, kind="sha256", value=SHA256)
    offered = drive("offered")
    paths = [
        ("get", base(engaged, "findings")),
        ("post", base(engaged, "findings")),
        ("get", base(engaged, "findings") + f"{finding.public_id}/"),
        ("patch", base(engaged, "findings") + f"{finding.public_id}/"),
        ("get", base(engaged, "indicators")),
        ("post", base(engaged, "indicators")),
        ("get", base(engaged, "indicators") + f"{indicator.public_id}/"),
        ("patch", base(engaged, "indicators") + f"{indicator.public_id}/"),
    ]
    other = api(1)
    for method, url in paths:
        response = getattr(other, method)(url, {"title": "x"}, format="json")
        assert response.status_code == 404 and response["Content-Type"] == PROBLEM, (method, url)
        assert SHA256 not in response.content.decode() and FINDING["title"] not in response.content.decode()
    for what in ("findings", "indicators"):
        assert api(0).get(base(offered, what)).status_code == 404
        assert api(0).get(base(engaged, what) + "kein-uuid/").status_code == 404
    assert api(None).get(base(engaged, "findings")).status_code == 401
    assert Finding.objects.get().title == FINDING["title"]


def test_undeclared_methods_are_405_with_allow(api, engaged):
    response = api(0).delete(base(engaged, "findings"))
    assert response.status_code == 405 and set(response["Allow"].replace(" ", "").split(",")) == {"GET", "POST", "HEAD"}
    response = api(0).put(base(engaged, "indicators") + "00000000-0000-0000-0000-000000000000/", {}, format="json")
    assert response.status_code == 405 and set(response["Allow"].replace(" ", "").split(",")) == {
        "GET",
        "PATCH",
        "HEAD",
    }


def test_post_honours_the_idempotency_key(api, engaged):
    client = api(0)
    headers = {"HTTP_IDEMPOTENCY_KEY": "ioc-1"}
    data = {"kind": "domain", "value": "evil.example"}
    first = client.post(base(engaged, "indicators"), data, format="json", **headers)
    again = client.post(base(engaged, "indicators"), data, format="json", **headers)
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true" and again.content == first.content
    assert Indicator.objects.count() == 1
    other = client.post(base(engaged, "indicators"), {**data, "value": "other.example"}, format="json", **headers)
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"
