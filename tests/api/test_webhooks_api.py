"""Provider staff manage their webhook endpoint through the API: register (secret shown once),
change, rotate the secret; only their own endpoints (another provider's → 404)."""

import pytest

from notifications.models import WebhookEndpoint

pytestmark = pytest.mark.django_db

URL = "https://1.1.1.1/hook"


def test_register_list_update_and_rotate(api, setup):
    response = api(0).post("/api/v1/webhooks/", {"url": URL, "description": "Jira"}, format="json")
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["secret"].startswith("whsec_") and created["url"] == URL
    endpoint = WebhookEndpoint.objects.get(public_id=created["id"])
    assert endpoint.owner == setup.providers[0]

    listed = api(0).get("/api/v1/webhooks/").json()
    assert [e["id"] for e in listed] == [created["id"]] and "secret" not in listed[0]
    assert "secret" not in api(0).get(f"/api/v1/webhooks/{created['id']}/").json()

    patched = api(0).patch(f"/api/v1/webhooks/{created['id']}/", {"active": False}, format="json")
    assert patched.status_code == 200 and patched.json()["active"] is False

    rotated = api(0).post(f"/api/v1/webhooks/{created['id']}/rotate-secret/", format="json")
    assert rotated.status_code == 200
    endpoint.refresh_from_db()
    assert rotated.json()["secret"] == endpoint.secret != created["secret"]
    assert endpoint.previous_secret == created["secret"] and rotated.json()["previous_secret_valid_until"]


def test_it_checks_ownership(api, setup):
    created = api(0).post("/api/v1/webhooks/", {"url": URL}, format="json").json()
    assert api(1).get("/api/v1/webhooks/").json() == []
    for method, path in (
        ("get", f"/api/v1/webhooks/{created['id']}/"),
        ("patch", f"/api/v1/webhooks/{created['id']}/"),
        ("post", f"/api/v1/webhooks/{created['id']}/rotate-secret/"),
    ):
        response = getattr(api(1), method)(path, {"url": URL}, format="json")
        assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert WebhookEndpoint.objects.get(public_id=created["id"]).url == URL


def test_unsafe_urls_are_refused(api, setup):
    for url in ("http://1.1.1.1/hook", "https://127.0.0.1/hook", "ftp://x"):
        response = api(0).post("/api/v1/webhooks/", {"url": url}, format="json")
        assert response.status_code == 400 and "url" in response.json()["errors"], url
    assert not WebhookEndpoint.objects.exists()


def test_no_key_no_webhooks(api, setup):
    assert api(None).get("/api/v1/webhooks/").status_code == 401
