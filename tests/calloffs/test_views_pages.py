"""The call-off pages: filing in the browser (form), the call-off page and its actions, the lists."""

import uuid

import pytest
from django.urls import reverse

from calloffs.models import CallOff, CallOffState, OfferState
from tests.factories import EmergencyContactFactory

pytestmark = pytest.mark.django_db


def form_data(setup, org, **overrides):
    data = {
        "client_token": str(uuid.uuid4()),
        "organisation": str(org.public_id),
        "category": "ransomware",
        "operations_halted": "yes",
        "situation": "Server verschlüsselt, Erpresserschreiben.",
        "affected": "Fileserver",
        f"module_{setup.modules.remote.pk}": "16",
        "place_of_performance": "Rathaus",
        "callback_phone": "+49 171 2223334",
        "callback_email": "notfall@example.org",
    }
    data.update(overrides)
    return data


def test_the_form_is_prefilled_from_the_body(client_for, setup, alice, org_a):
    EmergencyContactFactory(organisation=org_a, mobile="+49 160 9998887", email="privat@example.org")
    response = client_for(alice).get(reverse("calloffs:create"))
    content = response.content.decode()
    assert response.status_code == 200
    assert "+49 160 9998887" in content and "privat@example.org" in content
    assert org_a.street in content
    for provider in setup.providers:
        assert provider.hotline in content  # hotlines shown for when the portal fails


def test_a_caller_files_and_lands_on_the_call_off_page(client_for, setup, alice, org_a):
    response = client_for(alice).post(reverse("calloffs:create"), form_data(setup, org_a))
    assert response.status_code == 302
    calloff = CallOff.objects.get()
    assert response["Location"] == reverse("calloffs:detail", args=[calloff.public_id])
    assert calloff.priority == "P1" and calloff.state == CallOffState.OFFERED
    assert calloff.number.startswith("DSOS-")


def test_a_double_submit_files_one_call_off(client_for, setup, alice, org_a):
    client = client_for(alice)
    data = form_data(setup, org_a)
    first = client.post(reverse("calloffs:create"), data)
    second = client.post(reverse("calloffs:create"), data)
    assert CallOff.objects.count() == 1
    assert first["Location"] == second["Location"]


def test_bad_input_keeps_everything_and_explains_in_german(client_for, setup, alice, org_a):
    data = form_data(setup, org_a, callback_phone="abc", situation="")
    response = client_for(alice).post(reverse("calloffs:create"), data)
    assert response.status_code == 400
    content = response.content.decode()
    assert "Bitte prüfen Sie Ihre Angaben" in content
    assert "Telefonnummer" in content
    assert 'value="Fileserver"' in content or "Fileserver</textarea>" in content
    assert not CallOff.objects.exists()


def test_no_service_is_a_clear_error(client_for, setup, alice, org_a):
    data = form_data(setup, org_a, **{f"module_{setup.modules.remote.pk}": ""})
    response = client_for(alice).post(reverse("calloffs:create"), data)
    assert response.status_code == 400
    assert "mindestens eine Leistung" in response.content.decode()


def test_a_member_cannot_file(client_for, setup, bob, org_a):
    assert client_for(bob).get(reverse("calloffs:create")).status_code == 403
    assert client_for(bob).post(reverse("calloffs:create"), form_data(setup, org_a)).status_code == 403
    assert not CallOff.objects.exists()


def test_a_caller_cannot_file_for_another_body(client_for, setup, alice, org_b):
    response = client_for(alice).post(reverse("calloffs:create"), form_data(setup, org_b))
    assert response.status_code == 400
    assert not CallOff.objects.exists()


def test_a_body_that_is_not_entitled_is_refused_clearly(client_for, setup, alice, org_a):
    org_a.eligible_until = org_a.eligible_from
    org_a.save()
    response = client_for(alice).get(reverse("calloffs:create"))
    assert "nicht abrufberechtigt" in response.content.decode()
    response = client_for(alice).post(reverse("calloffs:create"), form_data(setup, org_a))
    assert response.status_code == 400
    assert "nicht abrufberechtigt" in response.content.decode()
    assert not CallOff.objects.exists()


