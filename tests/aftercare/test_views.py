"""Portal pages: every persona. The body's members and the ministry read, the engaged provider writes;
another body (charlie) and another provider get 404; readers get 403 on the write pages."""

import pytest
from django.urls import reverse

from aftercare import services
from aftercare.models import Finding, Indicator
from tenants.models import Role
from tests.aftercare.conftest import FINDING, SHA256
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def rows(engaged, p1):
    finding = services.finding_create(calloff=engaged, actor=p1, **FINDING, root_cause=True)
    green = services.indicator_create(calloff=engaged, actor=p1, kind="sha256", value=SHA256, tlp="green")
    red = services.indicator_create(calloff=engaged, actor=p1, kind="domain", value="geheim.example", tlp="red")
    return finding, green, red


def pages(engaged, rows):
    finding, green, _red = rows
    return {
        "incident": reverse("aftercare:incident", kwargs={"public_id": engaged.incident.public_id}),
        "finding_new": reverse("aftercare:finding_new", kwargs={"calloff_id": engaged.public_id}),
        "finding_edit": reverse("aftercare:finding_edit", kwargs={"public_id": finding.public_id}),
        "indicator_new": reverse("aftercare:indicator_new", kwargs={"calloff_id": engaged.public_id}),
        "indicator_edit": reverse("aftercare:indicator_edit", kwargs={"public_id": green.public_id}),
    }


#: persona → expected status per page (incident, finding_new, finding_edit, indicator_new, indicator_edit)
MATRIX = {
    "alice": (200, 403, 403, 403, 403),
    "bob": (200, 403, 403, 403, 403),
    "admin": (200, 403, 403, 403, 403),
    "ministry": (200, 403, 403, 403, 403),
    "p1": (200, 200, 200, 200, 200),
    "p2": (404, 404, 404, 404, 404),
    "charlie": (404, 404, 404, 404, 404),
}


@pytest.mark.parametrize("who", list(MATRIX))
def test_access_matrix(client_for, personas, engaged, rows, who):
    client = client_for(personas[who])
    for (name, url), expected in zip(pages(engaged, rows).items(), MATRIX[who], strict=True):
        assert client.get(url).status_code == expected, (who, name)
        if name != "incident":
            assert client.post(url, {"title": "x"}).status_code in (expected, 302 if expected == 200 else expected)


def test_anonymous_is_sent_to_login(client, engaged, rows):
    for url in pages(engaged, rows).values():
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_it_checks_ownership_on_the_incident_page(client_for, charlie, p2, engaged, rows):
    """A dedicated leak test: nothing of the findings or indicators in any answer to outsiders."""
    for user in (charlie, p2):
        for url in pages(engaged, rows).values():
            body = client_for(user).get(url).content.decode()
            assert SHA256 not in body and FINDING["title"] not in body


def test_red_stays_with_the_parties(client_for, alice, ministry, p1, engaged, rows):
    url = pages(engaged, rows)["incident"]
    for user in (alice, p1):
        body = client_for(user).get(url).content.decode()
        assert "geheim.example" in body and SHA256 in body
    body = client_for(ministry).get(url).content.decode()
    assert SHA256 in body and "geheim.example" not in body
    assert "1 Indikator mit TLP:RED" in body


def test_the_incident_page_links_here(client_for, alice, engaged, rows):
    body = client_for(alice).get(reverse("incidents:detail", kwargs={"public_id": engaged.incident.public_id})).content
    assert reverse("aftercare:incident", kwargs={"public_id": engaged.incident.public_id}).encode() in body
    assert b"1 Befund, 2 Indikatoren" in body


def test_the_provider_records_through_the_portal(client_for, p1, engaged):
    client = client_for(p1)
    url = reverse("aftercare:finding_new", kwargs={"calloff_id": engaged.public_id})
    response = client.post(url, {**FINDING, "severity": "", "category": "unpatched", "cve_id": "CVE-2023-27997"})
    assert response.status_code == 200  # neither severity nor vector: the form says so, keeps the input
    text = response.content.decode()
    assert "Bitte einen Schweregrad wählen oder einen CVSS-Basisvektor angeben." in text and "CVE-2023-27997" in text
    vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"
    response = client.post(
        url, {**FINDING, "severity": "", "category": "unpatched", "cve_id": "CVE-2023-27997", "cvss_vector": vector}
    )
    assert response.status_code == 302
    assert Finding.objects.get().cvss_score is not None
    url = reverse("aftercare:indicator_new", kwargs={"calloff_id": engaged.public_id})
    response = client.post(url, {"kind": "md5", "value": "zz", "tlp": "green"})
    assert response.status_code == 200 and "Hexadezimalzeichen" in response.content.decode()
    response = client.post(
        url,
        {
            "kind": "ip",
            "value": "203.0.113.7",
            "tlp": "green",
            "first_seen": "2026-11-30T10:00",
            "last_seen": "2026-11-29T10:00",
        },
    )
    assert response.status_code == 200 and not Indicator.objects.exists()
    response = client.post(
        url, {"kind": "ip", "value": "203.0.113.7", "tlp": "green", "first_seen": "0001-01-01T00:00"}
    )
    assert response.status_code == 200 and not Indicator.objects.exists()
    response = client.post(url, {"kind": "ip", "value": "203.0.113.7", "tlp": "green"})
    assert response.status_code == 302 and Indicator.objects.get().value == "203.0.113.7"
    edit = reverse("aftercare:indicator_edit", kwargs={"public_id": Indicator.objects.get().public_id})
    assert client.post(edit, {"tlp": "red", "description": "C2"}).status_code == 302
    assert Indicator.objects.get().tlp == "red"


def test_a_read_only_member_of_the_provider_body_is_still_a_reader(client_for, org_a, engaged, rows):
    member = MembershipFactory(organisation=org_a, role=Role.MEMBER).user
    url = pages(engaged, rows)["finding_new"]
    assert client_for(member).get(url).status_code == 403


def test_amber_strict_stays_within_the_body(client_for, alice, ministry, p1, engaged, rows):
    """TLP 2.0 AMBER+STRICT: the recipient organisation only; the ministry is not the body's organisation."""
    services.indicator_create(calloff=engaged, actor=p1, kind="domain", value="streng.example", tlp="amber_strict")
    url = pages(engaged, rows)["incident"]
    for user in (alice, p1):
        response = client_for(user).get(url)
        assert "streng.example" in response.content.decode() and response.context["hidden_strict"] == 0
    response = client_for(ministry).get(url)
    assert SHA256 in response.content.decode() and "streng.example" not in response.content.decode()
    assert response.context["hidden_strict"] == 1 and response.context["hidden_red"] == 1
    assert "1 Indikator mit TLP:AMBER+STRICT bleibt bei der Stelle" in response.content.decode()
    assert not Indicator.objects.visible_to(ministry).filter(value="streng.example").exists()
    assert Indicator.objects.visible_to(alice).filter(value="streng.example").exists()
