"""API keys (401 without saying why, hashing, rotation, last use), Idempotency-Key, rate and
size limits, the problem+json shape, and the published schema and docs."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from calloffs.api.idempotency import KEEP, STALE_AFTER
from calloffs.api.views import CallOffViewSet
from calloffs.api.webhook_endpoints import WebhookEndpointViewSet
from calloffs.models import CallOffEvent, EventKind, IdempotencyRecord, IdempotencyState, ProviderApiKey
from calloffs.services.api_keys import api_key_create, api_key_revoke, api_key_rotate, hash_key
from tenants.models import AuditEntry
from tests.api.conftest import ACCEPT, url

pytestmark = pytest.mark.django_db


# --- Authentication -------------------------------------------------------------------------


def test_keys_are_stored_hashed_and_shown_once(setup, ministry):
    new = api_key_create(provider=setup.providers[0], actor=ministry, name="Jira")
    assert new.raw.startswith(new.key.prefix + "_") and len(new.raw) > 40
    stored = ProviderApiKey.objects.get(pk=new.key.pk)
    assert stored.hash == hash_key(new.raw) and new.raw not in str(stored.__dict__)
    assert AuditEntry.objects.filter(action="provider_api_key.created").exists()


def test_only_ministry_staff_create_keys(setup, alice):
    from calloffs.errors import NotPermitted

    with pytest.raises(NotPermitted):
        api_key_create(provider=setup.providers[0], actor=setup.staff[0])
    with pytest.raises(NotPermitted):
        api_key_create(provider=setup.providers[0], actor=alice)


@pytest.mark.parametrize("variant", ["missing", "wrong", "garbage", "basic", "revoked", "expired", "other_prefix"])
def test_it_requires_a_valid_key_without_saying_why(api, keys, setup, ministry, variant):
    key = ProviderApiKey.objects.get(hash=hash_key(keys[0]))
    header = f"Bearer {keys[0]}"
    if variant == "missing":
        header = None
    elif variant == "wrong":
        header = f"Bearer {keys[0][:-4]}AAAA"
    elif variant == "garbage":
        header = "Bearer kaputt"
    elif variant == "basic":
        header = "Basic dXNlcjpwYXNz"
    elif variant == "revoked":
        api_key_revoke(key=key, actor=ministry)
    elif variant == "expired":
        ProviderApiKey.objects.filter(pk=key.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    elif variant == "other_prefix":
        header = f"Bearer {keys[1].split('_')[0]}_{keys[1].split('_')[1]}_{keys[0].split('_', 2)[2]}"
    response = api(header).get(url())
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json() == {
        "type": "urn:digisos:problem:not_authenticated",
        "title": "Unauthorized",
        "status": 401,
        "detail": "Bitte mit einem gültigen API-Schlüssel anmelden (Authorization: Bearer …).",
        "code": "not_authenticated",
        "instance": "/api/v1/calloffs/",
    }


def test_a_portal_session_is_not_enough(client_for, setup, file_calloff):
    calloff = file_calloff()
    response = client_for(setup.staff[0]).get(url(calloff))
    assert response.status_code == 401


def test_last_use_is_recorded(api, keys, setup):
    key = ProviderApiKey.objects.get(hash=hash_key(keys[0]))
    assert key.last_used_at is None
    assert api(0).get(url()).status_code == 200
    key.refresh_from_db()
    assert key.last_used_at is not None


def test_rotation_keeps_two_keys_valid_until_the_grace_ends(api, keys, setup, ministry):
    old = ProviderApiKey.objects.get(hash=hash_key(keys[0]))
    new = api_key_rotate(key=old, actor=ministry, grace=timedelta(hours=1))
    assert api(0).get(url()).status_code == 200
    assert api(f"Bearer {new.raw}").get(url()).status_code == 200
    old.refresh_from_db()
    assert old.replaced_by == new.key and old.expires_at > timezone.now()
    ProviderApiKey.objects.filter(pk=old.pk).update(expires_at=timezone.now())
    assert api(0).get(url()).status_code == 401
    assert api(f"Bearer {new.raw}").get(url()).status_code == 200


def test_at_most_two_valid_keys(setup, ministry, keys):
    from calloffs.errors import TransitionNotAllowed

    api_key_create(provider=setup.providers[0], actor=ministry)
    with pytest.raises(TransitionNotAllowed):
        api_key_create(provider=setup.providers[0], actor=ministry)
    with pytest.raises(TransitionNotAllowed):
        api_key_rotate(key=ProviderApiKey.objects.get(hash=hash_key(keys[0])), actor=ministry)


def test_management_command_prints_only_the_key(setup):
    out = StringIO()
    call_command("create_provider_api_key", "P3", stdout=out)
    raw = out.getvalue().strip()
    assert "\n" not in raw and raw.startswith("dsk_")
    assert ProviderApiKey.objects.get(hash=hash_key(raw)).provider == setup.providers[2]
    out = StringIO()
    call_command("create_provider_api_key", str(setup.providers[1].public_id), "--name", "CI", stdout=out)
    assert ProviderApiKey.objects.get(hash=hash_key(out.getvalue().strip())).name == "CI"


def test_management_command_refuses_an_unknown_provider(setup):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("create_provider_api_key", "Niemand", stdout=StringIO())


# --- Idempotency ----------------------------------------------------------------------------


def test_same_key_same_body_replays_the_response(api, file_calloff, setup):
    calloff = file_calloff()
    first = api(0).post(url(calloff, "accept/"), ACCEPT, format="json", HTTP_IDEMPOTENCY_KEY="abc-1")
    # Key order and whitespace do not matter: the JSON is compared canonically.
    again = api(0).post(
        url(calloff, "accept/"),
        '{ "lead_phone": "+49 211 5550110",  "lead_name": "Jana Keller" }',
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="abc-1",
    )
    assert first.status_code == again.status_code == 200
    assert again["Idempotent-Replayed"] == "true" and not first.has_header("Idempotent-Replayed")
    assert again.content == first.content  # byte for byte (a jsonb column reordered the keys)
    assert again["Content-Type"] == first["Content-Type"]
    assert CallOffEvent.objects.filter(calloff=calloff, kind=EventKind.ACCEPTED).count() == 1
    record = IdempotencyRecord.objects.get(key="abc-1")
    assert record.state == IdempotencyState.DONE and record.expires_at - record.created_at >= timedelta(days=7)


def test_an_error_is_replayed_too(api, file_calloff, setup):
    calloff = file_calloff()
    api(0).post(url(calloff, "accept/"), ACCEPT, format="json")
    first = api(0).post(url(calloff, "accept/"), ACCEPT, format="json", HTTP_IDEMPOTENCY_KEY="e1")
    again = api(0).post(url(calloff, "accept/"), ACCEPT, format="json", HTTP_IDEMPOTENCY_KEY="e1")
    assert first.status_code == again.status_code == 409
    assert again["Content-Type"] == "application/problem+json" and again["Idempotent-Replayed"] == "true"
    assert again.content == first.content


def test_same_key_different_body_is_422(api, file_calloff, setup):
    calloff = file_calloff()
    assert api(0).post(url(calloff, "accept/"), ACCEPT, format="json", HTTP_IDEMPOTENCY_KEY="k").status_code == 200
    response = api(0).post(
        url(calloff, "accept/"), {**ACCEPT, "lead_name": "Other"}, format="json", HTTP_IDEMPOTENCY_KEY="k"
    )
    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    other_path = api(0).post(url(calloff, "complete/"), {"summary": "x"}, format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert other_path.status_code == 422


def test_same_key_while_running_is_409(api, keys, file_calloff, setup):
    calloff = file_calloff()
    key = ProviderApiKey.objects.get(hash=hash_key(keys[0]))
    IdempotencyRecord.objects.create(
        provider=key.provider,
        api_key=key,
        key="busy",
        method="POST",
        path=url(calloff, "accept/"),
        fingerprint="x",
        state=IdempotencyState.IN_PROGRESS,
        expires_at=timezone.now() + KEEP,
    )
    response = api(0).post(url(calloff, "accept/"), ACCEPT, format="json", HTTP_IDEMPOTENCY_KEY="busy")
    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_in_progress"
    assert calloff.offers.get().state == "open"  # nothing was executed


def test_an_abandoned_or_expired_key_is_taken_over(api, keys, file_calloff, setup):
    calloff = file_calloff()
    key = ProviderApiKey.objects.get(hash=hash_key(keys[0]))
    IdempotencyRecord.objects.create(
        provider=key.provider,
        api_key=key,
        key="stale",
        method="POST",
        path="/elsewhere/",
        fingerprint="x",
        created_at=timezone.now() - STALE_AFTER - timedelta(seconds=1),
        expires_at=timezone.now() + KEEP,
    )
    response = api(0).post(url(calloff, "accept/"), ACCEPT, format="json", HTTP_IDEMPOTENCY_KEY="stale")
    assert response.status_code == 200
    assert IdempotencyRecord.objects.get(key="stale").state == IdempotencyState.DONE


def test_keys_are_scoped_to_the_provider(api, file_calloff, setup):
    mine, theirs = file_calloff(), file_calloff()
    services_decline = api(0).post(url(theirs, "decline/"), {"reason": "voll"}, format="json")
    assert services_decline.status_code == 200  # theirs is now offered to P2
    assert api(0).post(url(mine, "accept/"), ACCEPT, format="json", HTTP_IDEMPOTENCY_KEY="same").status_code == 200
    response = api(1).post(url(theirs, "accept/"), ACCEPT, format="json", HTTP_IDEMPOTENCY_KEY="same")
    assert response.status_code == 200 and not response.has_header("Idempotent-Replayed")


def test_a_bad_idempotency_key_is_400(api, file_calloff, setup):
    calloff = file_calloff()
    response = api(0).post(url(calloff, "accept/"), ACCEPT, format="json", HTTP_IDEMPOTENCY_KEY="x" * 256)
    assert response.status_code == 400 and response.json()["code"] == "invalid_idempotency_key"


def test_every_post_action_honours_idempotency_keys():
    posts = [
        name
        for name in dir(CallOffViewSet)
        if "post" in (getattr(getattr(CallOffViewSet, name, None), "mapping", None) or {})
    ]
    assert sorted(posts) == ["accept", "attachments", "complete", "decline", "time_entries", "updates"]
    for name in posts:
        assert getattr(getattr(CallOffViewSet, name), "idempotent", False), name
    assert WebhookEndpointViewSet.create.idempotent and WebhookEndpointViewSet.rotate_secret.idempotent


# --- Limits ---------------------------------------------------------------------------------


@override_settings(API_RATE_LIMIT="3/min")
def test_rate_limit_per_key(api, setup):
    client = api(0)
    for _ in range(3):
        assert client.get(url()).status_code == 200
    response = client.get(url())
    assert response.status_code == 429
    assert response.json()["code"] == "rate_limited"
    assert int(response["Retry-After"]) >= 1
    assert api(1).get(url()).status_code == 200  # another key has its own budget


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=2048)
def test_request_size_limit(api, file_calloff, setup):
    calloff = file_calloff()
    big = {**ACCEPT, "note": "x" * 4000}
    response = api(0).post(url(calloff, "accept/"), big, format="json")
    assert response.status_code == 413 and response.json()["code"] == "too_large"
    response = api(0).post(url(calloff, "accept/"), big, format="json", HTTP_IDEMPOTENCY_KEY="big")
    assert response.status_code == 413
    assert calloff.offers.get().state == "open"


def test_only_json_is_accepted(api, file_calloff, setup):
    calloff = file_calloff()
    response = api(0).post(url(calloff, "accept/"), "lead_name=x", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415 and response["Content-Type"] == "application/problem+json"
    response = api(0).post(url(calloff, "accept/"), "{kaputt", content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "parse_error"


# --- Schema and docs ------------------------------------------------------------------------


def test_schema_publishes_exactly_the_contract(client):
    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert sorted(schema["paths"]) == [
        "/api/v1/calloffs/",
        "/api/v1/calloffs/{id}/",
        "/api/v1/calloffs/{id}/accept/",
        "/api/v1/calloffs/{id}/attachments/",
        "/api/v1/calloffs/{id}/complete/",
        "/api/v1/calloffs/{id}/decline/",
        "/api/v1/calloffs/{id}/documents/{document_id}.pdf",
        "/api/v1/calloffs/{id}/findings/",
        "/api/v1/calloffs/{id}/findings/{item_id}/",
        "/api/v1/calloffs/{id}/findings/{item_id}/evidence/",
        "/api/v1/calloffs/{id}/findings/{item_id}/evidence/{evidence_id}/file/",
        "/api/v1/calloffs/{id}/indicators/",
        "/api/v1/calloffs/{id}/indicators/{item_id}/",
        "/api/v1/calloffs/{id}/measures/",
        "/api/v1/calloffs/{id}/measures/{item_id}/",
        "/api/v1/calloffs/{id}/measures/{item_id}/verify/",
        "/api/v1/calloffs/{id}/order.pdf",
        "/api/v1/calloffs/{id}/readiness-profile/",
        "/api/v1/calloffs/{id}/readiness-profile/network-overview/",
        "/api/v1/calloffs/{id}/statements/",
        "/api/v1/calloffs/{id}/time-entries/",
        "/api/v1/calloffs/{id}/updates/",
        "/api/v1/statements/{id}/",
        "/api/v1/statements/{id}/answer/",
        "/api/v1/statements/{id}/invoice.pdf",
        "/api/v1/statements/{id}/invoice/",
        "/api/v1/webhooks/",
        "/api/v1/webhooks/{id}/",
        "/api/v1/webhooks/{id}/rotate-secret/",
    ]
    accept = schema["paths"]["/api/v1/calloffs/{id}/accept/"]["post"]
    assert "application/problem+json" in accept["responses"]["409"]["content"]
    assert any(p["name"] == "Idempotency-Key" for p in accept["parameters"])
    assert schema["components"]["securitySchemes"]["providerApiKey"]["scheme"] == "bearer"
    profile = schema["paths"]["/api/v1/calloffs/{id}/readiness-profile/"]
    assert list(profile) == ["get"]  # read-only
    network = schema["paths"]["/api/v1/calloffs/{id}/readiness-profile/network-overview/"]
    assert list(network) == ["get"]  # read-only: the body uploads in the portal
    assert {"application/pdf", "image/png", "image/jpeg"} <= set(network["get"]["responses"]["200"]["content"])


def test_docs_are_served_from_local_assets(client):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
    assert "cdn" not in html.lower() and "https://" not in html


def test_expired_idempotency_keys_are_purged(api, file_calloff, setup):
    from calloffs.tasks.api_housekeeping import purge_idempotency_keys

    calloff = file_calloff()
    api(0).post(url(calloff, "accept/"), ACCEPT, format="json", HTTP_IDEMPOTENCY_KEY="old")
    api(0).post(url(calloff, "complete/"), {"summary": "x"}, format="json", HTTP_IDEMPOTENCY_KEY="new")
    IdempotencyRecord.objects.filter(key="old").update(expires_at=timezone.now())
    assert purge_idempotency_keys() == 1
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["new"]


def test_a_key_whose_account_lost_its_provider_role_sees_and_does_nothing(api, keys, file_calloff, setup):
    """The request's scopes are primed from the key; the membership is read with it, so taking the
    API account off the provider's staff cuts the key off at once (no stale grant)."""
    from calloffs.models import ProviderMembership

    calloff = file_calloff()  # offered to P1
    assert api(0).get(url(calloff)).status_code == 200
    key = ProviderApiKey.objects.get(provider=setup.providers[0])
    ProviderMembership.objects.filter(user=key.account, provider=setup.providers[0]).delete()

    assert api(0).get(url()).json()["results"] == []
    assert api(0).get(url(calloff)).status_code == 404
    assert api(0).post(url(calloff, "accept/"), ACCEPT, format="json").status_code == 404
    calloff.refresh_from_db()
    assert calloff.state == "offered"


def test_a_request_refused_before_any_view_is_a_problem_in_the_api_and_a_german_page_in_the_portal(client):
    # Django refuses a forged Host header (DisallowedHost) before the URL conf is consulted.
    response = client.get("/api/v1/calloffs/", HTTP_HOST="r$U9")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "bad_request" and response.json()["status"] == 400

    response = client.get("/abrufe/", HTTP_HOST="r$U9")
    assert response.status_code == 400
    assert "Ungültige Anfrage" in response.content.decode()
