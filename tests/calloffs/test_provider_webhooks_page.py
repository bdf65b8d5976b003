import pytest
from django.urls import reverse

from notifications.models import WebhookEndpoint

pytestmark = pytest.mark.django_db
URL = "/abrufe/webhooks/"


@pytest.fixture(autouse=True)
def _allow_test_targets(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = True
    settings.DEBUG = True  # http:// targets are refused with DEBUG off


def test_provider_staff_add_an_endpoint_and_see_the_secret_once(client_for, setup):
    client = client_for(setup.staff[0])
    response = client.post(URL, {"action": "create", "url": "https://localhost:9443/digisos"})
    endpoint = WebhookEndpoint.objects.get(provider=setup.providers[0])
    assert response.status_code == 200 and endpoint.secret in response.content.decode()
    assert endpoint.secret not in client.get(URL).content.decode()  # shown once only


def test_rotation_keeps_the_old_secret_for_the_changeover(client_for, setup):
    client = client_for(setup.staff[0])
    client.post(URL, {"action": "create", "url": "https://localhost:9443/digisos"})
    endpoint = WebhookEndpoint.objects.get()
    old = endpoint.secret
    response = client.post(URL, {"action": "rotate", "endpoint": str(endpoint.public_id)})
    endpoint.refresh_from_db()
    assert endpoint.secret != old and endpoint.previous_secret == old
    assert endpoint.secret in response.content.decode()


def test_another_providers_endpoint_is_404(client_for, setup):
    client_for(setup.staff[0]).post(URL, {"action": "create", "url": "https://localhost:9443/a"})
    endpoint = WebhookEndpoint.objects.get()
    response = client_for(setup.staff[1]).post(URL, {"action": "rotate", "endpoint": str(endpoint.public_id)})
    assert response.status_code == 404
    assert client_for(setup.staff[1]).post(URL, {"action": "rotate", "endpoint": "kaputt"}).status_code == 404


def test_bad_urls_are_refused_in_german(client_for, setup, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = False
    response = client_for(setup.staff[0]).post(URL, {"action": "create", "url": "https://127.0.0.1/hook"})
    assert response.status_code == 400
    assert not WebhookEndpoint.objects.exists()


def test_bodies_and_ministry_have_no_such_page(client_for, alice, ministry):
    assert client_for(alice).get(reverse("calloffs:provider_webhooks")).status_code == 404
    assert client_for(ministry).get(reverse("calloffs:provider_webhooks")).status_code == 404
