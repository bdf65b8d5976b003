"""Need to know for providers (issue 14): what a provider's staff sees of an incident, by the state
of its call-off. Before acceptance only the call-off's decision data (the incident page and its
attachments are 404); after acceptance the incident, but never another provider's acceptance,
contacts or reports, and only the attachments the body shared; after decline, expiry, withdrawal
or cancellation: 404 again.
"""

from __future__ import annotations

import pathlib
from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from calloffs import services
from calloffs.models import OfferState
from incidents import services as incident_services
from incidents.models import IncidentAttachment
from tenants.models import AuditEntry

pytestmark = pytest.mark.django_db

LEAD_1 = ("Jana Keller", "+49 211 5550110")
LEAD_2 = ("Uwe Brandt", "+49 221 7770220")


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def accept(calloff, provider, user, lead):
    return services.offer_accept(calloff=calloff, provider=provider, actor=user, lead_name=lead[0], lead_phone=lead[1])


def hand_to(calloff, setup, index: int):
    """Decline the offer until provider ``index`` holds it."""
    while (offer := calloff.offers.get(state=OfferState.OPEN)).provider_id != setup.providers[index].pk:
        holder = setup.providers.index(offer.provider)
        services.offer_decline(calloff=calloff, provider=offer.provider, actor=setup.staff[holder], reason="Voll")
    return calloff


def upload(incident, alice, name, shared=False):
    return incident_services.attachment_add(
        incident=incident,
        actor=alice,
        uploaded_file=SimpleUploadedFile(name, b"Inhalt", content_type="text/plain"),
        shared_with_provider=shared,
    )


def pages(incident, *attachments):
    return [reverse("incidents:detail", args=[incident.public_id])] + [
        reverse("incidents:attachment", args=[incident.public_id, a.public_id]) for a in attachments
    ]


@pytest.fixture
def two_providers(setup, file_calloff, alice):
    """One incident, two call-offs: A accepted by P1, B declined by P1 and accepted by P2 (the
    competitor), with a milestone report each; one shared and one internal attachment."""
    a = accept(file_calloff(), setup.providers[0], setup.staff[0], LEAD_1)
    b = file_calloff(incident=a.incident)
    assert b.incident_id == a.incident_id
    b = accept(hand_to(b, setup, 1), setup.providers[1], setup.staff[1], LEAD_2)
    services.calloff_record_milestone(
        calloff=b, provider=setup.providers[1], actor=setup.staff[1], kind="note", text="Domänencontroller P2-geheim"
    )
    shared = upload(a.incident, alice, "fuer-dienstleister.txt", shared=True)
    internal = upload(a.incident, alice, "intern-personalakte.txt")
    return a, b, shared, internal


def test_an_offered_provider_sees_the_call_off_but_not_the_incident(setup, file_calloff, alice):
    """Failed before the fix: the offer holder got 200 on the incident page and its attachments."""
    calloff = file_calloff()
    attachment = upload(calloff.incident, alice, "log.txt", shared=True)
    client = client_for(setup.staff[0])
    assert client.get(reverse("calloffs:detail", args=[calloff.public_id])).status_code == 200
    for url in pages(calloff.incident, attachment):
        assert client.get(url).status_code == 404, url
    listing = client.get(reverse("incidents:list") + "?status=").content.decode()
    assert calloff.incident.title not in listing


def test_the_accepting_provider_sees_the_incident_but_not_the_competitor(setup, two_providers):
    """Failed before the fix: P1 read P2's lead name and phone and P2's report on the incident page."""
    a, b, shared, internal = two_providers
    page = client_for(setup.staff[0]).get(reverse("incidents:detail", args=[a.incident.public_id]))
    assert page.status_code == 200
    html = page.content.decode()
    assert LEAD_1[0] in html  # its own acceptance
    assert LEAD_2[0] not in html and LEAD_2[1] not in html
    assert "P2-geheim" not in html
    assert b.number not in html  # the competitor's call-off is not listed at all
    assert reverse("calloffs:detail", args=[a.public_id]) in html
    assert shared.name in html and internal.name not in html
    assert "die die Stelle für Sie freigegeben hat" in html  # it is told what it sees
    # and the other way round
    html = client_for(setup.staff[1]).get(reverse("incidents:detail", args=[a.incident.public_id])).content.decode()
    assert LEAD_2[0] in html and "P2-geheim" in html
    assert LEAD_1[0] not in html and LEAD_1[1] not in html
    assert reverse("calloffs:detail", args=[a.public_id]) not in html


