"""Matching: the same indicator value at two bodies raises ONE alert to the ministry (dashboard row and
its e-mail through the outbox); again at the same body nothing more; TLP:RED takes no part."""

import pytest

from aftercare import services
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
    services.indicator_update(indicator=red, actor=p1, tlp="red")
    services.indicator_update(indicator=red, actor=p1, tlp="green")  # back and forth: still one alert
    assert len(_alerts()) == 1


def test_a_rolled_back_record_leaves_no_alert(engaged, engaged_b, p1, ministry):
    services.indicator_create(calloff=engaged, actor=p1, kind="md5", value="d41d8cd98f00b204e9800998ecf8427e")
    with pytest.raises(Exception):  # noqa: B017 - the duplicate is refused before anything is written
        services.indicator_create(calloff=engaged, actor=p1, kind="md5", value="d41d8cd98f00b204e9800998ecf8427e")
    assert _alerts() == []
