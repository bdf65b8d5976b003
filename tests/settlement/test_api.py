"""/api/v1/calloffs/{id}/statements/ and /api/v1/statements/{id}/: scoped to the assigned provider
(any other provider, an unknown id: 404), problem+json, idempotency keys, schema."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from settlement import services
from settlement.models import Statement

pytestmark = pytest.mark.django_db


def period(days=10):
    return {
        "period_start": str(timezone.localdate() - timedelta(days=days)),
        "period_end": str(timezone.localdate()),
    }


def test_the_provider_submits_lists_and_reads_a_statement(work, api):
    w = work()
    entry = w.add(2, hours="8")
    response = api(0).post(
        f"/api/v1/calloffs/{w.calloff.public_id}/statements/",
        {**period(), "night_hours": {str(entry.public_id): "2"}, "onsite": [str(entry.public_id)]},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["state"] == "submitted"
    assert body["net_total"] == "2000.00" and body["gross_total"] == "2380.00"
    assert body["calloff"] == {"id": str(w.calloff.public_id), "number": w.calloff.number}
    assert body["items"][0]["time_entry"] == str(entry.public_id)
    assert body["items"][0]["night_hours"] == "2.00" and body["items"][0]["onsite"] is True
    assert body["lines"][0] == {
        "position": 1,
        "kind": "work",
        "date": entry.date.isoformat(),
        "description": "Lead Incident Handler",
        "quantity": "8.00",
        "unit": "HUR",
        "unit_price": "250.00",
        "percent": None,
        "amount": "2000.00",
    }
    listed = api(0).get(f"/api/v1/calloffs/{w.calloff.public_id}/statements/")
    assert listed.status_code == 200 and [s["id"] for s in listed.json()] == [body["id"]]
    detail = api(0).get(f"/api/v1/statements/{body['id']}/")
    assert detail.status_code == 200 and detail.json()["submitted_at"].endswith("Z")


def test_another_provider_gets_404_everywhere(work, api):
    w = work()
    w.add(1)
    statement = services.statement_submit(
        calloff=w.calloff,
        provider=w.provider,
        actor=w.staff,
        period_start=timezone.localdate() - timedelta(days=5),
        period_end=timezone.localdate(),
    )
    other = api(1)
    for response in (
        other.get(f"/api/v1/calloffs/{w.calloff.public_id}/statements/"),
        other.post(f"/api/v1/calloffs/{w.calloff.public_id}/statements/", period(), format="json"),
        other.get(f"/api/v1/statements/{statement.public_id}/"),
        other.post(f"/api/v1/statements/{statement.public_id}/answer/", {"answers": {}}, format="json"),
        api(0).get(f"/api/v1/statements/{uuid.uuid4()}/"),
        api(0).get("/api/v1/statements/not-a-uuid/"),
    ):
        assert response.status_code == 404, response.content
        assert response["Content-Type"].startswith("application/problem+json")
        assert statement.number not in response.content.decode()
    assert api(None).get(f"/api/v1/statements/{statement.public_id}/").status_code == 401


def test_bad_input_is_a_problem_not_a_500(work, api):
    w = work()
    w.add(1)
    base = f"/api/v1/calloffs/{w.calloff.public_id}/statements/"
    for payload in (
        {},
        {"period_start": "0001-01-01", "period_end": "2026-01-01"},
        {**period(), "night_hours": {"x": "99"}},
        {**period(), "onsite": ["nope"]},
        {"period_start": str(timezone.localdate()), "period_end": str(timezone.localdate() - timedelta(days=3))},
    ):
        response = api(0).post(base, payload, format="json")
        assert response.status_code == 400, (payload, response.content)
        assert response["Content-Type"].startswith("application/problem+json")
    # nothing to bill in a period before the work → 400 with the German message
    late = period(days=10) | {"period_end": str(timezone.localdate() - timedelta(days=5))}
    response = api(0).post(base, late, format="json")
    assert response.status_code == 400
    assert not Statement.objects.exists()


def test_a_drill_is_a_conflict(work, api):
    from calloffs.models import CallOff

    w = work()
    w.add(1)
    CallOff.objects.filter(pk=w.calloff.pk).update(is_drill=True)
    response = api(0).post(f"/api/v1/calloffs/{w.calloff.public_id}/statements/", period(), format="json")
    assert response.status_code == 409
    assert response["Content-Type"].startswith("application/problem+json")


def test_an_idempotency_key_replays_the_submission(work, api):
    w = work()
    w.add(1)
    client = api(0)
    url = f"/api/v1/calloffs/{w.calloff.public_id}/statements/"
    first = client.post(url, period(), format="json", HTTP_IDEMPOTENCY_KEY="stmt-1")
    second = client.post(url, period(), format="json", HTTP_IDEMPOTENCY_KEY="stmt-1")
    assert first.status_code == second.status_code == 201
    assert second["Idempotent-Replayed"] == "true"
    assert first.content == second.content
    assert Statement.objects.count() == 1


def test_the_provider_answers_a_dispute(work, api, alice):
    w = work()
    entry = w.add(1, hours="6")
    statement = services.statement_submit(
        calloff=w.calloff,
        provider=w.provider,
        actor=w.staff,
        period_start=timezone.localdate() - timedelta(days=5),
        period_end=timezone.localdate(),
    )
    url = f"/api/v1/statements/{statement.public_id}/answer/"
    answer = {"answers": {str(entry.public_id): {"action": "correct", "hours": "5", "note": "Pause abgezogen"}}}
    early = api(0).post(url, answer, format="json")
    assert early.status_code == 409  # not disputed
    services.statement_dispute(statement=statement, actor=alice, reasons={str(entry.public_id): "Pause"})
    response = api(0).post(url, answer, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "corrected" and response.json()["net_total"] == "1250.00"


def test_the_schema_documents_the_statement_endpoints(api):
    response = api(None).get("/api/v1/schema/", HTTP_ACCEPT="application/json")
    paths = response.json()["paths"] if response["Content-Type"].startswith("application/json") else None
    if paths is None:
        import yaml

        paths = yaml.safe_load(response.content)["paths"]
    assert "/api/v1/calloffs/{id}/statements/" in paths
    assert set(paths["/api/v1/calloffs/{id}/statements/"]) >= {"get", "post"}
    assert "/api/v1/statements/{id}/" in paths
    assert "/api/v1/statements/{id}/answer/" in paths
