import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_german_even_when_the_browser_prefers_english(client):
    response = client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response["Content-Language"] == "de"
    assert 'lang="de"' in response.content.decode()
    assert "Anmeldung" in response.content.decode()


def test_english_on_request(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/accounts/login/"})
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    response = client.get(reverse("account_login"))
    assert response["Content-Language"] == "en"
    assert 'lang="en"' in response.content.decode()


def test_unknown_language_cookie_falls_back_to_german(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "xx"
    assert client.get(reverse("account_login"))["Content-Language"] == "de"
