"""Matching tells the other body's provider where TLP allows (aftercare.matching): when body B's
provider records a value that body A's provider recorded before, A's provider hears of it
(``indicator.matched``: webhook and e-mail through the outbox) only if the TLP of both indicators is
CLEAR or GREEN; B is named only under TLP:CLEAR; TLP:AMBER reaches the ministry only, and its alert
says which providers were not told."""

import pytest

from aftercare import services
from calloffs.models import AlertKind, MinistryAlert
from notifications.models import Channel, Notification, WebhookEndpoint
from tests.aftercare.conftest import SHA256

pytestmark = pytest.mark.django_db


@pytest.fixture
def hooks(setup):
    """A webhook endpoint for P1 and for P2."""
    return [
        WebhookEndpoint.objects.create(owner=provider, url=f"https://ticket.p{i}.example/hook")
        for i, provider in enumerate(setup.providers[:2], start=1)
    ]


def _told():
    return list(Notification.objects.filter(event_type="indicator.matched").order_by("id"))


def _alert() -> str:
    [alert] = MinistryAlert.objects.filter(kind=AlertKind.OTHER)
    return alert.message


def test_green_on_both_sides_tells_the_other_provider_without_naming_the_body(
    engaged, engaged_b_p2, setup, p1, p2, hooks
):
    mine = services.indicator_create(calloff=engaged, actor=p1, kind="sha256", value=SHA256, tlp="green")
    assert _told() == []
    services.indicator_create(calloff=engaged_b_p2, actor=p2, kind="sha256", value=SHA256, tlp="green")
    rows = _told()
    assert {row.channel for row in rows} == {Channel.WEBHOOK, Channel.EMAIL}
    assert {row.recipient for row in rows} == {hooks[0].url, setup.providers[0].email}  # P1 only, not P2
    [hook] = [row for row in rows if row.channel == Channel.WEBHOOK]
    data = hook.payload["data"]
    assert data["calloff"]["id"] == str(engaged.public_id)  # P1's own call-off and indicator
    assert data["indicator"] == {
        "id": str(mine.public_id),
        "kind": "sha256",
        "value": SHA256,
        "tlp": "green",
        "url": data["indicator"]["url"],
    }
    assert data["indicator"]["url"].endswith(f"/api/v1/calloffs/{engaged.public_id}/indicators/{mine.public_id}/")
    assert data["match"] == {"bodies": 2, "other_body": None, "tlp": "green"}
    [mail] = [row for row in rows if row.channel == Channel.EMAIL]
    assert "einer anderen Stelle in NRW" in mail.body and "Stadt B" not in mail.body + mail.subject
    assert "TLP:GREEN" in mail.body
    assert all("Stadt B" not in str(row.payload) for row in rows)
    assert "Informiert wurde der Dienstleister von: Stadt A." in _alert()


def test_clear_names_the_new_body(engaged, engaged_b_p2, p1, p2, hooks):
    services.indicator_create(calloff=engaged, actor=p1, kind="domain", value="c2.example", tlp="clear")
    services.indicator_create(calloff=engaged_b_p2, actor=p2, kind="domain", value="c2.example", tlp="clear")
    [hook] = [row for row in _told() if row.channel == Channel.WEBHOOK]
    assert hook.payload["data"]["match"] == {"bodies": 2, "other_body": "Stadt B", "tlp": "clear"}


def test_the_other_body_is_not_named_when_only_its_own_side_is_clear(engaged, engaged_b_p2, p1, p2, hooks):
    services.indicator_create(calloff=engaged, actor=p1, kind="domain", value="c2.example", tlp="clear")
    services.indicator_create(calloff=engaged_b_p2, actor=p2, kind="domain", value="c2.example", tlp="green")
    [hook] = [row for row in _told() if row.channel == Channel.WEBHOOK]
    assert hook.payload["data"]["match"] == {"bodies": 2, "other_body": None, "tlp": "green"}


@pytest.mark.parametrize(("mine", "theirs"), [("amber", "green"), ("green", "amber"), ("amber", "amber")])
def test_amber_on_either_side_reaches_the_ministry_only(engaged, engaged_b_p2, p1, p2, hooks, mine, theirs):
    services.indicator_create(calloff=engaged, actor=p1, kind="ip", value="203.0.113.7", tlp=mine)
    services.indicator_create(calloff=engaged_b_p2, actor=p2, kind="ip", value="203.0.113.7", tlp=theirs)
    assert _told() == []
    message = _alert()
    assert "203.0.113.7" in message  # the ministry is told as before
    assert "Nicht informiert (die TLP-Stufe erlaubt es nicht), der Dienstleister von: Stadt A." in message


