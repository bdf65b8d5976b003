"""The portal's addresses use German words (like /abrufe/, /vorfaelle/); the code keeps its English
action keys and URL names, so reverse() calls stay as they are. The provider API keeps English words."""

from __future__ import annotations

import uuid

import pytest
from django.urls import resolve, reverse

from calloffs.urls import ACTION_WORDS as CALLOFF_WORDS
from incidents.urls import ACTION_WORDS as INCIDENT_WORDS


def test_calloff_actions_have_german_addresses():
    public_id = uuid.uuid4()
    for key, word in CALLOFF_WORDS.items():
        url = reverse("calloffs:action", args=[public_id, key])
        assert url == f"/abrufe/{public_id}/{word}/"
        assert key not in url.split("/") or key == word
        assert resolve(url).kwargs["action"] == key  # the view still gets its key
    assert reverse("calloffs:live", args=[public_id]).endswith("/aktuell/")


def test_english_words_still_resolve_for_old_links():
    public_id = uuid.uuid4()
    assert resolve(f"/abrufe/{public_id}/accept/").kwargs["action"] == "accept"


def test_incident_actions_have_german_addresses():
    public_id = uuid.uuid4()
    assert reverse("incidents:action", args=[public_id, "note"]) == f"/vorfaelle/{public_id}/aktion/notiz/"
    assert resolve(f"/vorfaelle/{public_id}/aktion/anlage-freigeben/").kwargs["action"] == "attachment_share"
    assert set(INCIDENT_WORDS) >= {"status", "note", "attachment", "attachment_share"}


def test_the_provider_api_keeps_english_words():
    assert reverse("api_v1:calloff-accept", kwargs={"id": uuid.uuid4()}).endswith("/accept/")


@pytest.mark.django_db
def test_a_note_is_added_through_the_german_address(client_for, alice, file_calloff):
    incident = file_calloff().incident
    client = client_for(alice)
    url = reverse("incidents:action", args=[incident.public_id, "note"])
    assert "/notiz/" in url
    response = client.post(url, {"text": "Firewall-Logs gesichert."})
    assert response.status_code == 302
    assert incident.timeline.filter(text__contains="Firewall-Logs gesichert.").exists()
    unknown = client.post(f"/vorfaelle/{incident.public_id}/aktion/gibt-es-nicht/", {"text": "x"})
    assert unknown.status_code == 404