def test_ministry_files_on_behalf_with_verification(client_for, setup, ministry, org_a):
    url = reverse("calloffs:create") + f"?stelle={org_a.public_id}"
    response = client_for(ministry).post(url, form_data(setup, org_a))
    assert response.status_code == 400  # who called and how verified are required
    data = form_data(setup, org_a, phoned_in_by="Herr Meier, IT-Leitung", verification_note="Rückruf Notfallnummer")
    assert client_for(ministry).post(url, data).status_code == 302
    calloff = CallOff.objects.get()
    assert calloff.on_behalf and calloff.phoned_in_by == "Herr Meier, IT-Leitung"


def test_the_call_off_page_per_persona(client_for, setup, file_calloff, alice, bob, charlie, ministry):
    calloff = file_calloff()
    url = reverse("calloffs:detail", args=[calloff.public_id])
    assert client_for(alice).get(url).status_code == 200
    assert client_for(bob).get(url).status_code == 200
    assert client_for(ministry).get(url).status_code == 200
    assert client_for(charlie).get(url).status_code == 404
    # Provider 1 holds the offer and sees it, provider 2 does not.
    assert client_for(setup.staff[0]).get(url).status_code == 200
    assert client_for(setup.staff[1]).get(url).status_code == 404
    live = reverse("calloffs:live", args=[calloff.public_id])
    assert client_for(charlie).get(live).status_code == 404


def test_the_provider_sees_the_callback_contact_only_after_accepting(client_for, setup, file_calloff):
    calloff = file_calloff()
    client = client_for(setup.staff[0])
    url = reverse("calloffs:detail", args=[calloff.public_id])
    assert calloff.callback_phone not in client.get(url).content.decode()
    response = client.post(
        reverse("calloffs:action", args=[calloff.public_id, "accept"]),
        {"lead_name": "Petra Lead", "lead_phone": "+49 211 555 0199"},
    )
    assert response.status_code == 302
    assert calloff.callback_phone in client.get(url).content.decode()


def test_the_live_part_shows_lead_and_phone_once_accepted(client_for, setup, file_calloff, alice):
    calloff = file_calloff()
    live = reverse("calloffs:live", args=[calloff.public_id])
    before = client_for(alice).get(live)
    assert "Petra Lead" not in before.content.decode()
    client_for(setup.staff[0]).post(
        reverse("calloffs:action", args=[calloff.public_id, "accept"]),
        {"lead_name": "Petra Lead", "lead_phone": "+49 211 555 0199"},
    )
    after = client_for(alice).get(live)
    assert "Petra Lead" in after.content.decode() and "+49 211 555 0199" in after.content.decode()
    assert after["X-Calloff-Updated"] != before["X-Calloff-Updated"]


