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
        response = client.get(reverse("calloffs:situation"))
    assert response.status_code == 200
    for _ in range(6):
        file_calloff()
    with django_assert_max_num_queries(25):
        response = client.get(reverse("calloffs:situation"))
    assert response.status_code == 200


def test_the_map_names_districts_marks_the_affected_ones_and_lists_them_beside_it(client_for, file_calloff, ministry):
    import re

    from tenants.models import Role
    from tests.factories import MembershipFactory, OrganisationFactory

    koeln = OrganisationFactory(ags="05315000", name="Stadt Köln")
    caller = MembershipFactory(role=Role.CALLER, organisation=koeln).user
    file_calloff(organisation=koeln, actor=caller)
    content = client_for(ministry).get(reverse("calloffs:situation")).content.decode()
    svg = content.split('class="ds-map"')[1].split("</svg>")[0]
    # Every district has its name on hover (<title>) and on focus (focusable, aria-label).
    areas = re.findall(r"<path [^>]*tabindex=\"0\"[^>]*>", svg)
    assert len(areas) == 53
    assert "<title>Köln – Stellen mit offenem Vorfall: 1</title>" in svg
    assert "<title>Kreis Olpe – Stellen mit offenem Vorfall: 0</title>" in svg
    # Affected: a colour of its own, outlined and hatched (not colour alone).
    koeln_area = next(a for a in areas if "Köln –" in a)
    assert "ds-map__area--affected" in koeln_area and 'stroke="#000000"' in koeln_area
    assert svg.count('fill="url(#ds-map-hatch)"') == 1
    # The table beside the map, and the legend with its counts.
    table = content.split('id="areas-caption"')[1].split("</table>")[0]
    assert re.search(r"<th[^>]*>Köln</th><td[^>]*>1</td>", table)
    legend = content.split('id="legend-h"')[1].split("</ul>")[0]
    assert "keine Stelle mit offenem Vorfall" in legend and "<strong>52 Kreise</strong>" in legend
    assert "1 Stelle" in legend and "<strong>1 Kreis</strong>" in legend
    assert "dl-de/by-2-0" in content.split('id="map-h"')[1].split("</section>")[0]


def test_the_situation_says_when_it_was_drawn_and_explains_its_charts(client_for, setup, ministry):
    import re

    from django.utils import timezone

    content = client_for(ministry).get(reverse("calloffs:situation")).content.decode()
    assert re.search(r"Stand: <time datetime=\"[^\"]+\">\d\d:\d\d Uhr</time>", content)
    assert f">{timezone.localtime():%H}:" in content
    assert 'href="/abrufe/lagebild/"' in content and "Aktualisieren" in content
    # Every chart under a heading of its own.
    for heading in (
        "Betroffene Stellen nach Kreis",
        "Offene Abrufe nach Regierungsbezirk",
        "Sicherheitsvorfälle nach Status",
        "Auslastung der Dienstleister",
    ):
        assert re.search(rf"<h[23][^>]*>{heading}</h[23]>", content), heading
    assert "Gestrichelter senkrechter Strich: Kapazität laut Vertrag" in content
    assert "js/situation.js" in content
