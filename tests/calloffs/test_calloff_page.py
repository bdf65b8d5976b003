"""The call-off page after filing: who accepted and how to reach them (need to know), what happens
now per state, the action table (who may do what when), cancel and decline behind a step of their
own, and the ministry's manual assignment that tells the truth about being binding."""

import re

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from calloffs.models import CallOff, CallOffState, ProviderContact
from calloffs.services.notify import EventType
from calloffs.views.detail import CALLOFF_ACTIONS, PARTIES, Viewer
from notifications.models import Audience, Channel, Notification

pytestmark = pytest.mark.django_db

LEAD = {"lead_name": "Petra Lead", "lead_phone": "+49 211 555 0199"}


def page(client, calloff):
    response = client.get(reverse("calloffs:detail", args=[calloff.public_id]))
    return response, response.content.decode()


def act(client, calloff, action, data=None):
    return client.post(reverse("calloffs:action", args=[calloff.public_id, action]), data or {})


@pytest.fixture
def p1_contact(setup):
    return ProviderContact.objects.create(
        provider=setup.providers[0], name="Max Forensik", role="Bereitschaft", phone="+49 171 7654321"
    )


def test_the_body_sees_who_accepted_with_tappable_numbers(client_for, setup, file_calloff, alice, ministry, p1_contact):
    calloff = file_calloff()
    _, before = page(client_for(alice), calloff)
    assert "Max Forensik" not in before and "Angenommen von" not in before
    assert act(client_for(setup.staff[0]), calloff, "accept", LEAD).status_code == 302
    for user in (alice, ministry, setup.staff[0]):
        _, content = page(client_for(user), calloff)
        assert "Angenommen von <strong>P1 Cyberabwehr GmbH</strong>" in content
        assert 'href="tel:+492115550199"' in content  # the lead, tappable
        assert 'href="tel:+491717654321"' in content and "Max Forensik (Bereitschaft)" in content
        assert f'href="tel:{setup.providers[0].hotline.replace(" ", "")}"' in content
    live = client_for(alice).get(reverse("calloffs:live", args=[calloff.public_id])).content.decode()
    assert "Max Forensik" in live  # the part that updates by itself shows it too


def test_another_provider_never_sees_the_accepted_providers_people(client_for, setup, file_calloff, p1_contact):
    calloff = file_calloff()
    act(client_for(setup.staff[0]), calloff, "decline", {"reason": "Kein Team frei"})
    # P2 now holds the offer: it sees the call-off, but no provider's contacts (none has accepted).
    response, content = page(client_for(setup.staff[1]), calloff)
    assert response.status_code == 200 and "Max Forensik" not in content and "P1 Cyberabwehr" not in content
    act(client_for(setup.staff[1]), calloff, "accept", LEAD)
    # P1, P3: the call-off is not theirs at all.
    for outsider in (setup.staff[0], setup.staff[2]):
        assert page(client_for(outsider), calloff)[0].status_code == 404
        assert client_for(outsider).get(reverse("calloffs:live", args=[calloff.public_id])).status_code == 404


@pytest.mark.parametrize(
    ("state", "body_says", "provider_says"),
    [
        (CallOffState.OFFERED, "Halten Sie die Rückrufnummer +49 171 1234567 frei", "Nehmen Sie den Abruf bis"),
        (CallOffState.ACCEPTED, "ruft Sie bis", "Rufen Sie die Stelle unter der Rückrufnummer an"),
        (CallOffState.IN_PROGRESS, "Der Dienstleister arbeitet an Ihrem Vorfall", "Erfassen Sie Ihre Stunden"),
        (CallOffState.COMPLETED, "Prüfen Sie den Leistungsnachweis", "Die Stelle prüft Ihren Leistungsnachweis"),
        (CallOffState.CLOSED, "Der Abruf ist abgeschlossen", "Abgerechnet wird nach dem bestätigten"),
        (CallOffState.UNASSIGNED, "Das Ministerium sucht einen Dienstleister", None),
        (CallOffState.CANCELLED, "Brauchen Sie doch Hilfe", None),
    ],
)
def test_the_page_says_what_happens_now(client_for, setup, drive, alice, state, body_says, provider_says):
    calloff = drive(state)
    response, content = page(client_for(alice), calloff)
    assert response.status_code == 200 and body_says in content
    if provider_says:
        _, content = page(client_for(setup.staff[0]), calloff)
        assert provider_says in content


def _forms_on_page(content: str) -> set[str]:
    return set(re.findall(r'action="/abrufe/[0-9a-f-]+/(\w+)/"', content))


WORDS = {"accept": "annehmen", "decline": "ablehnen", "start": "beginnen", "complete": "erbracht"}
WORDS |= {"close": "abschliessen", "cancel": "stornieren", "assign": "zuweisen", "checklist": "checkliste"}


@pytest.mark.parametrize("state", [s for s in CallOffState if s != CallOffState.SUBMITTED])
def test_the_page_offers_exactly_what_the_action_table_allows(client_for, setup, drive, alice, bob, ministry, state):
    calloff = drive(state)
    for user in (alice, bob, ministry, setup.staff[0]):
        viewer = Viewer.of(user, calloff)
        expected = {
            WORDS[action]
            for action, spec in CALLOFF_ACTIONS.items()
            if spec.posts_here and calloff.state in spec.states and PARTIES[spec.party](viewer)
        }
        response, content = page(client_for(user), calloff)
        if response.status_code == 404:  # P1 after the call-off went elsewhere
            assert not expected
            continue
        assert _forms_on_page(content) == expected, (user, state)


