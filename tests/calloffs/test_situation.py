"""The situation picture: ministry only, drawn as SVG, numbers right."""

import pytest
from django.urls import reverse

from calloffs.situation.map import _shapes, colour_for, kreis_key
from incidents import services as incident_services
from incidents.models import Category

pytestmark = pytest.mark.django_db


def test_it_is_for_ministry_only(client_for, setup, alice, bob, charlie):
    for user in (alice, bob, charlie, setup.staff[0]):
        assert client_for(user).get(reverse("calloffs:situation")).status_code == 404


def test_it_draws_the_situation(client_for, setup, file_calloff, ministry, org_a):
    file_calloff()
    response = client_for(ministry).get(reverse("calloffs:situation"))
    assert response.status_code == 200
    content = response.content.decode()
    assert content.count("<svg") >= 4
    assert 'role="img"' in content and "<title" in content
    assert "dl-de/by-2-0" in content  # the map's licence attribution stands next to it
    assert "1 offener Sicherheitsvorfall" in content and "1 offener Abruf." in content
    # provider load names every provider
    for provider in setup.providers:
        assert provider.short_name in content


def test_the_map_has_53_areas_and_colours_counts():
    shapes, height = _shapes()
    assert len(shapes) == 53 and height > 300
    assert kreis_key("05334002") == "05334" and kreis_key("LV-LVR") is None
    assert colour_for(0) != colour_for(1) != colour_for(12)


def test_a_major_incident_shows_its_timeline(client_for, ministry, org_a):
    major = incident_services.major_incident_declare(actor=ministry, title="Angriff auf IT-Dienstleister")
    incident_services.major_incident_link(
        major=major, actor=ministry, organisations=[org_a], category=Category.RANSOMWARE
    )
    content = client_for(ministry).get(reverse("calloffs:situation")).content.decode()
    assert "Angriff auf IT-Dienstleister" in content and "Einträge je Stunde" in content


def test_query_count_does_not_grow_with_volume(
    client_for, setup, file_calloff, ministry, django_assert_max_num_queries
):
    for _ in range(3):
        file_calloff()
    client = client_for(ministry)
    with django_assert_max_num_queries(25):
        client.get(reverse("calloffs:situation"))
    for _ in range(6):
        file_calloff()
    with django_assert_max_num_queries(25):
        client.get(reverse("calloffs:situation"))
