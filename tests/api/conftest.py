"""Fixtures of the provider API tests: the call-off fixtures of tests/calloffs plus one API key
per provider (keys[i] acts for providers[i]) and a client factory that sends a key."""

import pytest
from rest_framework.test import APIClient

from calloffs.services.api_keys import api_key_create


@pytest.fixture
def keys(setup, ministry):  # noqa: F811
    """keys[i]: the raw key of providers[i]."""
    return [api_key_create(provider=p, actor=ministry, name="Ticketsystem").raw for p in setup.providers]


@pytest.fixture
def api(keys):
    """api(i) → an APIClient sending provider i's key; api(None) → without a key; api("raw") → that key."""

    def make(who=0) -> APIClient:
        client = APIClient()
        if isinstance(who, int):
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {keys[who]}")
        elif isinstance(who, str):
            client.credentials(HTTP_AUTHORIZATION=who)
        return client

    return make


def url(calloff=None, suffix: str = "") -> str:
    if calloff is None:
        return "/api/v1/calloffs/"
    return f"/api/v1/calloffs/{calloff.public_id}/{suffix}"


ACCEPT = {"lead_name": "Jana Keller", "lead_phone": "+49 211 5550110"}