def test_a_party_outside_the_table_is_refused_before_the_form(client_for, setup, file_calloff, alice, bob):
    calloff = file_calloff()
    assert act(client_for(bob), calloff, "cancel", {"reason": "Fehlalarm"}).status_code == 403
    assert act(client_for(alice), calloff, "assign", {"provider": setup.providers[1].pk}).status_code == 403
    assert act(client_for(setup.staff[0]), calloff, "close").status_code == 403
    assert act(client_for(setup.staff[0]), calloff, "cancel", {"reason": "Fehlalarm"}).status_code == 403
    assert CallOff.objects.get(pk=calloff.pk).state == CallOffState.OFFERED


def test_cancel_sits_behind_a_button_and_opens_on_an_error(client_for, setup, file_calloff, alice):
    calloff = file_calloff()
    _, content = page(client_for(alice), calloff)
    disclosure = re.search(r'<details class="ds-disclosure">\s*<summary[^>]*>.*?</details>', content, re.S)
    assert disclosure and "Abruf stornieren …" in disclosure.group(0)
    assert 'name="reason"' in disclosure.group(0)  # the text box is inside the closed disclosure
    assert content.count('name="reason"') == 1
    response = act(client_for(alice), calloff, "cancel", {"reason": ""})
    assert response.status_code == 400
    assert '<details class="ds-disclosure" open>' in response.content.decode()


def test_decline_is_a_step_of_its_own_apart_from_accept(client_for, setup, file_calloff):
    calloff = file_calloff()
    _, content = page(client_for(setup.staff[0]), calloff)
    accept = re.search(r'<form[^>]*annehmen/"[^>]*>.*?</form>', content, re.S).group(0)
    assert 'name="reason"' not in accept and "Ablehn" not in accept
    decline = re.search(r'<details class="ds-disclosure">.*?</details>', content, re.S).group(0)
    assert "Angebot ablehnen …" in decline and 'action="' in decline and "ablehnen/" in decline
    assert 'name="reason"' in decline
    response = act(client_for(setup.staff[0]), calloff, "decline", {"reason": ""})
    assert response.status_code == 400 and '<details class="ds-disclosure" open>' in response.content.decode()


def test_the_assignment_form_shows_rank_load_and_region_and_says_it_is_binding(client_for, setup, drive, ministry):
    calloff = drive(CallOffState.UNASSIGNED)  # P1–P3 declined; P4 does not serve Köln (org_a's region)
    busy = drive(CallOffState.ACCEPTED)  # P1 carries one engagement
    assert busy.provider == setup.providers[0]
    _, content = page(client_for(ministry), calloff)
    assert "P1 Cyberabwehr GmbH – Rang 1 · 1 von 3 Einsätzen belegt" in content
    assert "P4 SecOps GmbH – Rang 4 · 0 von 3 Einsätzen belegt" in content
    assert "Regierungsbezirke: Münster, Detmold, Arnsberg (nicht Köln)" in content
    assert "Angebot: Abgelehnt" in content
    assert "Die Beauftragung ist verbindlich:" in content and "ohne Bestätigung des Dienstleisters" in content
    # Radios in the order of precedence.
    names = re.findall(r'<label class="kern-label" for="assign_provider_\d+">(P\d)', content)
    assert names == ["P1", "P2", "P3", "P4"]


def test_the_assignment_needs_a_plausible_reason_and_tells_the_provider(client_for, setup, drive, ministry):
    calloff = drive(CallOffState.UNASSIGNED)
    p2 = setup.providers[1]
    for reason in ("", "Eilig", "x" * 2001):
        response = act(client_for(ministry), calloff, "assign", {"provider": p2.pk, "reason": reason})
        assert response.status_code == 400
    assert CallOff.objects.get(pk=calloff.pk).provider is None
    response = act(client_for(ministry), calloff, "assign", {"provider": p2.pk, "reason": "Rang 1 nicht erreichbar"})
    assert response.status_code == 302
    calloff.refresh_from_db()
    assert calloff.provider == p2 and calloff.state == CallOffState.ACCEPTED
    told = Notification.objects.filter(
        event_type=EventType.CALLOFF_ASSIGNED, audience=Audience.PROVIDER, channel=Channel.EMAIL
    )
    assert list(told.values_list("recipient", flat=True)) == [p2.email]


def test_the_database_refuses_an_implausible_assignment_reason(drive):
    calloff = drive(CallOffState.UNASSIGNED)
    for reason in ("kurz", "x" * 2001):
        with pytest.raises(IntegrityError), transaction.atomic():
            CallOff.objects.filter(pk=calloff.pk).update(manual_assignment_reason=reason)
    CallOff.objects.filter(pk=calloff.pk).update(manual_assignment_reason="")  # none at all is fine


def test_scope_link_follows_the_table(client_for, drive, alice, bob):
    calloff = drive(CallOffState.ACCEPTED)
    scope = reverse("calloffs:scope", args=[calloff.public_id])
    assert scope in page(client_for(alice), calloff)[1]
    assert scope not in page(client_for(bob), calloff)[1]
    assert client_for(bob).get(scope).status_code == 403