def test_decline_moves_on_and_hides_the_call_off_from_the_decliner(client_for, setup, file_calloff):
    calloff = file_calloff()
    client = client_for(setup.staff[0])
    response = client.post(
        reverse("calloffs:action", args=[calloff.public_id, "decline"]), {"reason": "Kein Team frei"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("calloffs:list")
    assert client.get(reverse("calloffs:detail", args=[calloff.public_id])).status_code == 404
    assert calloff.offers.get(state=OfferState.OPEN).provider == setup.providers[1]


def test_accept_after_the_offer_moved_on_is_a_clear_conflict(client_for, setup, file_calloff):
    calloff = file_calloff()
    client_for(setup.staff[0]).post(
        reverse("calloffs:action", args=[calloff.public_id, "decline"]), {"reason": "Kein Team frei"}
    )
    response = client_for(setup.staff[0]).post(
        reverse("calloffs:action", args=[calloff.public_id, "accept"]),
        {"lead_name": "Zu spät", "lead_phone": "+49 211 555 0199"},
    )
    assert response.status_code == 404  # no longer theirs at all


def test_a_member_cannot_cancel_but_a_caller_can(client_for, setup, file_calloff, alice, bob):
    calloff = file_calloff()
    url = reverse("calloffs:action", args=[calloff.public_id, "cancel"])
    client_for(bob).post(url, {"reason": "Fehlalarm"})
    calloff.refresh_from_db()
    assert calloff.state == CallOffState.OFFERED
    client_for(alice).post(url, {"reason": "Fehlalarm"})
    calloff.refresh_from_db()
    assert calloff.state == CallOffState.CANCELLED and calloff.cancel_reason == "Fehlalarm"


def test_manual_assignment_needs_ministry_and_a_reason(client_for, setup, file_calloff, alice, ministry):
    calloff = file_calloff()
    url = reverse("calloffs:action", args=[calloff.public_id, "assign"])
    data = {"provider": setup.providers[2].pk, "reason": ""}
    assert client_for(ministry).post(url, data).status_code == 400
    client_for(alice).post(url, {**data, "reason": "Eilig"})
    calloff.refresh_from_db()
    assert calloff.provider is None
    assert client_for(ministry).post(url, {**data, "reason": "Rang 1 telefonisch nicht erreichbar"}).status_code == 302
    calloff.refresh_from_db()
    assert calloff.provider == setup.providers[2] and calloff.state == CallOffState.ACCEPTED


def test_full_lifecycle_through_the_pages(client_for, setup, file_calloff, alice):
    calloff = file_calloff()
    provider = client_for(setup.staff[0])
    act = lambda client, name, data=None: client.post(  # noqa: E731
        reverse("calloffs:action", args=[calloff.public_id, name]), data or {}
    )
    act(provider, "accept", {"lead_name": "Petra Lead", "lead_phone": "+49 211 555 0199"})
    act(provider, "start")
    act(provider, "complete", {"summary": "Systeme bereinigt"})
    act(client_for(alice), "close")
    calloff.refresh_from_db()
    assert calloff.state == CallOffState.CLOSED
    kinds = list(calloff.events.values_list("kind", flat=True))
    assert kinds[-4:] == ["accepted", "started", "completed", "closed"]


def test_lists_are_scoped(client_for, setup, file_calloff, alice, charlie, ministry):
    calloff = file_calloff()
    assert calloff.number in client_for(alice).get(reverse("calloffs:list")).content.decode()
    assert calloff.number not in client_for(charlie).get(reverse("calloffs:list")).content.decode()
    assert calloff.number in client_for(ministry).get(reverse("calloffs:list")).content.decode()
    assert calloff.number in client_for(setup.staff[0]).get(reverse("calloffs:list")).content.decode()
    assert calloff.number not in client_for(setup.staff[1]).get(reverse("calloffs:list")).content.decode()


def test_ministry_filters(client_for, setup, file_calloff, ministry):
    calloff = file_calloff()
    client = client_for(ministry)
    assert calloff.number in client.get(reverse("calloffs:list"), {"state": "offered"}).content.decode()
    assert calloff.number not in client.get(reverse("calloffs:list"), {"state": "closed"}).content.decode()
    assert calloff.number not in client.get(reverse("calloffs:list"), {"priority": "P3"}).content.decode()
    # Nonsense filter values never cause a 500.
    assert client.get(reverse("calloffs:list"), {"date_from": "gestern", "provider": "x"}).status_code == 200


def test_unknown_action_is_404(client_for, setup, file_calloff, alice):
    calloff = file_calloff()
    assert client_for(alice).post(reverse("calloffs:action", args=[calloff.public_id, "explode"])).status_code == 404


def test_reports_uploaded_by_the_provider_are_listed_for_the_parties(client_for, setup, file_calloff, alice, charlie):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from calloffs import services
    from calloffs.services.attachments import attachment_add

    calloff = file_calloff()
    services.offer_accept(
        calloff=calloff, provider=setup.providers[0], actor=setup.staff[0], lead_name="L", lead_phone="+49 211 555"
    )
    attachment_add(
        calloff=calloff,
        provider=setup.providers[0],
        actor=setup.staff[0],
        kind="report",
        upload=SimpleUploadedFile("zwischenbericht.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf"),
    )
    content = client_for(alice).get(reverse("calloffs:detail", args=[calloff.public_id])).content.decode()
    assert "zwischenbericht.pdf" in content
    link = reverse("calloffs:attachment_download", args=[calloff.public_id, calloff.attachments.get().public_id])
    assert link in content
    assert client_for(charlie).get(link).status_code == 404