def test_the_body_sees_everything(two_providers, alice):
    a, b, shared, internal = two_providers
    html = client_for(alice).get(reverse("incidents:detail", args=[a.incident.public_id])).content.decode()
    for text in (LEAD_1[0], LEAD_2[0], "P2-geheim", a.number, b.number, shared.name, internal.name):
        assert text in html


def test_only_shared_attachments_reach_the_provider(setup, two_providers):
    """Failed before the fix: every attachment of the incident could be downloaded by the provider."""
    a, _b, shared, internal = two_providers
    client = client_for(setup.staff[0])
    assert client.get(reverse("incidents:attachment", args=[a.incident.public_id, shared.public_id])).status_code == 200
    url = reverse("incidents:attachment", args=[a.incident.public_id, internal.public_id])
    assert client.get(url).status_code == 404


def test_the_body_shares_and_unshares_through_an_audited_service(setup, two_providers, alice, bob):
    a, _b, _shared, internal = two_providers
    action = reverse("incidents:action", args=[a.incident.public_id, "attachment_share"])
    download = reverse("incidents:attachment", args=[a.incident.public_id, internal.public_id])
    provider = client_for(setup.staff[0])
    # a read-only member may not, the provider may not
    assert client_for(bob).post(action, {"attachment": internal.public_id, "shared": "on"}).status_code == 403
    assert provider.post(action, {"attachment": internal.public_id, "shared": "on"}).status_code == 403
    assert provider.get(download).status_code == 404

    response = client_for(alice).post(action, {"attachment": internal.public_id, "shared": "on"})
    assert response.status_code == 302
    assert IncidentAttachment.objects.get(pk=internal.pk).shared_with_provider
    assert provider.get(download).status_code == 200
    assert AuditEntry.objects.filter(action="incident.attachment_shared", target=internal.name).exists()

    client_for(alice).post(action, {"attachment": internal.public_id})
    assert not IncidentAttachment.objects.get(pk=internal.pk).shared_with_provider
    assert provider.get(download).status_code == 404
    assert AuditEntry.objects.filter(action="incident.attachment_unshared", target=internal.name).exists()
    # a broken request is a clear 400, never a 500, and changes nothing
    assert client_for(alice).post(action, {"attachment": "kein-uuid"}).status_code == 400


def test_the_upload_form_sets_the_share_flag(setup, two_providers, alice):
    a, *_ = two_providers
    action = reverse("incidents:action", args=[a.incident.public_id, "attachment"])
    file = SimpleUploadedFile("freigabe.txt", b"Text", content_type="text/plain")
    assert client_for(alice).post(action, {"file": file, "shared_with_provider": "on"}).status_code == 302
    assert IncidentAttachment.objects.get(name="freigabe.txt").shared_with_provider
    html = client_for(setup.staff[0]).get(reverse("incidents:detail", args=[a.incident.public_id])).content.decode()
    assert "freigabe.txt" in html


@pytest.mark.parametrize("how", ["declined", "expired", "withdrawn"])
def test_after_decline_expiry_or_withdrawal_the_incident_is_404(how, setup, file_calloff, alice, ministry):
    calloff = file_calloff()
    attachment = upload(calloff.incident, alice, "log.txt", shared=True)
    offer = calloff.offers.get(state=OfferState.OPEN)
    if how == "declined":
        services.offer_decline(calloff=calloff, provider=setup.providers[0], actor=setup.staff[0], reason="Voll")
    elif how == "expired":
        services.offer_expire(offer=offer, now=offer.respond_by + timedelta(seconds=1))
    else:
        services.calloff_cancel(calloff=calloff, actor=alice, reason="Fehlalarm")
    client = client_for(setup.staff[0])
    for url in [*pages(calloff.incident, attachment), reverse("calloffs:detail", args=[calloff.public_id])]:
        assert client.get(url).status_code == 404, url


def test_after_cancellation_of_an_accepted_call_off_the_incident_is_404(setup, file_calloff, alice):
    """Failed before the fix: the assigned provider kept the incident (and all of it) after the body cancelled."""
    calloff = accept(file_calloff(), setup.providers[0], setup.staff[0], LEAD_1)
    services.calloff_cancel(calloff=calloff, actor=alice, reason="Selbst gelöst")
    assert client_for(setup.staff[0]).get(pages(calloff.incident)[0]).status_code == 404


