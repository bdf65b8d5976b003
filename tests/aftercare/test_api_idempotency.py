"""Idempotency-Key on creating findings, measures and indicators (as the call-off steps in
tests/api/test_auth_and_limits.py): the same key and body replay the first answer byte for byte and
create nothing twice; the same key with another body is 422 ``idempotency_key_reused``."""

import pytest

from aftercare import services
from aftercare.models import Finding, Indicator, Measure
from calloffs.models import IdempotencyRecord, IdempotencyState
from tests.aftercare.conftest import FINDING, SHA256

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


def base(calloff, what):
    return f"/api/v1/calloffs/{calloff.public_id}/{what}/"


@pytest.fixture
def finding(engaged, p1):
    return services.finding_create(calloff=engaged, actor=p1, **FINDING)


def _bodies(what, finding):
    """(first body, another body) of a create on ``what``."""
    if what == "findings":
        return FINDING, {**FINDING, "title": "Exchange-Server ohne Patch"}
    if what == "indicators":
        return {"kind": "sha256", "value": SHA256, "tlp": "amber"}, {"kind": "domain", "value": "evil.example"}
    return (
        {"finding": str(finding.public_id), "title": "Alte VPN-Konten löschen"},
        {"finding": str(finding.public_id), "title": "VPN-Protokolle auswerten"},
    )


MODELS = {"findings": Finding, "indicators": Indicator, "measures": Measure}


@pytest.mark.parametrize("what", ["findings", "measures", "indicators"])
def test_same_key_same_body_replays_and_creates_once(api, engaged, finding, what):
    model = MODELS[what]
    before = model.objects.count()
    first_body, _other = _bodies(what, finding)
    client = api(0)
    first = client.post(base(engaged, what), first_body, format="json", HTTP_IDEMPOTENCY_KEY=f"{what}-1")
    again = client.post(base(engaged, what), first_body, format="json", HTTP_IDEMPOTENCY_KEY=f"{what}-1")
    assert first.status_code == again.status_code == 201, first.content
    assert again["Idempotent-Replayed"] == "true" and not first.has_header("Idempotent-Replayed")
    assert again.content == first.content and again["Content-Type"] == first["Content-Type"]
    # A finding brings its measure: one finding more means one measure more, not two.
    assert model.objects.count() == before + 1
    if what == "findings":
        assert Measure.objects.filter(finding__public_id=first.json()["id"]).count() == 1
    assert IdempotencyRecord.objects.get(key=f"{what}-1").state == IdempotencyState.DONE
    # Without the key (or with a new one) the same body is a new request.
    fresh = client.post(base(engaged, what), _bodies(what, finding)[1], format="json", HTTP_IDEMPOTENCY_KEY=f"{what}-2")
    assert fresh.status_code == 201 and fresh.json()["id"] != first.json()["id"]


@pytest.mark.parametrize("what", ["findings", "measures", "indicators"])
def test_same_key_different_body_is_422(api, engaged, finding, what):
    model = MODELS[what]
    first_body, other_body = _bodies(what, finding)
    client = api(0)
    assert client.post(base(engaged, what), first_body, format="json", HTTP_IDEMPOTENCY_KEY="k").status_code == 201
    count = model.objects.count()
    response = client.post(base(engaged, what), other_body, format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert response.status_code == 422 and response["Content-Type"] == PROBLEM
    assert response.json()["code"] == "idempotency_key_reused"
    assert model.objects.count() == count


def test_a_refusal_is_replayed_too(api, engaged, finding):
    """A 400 problem (here: an unknown finding) is stored and replayed like a success."""
    body = {"finding": "00000000-0000-0000-0000-000000000000", "title": "Alte VPN-Konten löschen"}
    client = api(0)
    first = client.post(base(engaged, "measures"), body, format="json", HTTP_IDEMPOTENCY_KEY="bad")
    again = client.post(base(engaged, "measures"), body, format="json", HTTP_IDEMPOTENCY_KEY="bad")
    assert first.status_code == again.status_code == 400 and first["Content-Type"] == PROBLEM
    assert again["Idempotent-Replayed"] == "true" and again.content == first.content


def test_keys_belong_to_the_provider(api, engaged, finding, engaged_b_p2):
    """P2 using P1's key string on its own call-off is its own request, not P1's replay."""
    body = {"kind": "domain", "value": "evil.example"}
    first = api(0).post(base(engaged, "indicators"), body, format="json", HTTP_IDEMPOTENCY_KEY="shared")
    other = api(1).post(base(engaged_b_p2, "indicators"), body, format="json", HTTP_IDEMPOTENCY_KEY="shared")
    assert first.status_code == other.status_code == 201
    assert not other.has_header("Idempotent-Replayed") and other.json()["id"] != first.json()["id"]
    assert Indicator.objects.count() == 2
