"""/api/v1/calloffs/{id}/measures/: the accepting provider lists, records, changes and verifies; every
other key gets 404 problems; bad input is a 400 problem, a wrong state a 409 problem; POST honours
Idempotency-Key; no names of the body's people in the answers."""

import pytest

from aftercare import services
from aftercare.models import Measure, MeasureState
from aftercare.remediation import services as remediation
from tests.aftercare.conftest import FINDING

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


def base(calloff):
    return f"/api/v1/calloffs/{calloff.public_id}/measures/"


@pytest.fixture
def finding(engaged, p1):
    return services.finding_create(calloff=engaged, actor=p1, **FINDING)


@pytest.fixture
def measure(finding):
    return Measure.objects.get(finding=finding)


def test_the_accepting_provider_works_the_measures(api, engaged, finding, measure, body_admin, bob):
    remediation.measure_assign(measure=measure, actor=body_admin, owner_kind="body", owner=bob)
    client = api(0)
    listing = client.get(base(engaged)).json()
    assert [row["id"] for row in listing["results"]] == [str(measure.public_id)]
    row = listing["results"][0]
    assert (row["finding"], row["severity"], row["state"], row["owner_assigned"]) == (
        str(finding.public_id),
        "critical",
        "open",
        True,
    )
    assert row["due_date"] == measure.due_date.isoformat() and row["created_at"].endswith("Z")
    assert "bob" not in str(listing)  # who at the body is responsible is not the provider's business
    response = client.post(
        base(engaged),
        {"finding": str(finding.public_id), "title": "Alte VPN-Konten löschen", "required_for_reconnection": True},
        format="json",
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["required_for_reconnection"] and created["state"] == "open"
    url = base(engaged) + created["id"] + "/"
    response = client.patch(url, {"title": "VPN-Altkonten löschen"}, format="json")
    assert response.status_code == 200 and client.get(url).json()["title"] == "VPN-Altkonten löschen"


def test_verify_and_send_back(api, engaged, measure, body_admin):
    client = api(0)
    url = base(engaged) + f"{measure.public_id}/verify/"
    response = client.post(url, {"result": "verified"}, format="json")
    assert response.status_code == 409 and response["Content-Type"] == PROBLEM
    assert response.json()["code"] == "transition_not_allowed"
    remediation.measure_done(measure=measure, actor=body_admin)
    response = client.post(url, {"result": "sent_back", "note": "zu kurz"}, format="json")
    assert response.status_code == 400 and "note" in response.json()["errors"]
    response = client.post(url, {"result": "sent_back", "note": "Zwei Konten ohne MFA gefunden."}, format="json")
    assert response.status_code == 200 and response.json()["state"] == "in_progress"
    assert response.json()["returned_reason"] == "Zwei Konten ohne MFA gefunden."
    remediation.measure_done(measure=measure, actor=body_admin)
    headers = {"HTTP_IDEMPOTENCY_KEY": "verify-1"}
    first = client.post(url, {"result": "verified", "note": "Retest ok."}, format="json", **headers)
    again = client.post(url, {"result": "verified", "note": "Retest ok."}, format="json", **headers)
    assert first.status_code == again.status_code == 200 and again["Idempotent-Replayed"] == "true"
    assert Measure.objects.get(pk=measure.pk).state == MeasureState.VERIFIED


@pytest.mark.parametrize(
    "data,field",
    [
        ({"title": "Ohne Befund"}, "finding"),
        ({"finding": "00000000-0000-0000-0000-000000000000", "title": "Unbekannter Befund"}, "finding"),
        ({"finding": "FINDING", "title": ""}, "title"),
        ({"finding": "FINDING", "title": "x" * 201}, "title"),
        ({"finding": "FINDING", "title": "Gut", "description": "x" * 5001}, "description"),
    ],
)
def test_bad_input_is_a_problem_naming_the_field(api, engaged, finding, data, field):
    if data.get("finding") == "FINDING":
        data = {**data, "finding": str(finding.public_id)}
    response = api(0).post(base(engaged), data, format="json")
    assert response.status_code == 400 and response["Content-Type"] == PROBLEM
    assert field in response.json()["errors"], response.json()
    assert Measure.objects.count() == 1


def test_it_checks_ownership(api, engaged, drive, measure):
    """Another provider's key, and P1's key on a call-off only offered to it: 404 on every path."""
    offered = drive("offered")
    item = base(engaged) + f"{measure.public_id}/"
    paths = [
        ("get", base(engaged)),
        ("post", base(engaged)),
        ("get", item),
        ("patch", item),
        ("post", item + "verify/"),
    ]
    other = api(1)
    for method, url in paths:
        response = getattr(other, method)(url, {"title": "x", "result": "verified"}, format="json")
        assert response.status_code == 404 and response["Content-Type"] == PROBLEM, (method, url)
        assert measure.title not in response.content.decode()
    assert api(0).get(base(offered)).status_code == 404
    assert api(0).get(base(engaged) + "kein-uuid/").status_code == 404
    assert api(None).get(base(engaged)).status_code == 401
    assert Measure.objects.get(pk=measure.pk).title == measure.title