def test_completed_and_closed_call_offs_keep_the_incident_visible(setup, file_calloff, alice):
    calloff = accept(file_calloff(), setup.providers[0], setup.staff[0], LEAD_1)
    services.calloff_complete(calloff=calloff, provider=setup.providers[0], actor=setup.staff[0], summary="Fertig")
    assert client_for(setup.staff[0]).get(pages(calloff.incident)[0]).status_code == 200
    services.calloff_close(calloff=calloff, actor=alice)
    assert client_for(setup.staff[0]).get(pages(calloff.incident)[0]).status_code == 200


def later(minutes: int):
    """The clock moved on (no two moments the same, whatever the database's resolution)."""
    return time_machine.travel(timezone.now() + timedelta(minutes=minutes), tick=True)


@pytest.mark.parametrize("close", [False, True])
def test_after_completion_nothing_new_reaches_the_provider(close, setup, file_calloff, alice):
    """Failed before the fix: a provider whose call-off was completed (or closed) saw every file the
    body shared and every note it wrote afterwards, e.g. for the next provider."""
    calloff = accept(file_calloff(), setup.providers[0], setup.staff[0], LEAD_1)
    incident = calloff.incident
    before = upload(incident, alice, "vorher-freigegeben.txt", shared=True)
    kept_back = upload(incident, alice, "erst-spaeter-freigegeben.txt")
    with later(5):
        services.calloff_complete(calloff=calloff, provider=setup.providers[0], actor=setup.staff[0], summary="Ok")
        if close:
            services.calloff_close(calloff=calloff, actor=alice)
    with later(10):
        after = upload(incident, alice, "nachher-freigegeben.txt", shared=True)
        incident_services.attachment_set_shared(attachment=kept_back, actor=alice, shared=True)
        incident_services.incident_add_note(incident=incident, actor=alice, text="Notiz-danach-geheim", at=None)
    client = client_for(setup.staff[0])
    page = client.get(pages(incident)[0])
    assert page.status_code == 200
    html = page.content.decode()
    assert before.name in html
    assert "Ihr Einsatz ist beendet" in html  # it is told why
    for hidden in (after.name, kept_back.name, "Notiz-danach-geheim"):
        assert hidden not in html, hidden
    assert client.get(pages(incident, before)[1]).status_code == 200
    for attachment in (after, kept_back):
        assert client.get(pages(incident, attachment)[1]).status_code == 404, attachment.name
    # The body sees all of it.
    html = client_for(alice).get(pages(incident)[0]).content.decode()
    for text in (before.name, after.name, kept_back.name, "Notiz-danach-geheim"):
        assert text in html


def test_a_new_provider_sees_what_is_shared_the_one_done_does_not(setup, file_calloff, alice):
    """Two call-offs on one incident: P1's is completed, P2's accepted later. A file shared for P2
    reaches P2, not P1; a share taken back and given again after P1's completion stays with P2."""
    first = accept(file_calloff(), setup.providers[0], setup.staff[0], LEAD_1)
    incident = first.incident
    early = upload(incident, alice, "fuer-beide.txt", shared=True)
    with later(5):
        services.calloff_complete(calloff=first, provider=setup.providers[0], actor=setup.staff[0], summary="Ok")
    with later(10):
        second = accept(hand_to(file_calloff(incident=incident), setup, 1), setup.providers[1], setup.staff[1], LEAD_2)
        for_p2 = upload(incident, alice, "fuer-p2.txt", shared=True)
        incident_services.attachment_set_shared(attachment=early, actor=alice, shared=False)
        incident_services.attachment_set_shared(attachment=early, actor=alice, shared=True)
    p1, p2 = client_for(setup.staff[0]), client_for(setup.staff[1])
    assert second.state == "accepted"
    assert p2.get(pages(incident, for_p2)[1]).status_code == 200
    assert p2.get(pages(incident, early)[1]).status_code == 200
    assert p1.get(pages(incident, for_p2)[1]).status_code == 404
    assert p1.get(pages(incident, early)[1]).status_code == 404  # shared again after P1 was done
    # An unrelated provider and another body's caller: 404 for all of it.
    for outsider in (setup.staff[2], setup.staff[3]):
        for url in pages(incident, early, for_p2):
            assert client_for(outsider).get(url).status_code == 404, url