def test_an_amber_indicator_of_the_same_body_holds_the_other_provider_back(engaged, engaged_b_p2, drive, p1, p2, hooks):
    """Body A recorded the value twice (GREEN and AMBER): the stricter level counts."""
    services.indicator_create(calloff=engaged, actor=p1, kind="ip", value="203.0.113.7", tlp="green")
    services.indicator_create(calloff=drive("accepted"), actor=p1, kind="ip", value="203.0.113.7", tlp="amber")
    services.indicator_create(calloff=engaged_b_p2, actor=p2, kind="ip", value="203.0.113.7", tlp="green")
    assert _told() == []


def test_red_and_amber_strict_tell_nobody(engaged, engaged_b_p2, p1, p2, hooks):
    services.indicator_create(calloff=engaged, actor=p1, kind="ip", value="203.0.113.7", tlp="green")
    services.indicator_create(calloff=engaged_b_p2, actor=p2, kind="ip", value="203.0.113.7", tlp="red")
    services.indicator_create(calloff=engaged, actor=p1, kind="ip", value="203.0.113.8", tlp="amber_strict")
    services.indicator_create(calloff=engaged_b_p2, actor=p2, kind="ip", value="203.0.113.8", tlp="green")
    assert _told() == [] and not MinistryAlert.objects.exists()


def test_a_release_by_the_body_tells_the_other_provider(engaged, engaged_b_p2, p1, p2, alice, charlie, hooks):
    services.indicator_create(calloff=engaged, actor=p1, kind="ip", value="203.0.113.7", tlp="green")
    red = services.indicator_create(calloff=engaged_b_p2, actor=p2, kind="ip", value="203.0.113.7", tlp="red")
    assert _told() == []
    services.indicator_tlp_set(indicator=red, actor=charlie, tlp="green")  # body B releases it
    assert {row.recipient for row in _told()} == {hooks[0].url, engaged.provider.email}


def test_the_webhook_is_delivered_signed(engaged, engaged_b_p2, setup, p1, p2, settings):
    from standardwebhooks import Webhook

    from notifications.models import NotificationState
    from notifications.tasks import deliver_notification
    from tests.calloffs.receiver import Receiver

    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = True
    settings.WEBHOOK_REQUIRE_HTTPS = False
    settings.WEBHOOK_TIMEOUT_SECONDS = 1
    receiver = Receiver()
    try:
        endpoint = WebhookEndpoint.objects.create(owner=setup.providers[0], url=receiver.url)
        services.indicator_create(calloff=engaged, actor=p1, kind="sha256", value=SHA256, tlp="green")
        services.indicator_create(calloff=engaged_b_p2, actor=p2, kind="sha256", value=SHA256, tlp="green")
        [row] = [row for row in _told() if row.channel == Channel.WEBHOOK]
        assert deliver_notification(row.pk) == NotificationState.DELIVERED
        request = receiver.wait_for(1)[0]
        payload = Webhook(endpoint.secret).verify(request["body"], request["headers"])
    finally:
        receiver.close()
    assert payload["type"] == "indicator.matched" and payload["data"]["indicator"]["value"] == SHA256


def test_a_drill_has_no_say(engaged, engaged_b_p2, setup, file_calloff, p1, p2, hooks):
    """Body A has the value in a real call-off and, as TLP:AMBER, in a drill: the drill's made-up indicator
    has no say (it neither holds the real one back nor is told)."""
    from calloffs import services as calloff_services
    from tests.aftercare.conftest import LEAD

    services.indicator_create(calloff=engaged, actor=p1, kind="sha256", value=SHA256, tlp="green")
    drill = file_calloff(drill=True)
    drill = calloff_services.offer_accept(calloff=drill, provider=setup.providers[0], actor=p1, **LEAD)
    services.indicator_create(calloff=drill, actor=p1, kind="sha256", value=SHA256, tlp="amber")
    services.indicator_create(calloff=engaged_b_p2, actor=p2, kind="sha256", value=SHA256, tlp="green")
    [hook] = [row for row in _told() if row.channel == Channel.WEBHOOK]
    assert hook.payload["data"]["calloff"]["id"] == str(engaged.public_id)
