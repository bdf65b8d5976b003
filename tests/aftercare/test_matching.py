"""Matching: the same indicator value at two bodies raises ONE alert to the ministry (dashboard row and
its e-mail through the outbox); again at the same body nothing more; TLP:RED and TLP:AMBER+STRICT
take no part, and an indicator reclassified to one of them leaves the ministry's list."""

import pytest
from django.urls import reverse

from aftercare import selectors, services
from aftercare.errors import InvalidInput
from aftercare.models import Sighting
from calloffs.models import AlertKind, MinistryAlert
from notifications.models import Audience, Notification
from tests.aftercare.conftest import SHA256

pytestmark = pytest.mark.django_db


def _alerts():
    return list(MinistryAlert.objects.filter(kind=AlertKind.OTHER))


def _mails():
    return list(Notification.objects.filter(event_type="ministry.other", audience=Audience.MINISTRY))


def test_the_same_sha256_at_two_bodies_raises_one_alert(engaged, engaged_b, p1, ministry, drive):
    services.indicator_create(calloff=engaged, actor=p1, kind="sha256", value=SHA256, tlp="amber")
    assert _alerts() == []  # one body: nothing to tell
    services.indicator_create(calloff=engaged_b, actor=p1, kind="sha256", value=SHA256.upper(), tlp="green")
    [alert] = _alerts()
    assert SHA256 in alert.message and "Stadt A" in alert.message and "Stadt B" in alert.message
    assert alert.calloff_id == engaged_b.pk
    [mail] = _mails()
    assert mail.recipient == ministry.email and SHA256 in mail.body
    # The same value again at body A (another call-off of the same incident's body): no second alert.
    services.indicator_create(calloff=drive("accepted"), actor=p1, kind="sha256", value=SHA256)
    # Another value, or the same value as another type, is no match.
    services.indicator_create(calloff=engaged_b, actor=p1, kind="domain", value="evil.example")
    assert len(_alerts()) == 1 and len(_mails()) == 1
    assert Sighting.objects.filter(alerted=True).count() == 1


def test_red_indicators_take_no_part_until_released(engaged, engaged_b, p1, ministry):
    services.indicator_create(calloff=engaged, actor=p1, kind="ip", value="203.0.113.7", tlp="amber")
    red = services.indicator_create(calloff=engaged_b, actor=p1, kind="ip", value="203.0.113.7", tlp="red")
    assert _alerts() == [] and _mails() == []
    services.indicator_update(indicator=red, actor=p1, description="nur intern")  # still RED: nothing
    assert _alerts() == []
    services.indicator_update(indicator=red, actor=p1, tlp="amber")  # released by the body's provider
    [alert] = _alerts()
    assert "203.0.113.7" in alert.message
    assert _listed() == {"203.0.113.7": ["Stadt A", "Stadt B"]}
    services.indicator_update(indicator=red, actor=p1, tlp="red")  # withdrawn: off the ministry's list
    assert _listed() == {}
    assert not Sighting.objects.filter(organisation_id=engaged_b.organisation_id).exists()
    assert len(_alerts()) == 1  # an alert already sent cannot be recalled; no new one
    services.indicator_update(indicator=red, actor=p1, tlp="green")  # released again: a new release, told again
    assert _listed() == {"203.0.113.7": ["Stadt A", "Stadt B"]}
    assert len(_alerts()) == 2


def _listed():
    """The ministry's list of values seen at several bodies: {value: [body names]} (selector)."""
    return {
        value.value: sorted(s.organisation.name for s in value.sightings.select_related("organisation"))
        for value in selectors.matched_values()
    }


def test_reclassified_to_red_leaves_the_ministry_s_matches_page(client_for, ministry, engaged, engaged_b, p1):
    services.indicator_create(calloff=engaged, actor=p1, kind="domain", value="c2.example", tlp="amber")
    later_red = services.indicator_create(calloff=engaged_b, actor=p1, kind="domain", value="c2.example", tlp="amber")
    page = client_for(ministry).get(reverse("aftercare:matches")).content.decode()
    assert "c2.example" in page and "Stadt B" in page
    services.indicator_update(indicator=later_red, actor=p1, tlp="red")
    page = client_for(ministry).get(reverse("aftercare:matches")).content.decode()
    assert "c2.example" not in page and "Stadt B" not in page
    assert _listed() == {}


def test_the_sighting_stays_while_another_indicator_of_the_body_may_cross(engaged, engaged_b, drive, p1):
    services.indicator_create(calloff=engaged, actor=p1, kind="ip", value="198.51.100.1", tlp="green")
    first = services.indicator_create(calloff=engaged_b, actor=p1, kind="ip", value="198.51.100.1", tlp="amber")
    # Body A records the value again under another call-off; then A's first indicator turns RED.
    other = services.indicator_create(calloff=drive("accepted"), actor=p1, kind="ip", value="198.51.100.1")
    a_first = Sighting.objects.get(organisation_id=engaged.organisation_id)
    red = a_first.first_indicator
    services.indicator_update(indicator=red, actor=p1, tlp="red")
    assert _listed() == {"198.51.100.1": ["Stadt A", "Stadt B"]}  # A still has it at AMBER
    assert Sighting.objects.get(pk=a_first.pk).first_indicator_id == other.pk  # re-pointed
    services.indicator_update(indicator=other, actor=p1, tlp="amber_strict")
    assert _listed() == {}
    assert Sighting.objects.filter(organisation_id=engaged_b.organisation_id, first_indicator=first).exists()


def test_amber_strict_takes_no_part_in_matching(engaged, engaged_b, p1, ministry):
    services.indicator_create(calloff=engaged, actor=p1, kind="domain", value="strict.example", tlp="amber")
    strict = services.indicator_create(
        calloff=engaged_b, actor=p1, kind="domain", value="strict.example", tlp="amber_strict"
    )
    assert _alerts() == [] and _mails() == [] and _listed() == {}
    assert not Sighting.objects.filter(organisation_id=engaged_b.organisation_id).exists()
    services.indicator_update(indicator=strict, actor=p1, tlp="amber")  # released to AMBER: matched now
    [alert] = _alerts()
    assert "strict.example" in alert.message and _listed() == {"strict.example": ["Stadt A", "Stadt B"]}


def test_a_rolled_back_record_leaves_no_alert(engaged, engaged_b, p1, ministry):
    services.indicator_create(calloff=engaged, actor=p1, kind="md5", value="d41d8cd98f00b204e9800998ecf8427e")
    with pytest.raises(InvalidInput) as info:  # the duplicate is refused before anything is written
        services.indicator_create(calloff=engaged, actor=p1, kind="md5", value="d41d8cd98f00b204e9800998ecf8427e")
    assert info.value.field == "value" and "bereits erfasst" in str(info.value.message)
    assert _alerts() == []