def test_a_provider_engaged_again_sees_what_is_shared_now(setup, file_calloff, alice):
    """The same provider with a completed and an active call-off on the incident is engaged."""
    first = accept(file_calloff(), setup.providers[0], setup.staff[0], LEAD_1)
    incident = first.incident
    with later(5):
        services.calloff_complete(calloff=first, provider=setup.providers[0], actor=setup.staff[0], summary="Ok")
    with later(10):
        accept(file_calloff(incident=incident), setup.providers[0], setup.staff[0], LEAD_1)
        fresh = upload(incident, alice, "neu.txt", shared=True)
    assert client_for(setup.staff[0]).get(pages(incident, fresh)[1]).status_code == 200


def test_the_share_moment_is_kept_with_the_flag(setup, file_calloff, alice):
    """The database refuses a shared attachment without its moment (and a moment without the flag)."""
    from django.db import IntegrityError, transaction

    calloff = file_calloff()
    attachment = upload(calloff.incident, alice, "x.txt", shared=True)
    assert attachment.shared_at is not None
    for flag, moment in ((True, None), (False, timezone.now())):
        with pytest.raises(IntegrityError), transaction.atomic():
            IncidentAttachment.objects.filter(pk=attachment.pk).update(shared_with_provider=flag, shared_at=moment)


def test_incidents_does_not_reach_into_calloffs_tables():
    """One rule in one place: incidents asks calloffs (incidents.visibility), it never names its tables."""
    root = pathlib.Path(__file__).resolve().parents[2] / "incidents"
    offenders = [
        str(path.relative_to(root.parent))
        for path in root.rglob("*.py")
        if "migrations" not in path.parts
        and any(word in path.read_text() for word in ("calloffs__", ".calloffs.", "import calloffs", "from calloffs"))
    ]
    assert not offenders
    templates = pathlib.Path(__file__).resolve().parents[2] / "templates" / "incidents"
    assert not [p.name for p in templates.iterdir() if "calloff.provider" in p.read_text()]


def test_the_call_off_page_shows_a_provider_only_its_own_steps(setup, file_calloff, alice):
    """Failed before the fix: the provider offered the call-off second saw the first provider's
    decline (and the offer made to it) in the call-off's history; the API never showed them."""
    from calloffs.models import EventKind

    calloff = hand_to(file_calloff(), setup, 1)
    live = reverse("calloffs:live", args=[calloff.public_id])
    second = client_for(setup.staff[1]).get(live).content.decode()
    assert str(EventKind.DECLINED.label) not in second
    assert second.count(f">{EventKind.OFFERED.label}</p>") == 1  # the offer to it, not the one to P1
    body = client_for(alice).get(live).content.decode()
    assert str(EventKind.DECLINED.label) in body


def test_the_offered_provider_does_not_learn_who_phoned_in(setup, file_calloff, ministry, org_a):
    """Failed before the fix: the name of the person who phoned the call-off in reached every offered provider."""
    calloff = file_calloff(
        actor=ministry, on_behalf=True, phoned_in_by="Petra Anrufer-Geheim", verification_note="Rückruf über Zentrale"
    )
    page = reverse("calloffs:detail", args=[calloff.public_id])
    assert "Anrufer-Geheim" not in client_for(setup.staff[0]).get(page).content.decode()
    accept(calloff, setup.providers[0], setup.staff[0], LEAD_1)
    assert "Anrufer-Geheim" in client_for(setup.staff[0]).get(page).content.decode()


def test_existing_timeline_entries_get_their_call_offs_scope(setup, two_providers):
    """The data migrations (calloffs 0007, incidents 0004) on rows written before the scope existed:
    entries naming a call-off's number go to that call-off, upload entries stay with the body."""
    import importlib

    from django.apps import apps

    from incidents.models import TimelineEntry

    a, b, shared, internal = two_providers
    entries = TimelineEntry.objects.filter(incident=a.incident)
    expected = dict(entries.values_list("pk", "scope"))
    entries.update(scope="")
    importlib.import_module("incidents.migrations.0004_need_to_know").existing_uploads_internal(apps, None)
    importlib.import_module("calloffs.migrations.0007_timeline_scope").scope_calloff_entries(apps, None)
    migrated = dict(entries.values_list("pk", "scope"))
    # The shared upload was shared after the fact in the old world: the migration keeps it internal.
    expected[shared.timeline_entry_id] = "internal"
    assert migrated == expected
    assert {f"calloff:{a.public_id}", f"calloff:{b.public_id}", "internal"} <= set(migrated.values())
