"""TLP chosen by provider OR body: the body's callers and administrators change an indicator's TLP
level (audited); a read-only member, the provider on this page and the ministry get 403, an outsider
404. Reclassified to RED or AMBER+STRICT it leaves matching as when the provider does it."""

import pytest
from django.urls import reverse

from aftercare import services
from aftercare.errors import InvalidInput, NotPermitted
from aftercare.models import Indicator, Sighting
from aftercare.selectors import matched_values
from tenants.models import AuditEntry
from tests.aftercare.conftest import SHA256

pytestmark = pytest.mark.django_db


@pytest.fixture
def shared(engaged, engaged_b, p1):
    """The same SHA-256 at body A and body B (GREEN both): one value seen at two bodies."""
    mine = services.indicator_create(calloff=engaged, actor=p1, kind="sha256", value=SHA256, tlp="green")
    services.indicator_create(calloff=engaged_b, actor=p1, kind="sha256", value=SHA256, tlp="green")
    return mine


@pytest.mark.parametrize("level", ["red", "amber_strict"])
def test_the_body_withdraws_an_indicator_from_matching(shared, alice, level):
    assert [v.value for v in matched_values()] == [SHA256]
    services.indicator_tlp_set(indicator=shared, actor=alice, tlp=level, reason="Täterkontakt läuft")
    shared.refresh_from_db()
    assert shared.tlp == level
    assert list(matched_values()) == []
    assert not Sighting.objects.filter(organisation_id=shared.organisation_id).exists()
    entry = AuditEntry.objects.get(action="indicator.tlp_changed")
    assert entry.actor == alice and entry.details["old"] == "green" and entry.details["new"] == level
    assert entry.details["by"] == "body" and entry.details["reason"] == "Täterkontakt läuft"


def test_an_admin_may_and_a_read_only_member_may_not(shared, body_admin, bob, ministry, p1, charlie):
    services.indicator_tlp_set(indicator=shared, actor=body_admin, tlp="amber")
    for actor in (bob, ministry, p1, charlie):
        with pytest.raises(NotPermitted):
            services.indicator_tlp_set(indicator=shared, actor=actor, tlp="clear")
    assert Indicator.objects.get(pk=shared.pk).tlp == "amber"


def test_an_unknown_level_is_refused(shared, alice):
    with pytest.raises(InvalidInput):
        services.indicator_tlp_set(indicator=shared, actor=alice, tlp="purple")


def test_the_same_level_changes_nothing(shared, alice):
    services.indicator_tlp_set(indicator=shared, actor=alice, tlp="green")
    assert not AuditEntry.objects.filter(action="indicator.tlp_changed").exists()


def test_the_portal_page_by_persona(client_for, shared, alice, bob, body_admin, charlie, ministry, p1, p2):
    url = reverse("aftercare:indicator_tlp", args=[shared.public_id])
    expected = {alice: 200, body_admin: 200, bob: 403, ministry: 403, p1: 403, charlie: 404, p2: 404}
    assert {user: client_for(user).get(url).status_code for user in expected} == expected


def test_the_portal_form_saves_and_refuses_in_german(client_for, shared, alice):
    client = client_for(alice)
    page = client.get(reverse("aftercare:incident", args=[shared.incident.public_id])).content.decode()
    url = reverse("aftercare:indicator_tlp", args=[shared.public_id])
    assert url in page  # the body's link "TLP ändern"
    response = client.post(url, {"tlp": "purple"})
    assert response.status_code == 200 and "keine gültige Auswahl" in response.content.decode()
    response = client.post(url, {"tlp": "red", "reason": "x" * 501})
    assert response.status_code == 200 and Indicator.objects.get(pk=shared.pk).tlp == "green"
    response = client.post(url, {"tlp": "red", "reason": "Ermittlungen"})
    assert response.status_code == 302
    assert Indicator.objects.get(pk=shared.pk).tlp == "red"


def test_a_read_only_member_sees_no_link(client_for, shared, bob):
    page = client_for(bob).get(reverse("aftercare:incident", args=[shared.incident.public_id])).content.decode()
    assert reverse("aftercare:indicator_tlp", args=[shared.public_id]) not in page
