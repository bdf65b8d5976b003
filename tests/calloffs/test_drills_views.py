"""Drill pages: who may start a drill and see its report (outsiders 404), the ÜBUNG mark on every
page that shows a drill, its PDFs, and drills left out of the situation picture."""

import uuid

import pytest
from django.urls import reverse

from calloffs import services
from calloffs.models import CallOff, Priority
from calloffs.situation.figures import situation
from incidents.models import Category
from tests.calloffs.documents_fixtures import pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def drill(setup, alice, org_a):
    return services.calloff_file(
        organisation=org_a,
        actor=alice,
        client_token=uuid.uuid4(),
        category=Category.RANSOMWARE,
        situation="Übung: angenommener Befall der Fachverfahren.",
        priority=Priority.P2,
        services=[(setup.modules.remote, 4)],
        callback_phone="+49 171 1234567",
        drill=True,
    )


def form_data(setup, organisation, **overrides):
    data = {
        "client_token": str(uuid.uuid4()),
        "organisation": str(organisation.public_id),
        "category": Category.RANSOMWARE,
        "priority": Priority.P2,
        "situation": "Übung: angenommener Befall der Fachverfahren.",
        f"module_{setup.modules.remote.pk}": "2",
        "callback_phone": "+49 171 1234567",
        "callback_email": "",
        "confirm": "on",
    }
    data.update(overrides)
    return data


START = reverse("calloffs:drill_start")


def test_a_caller_starts_a_drill_from_its_own_page(client_for, alice, org_a, setup):
    client = client_for(alice)
    page = client.get(START)
    assert page.status_code == 200
    assert "ÜBUNG" in page.content.decode()

    response = client.post(START, form_data(setup, org_a))
    calloff = CallOff.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("calloffs:detail", args=[calloff.public_id])
    assert calloff.is_drill and calloff.organisation == org_a
    detail = client.get(response["Location"]).content.decode()
    assert "ÜBUNG" in detail and reverse("calloffs:drill_report", args=[calloff.public_id]) in detail


def test_without_the_confirmation_nothing_is_started(client_for, alice, org_a, setup):
    response = client_for(alice).post(START, form_data(setup, org_a, confirm=""))
    assert response.status_code == 400
    assert "Bitte bestätigen Sie, dass Sie eine Übung starten." in response.content.decode()
    assert not CallOff.objects.exists()


def test_the_ministry_starts_a_drill_for_any_body(client_for, ministry, org_b, setup):
    response = client_for(ministry).post(START, form_data(setup, org_b))
    assert response.status_code == 302
    assert CallOff.objects.get().organisation == org_b


def test_a_body_not_its_own_is_refused(client_for, alice, org_b, setup):
    response = client_for(alice).post(START, form_data(setup, org_b))
    assert response.status_code == 400
    assert not CallOff.objects.exists()


@pytest.mark.parametrize("who", ["bob", "provider"])
def test_read_only_members_and_providers_cannot_start_one(client_for, who, bob, setup):
    user = bob if who == "bob" else setup.staff[0]
    assert client_for(user).get(START).status_code == 403


def test_the_emergency_form_never_files_a_drill(client_for, alice, org_a, setup):
    data = {
        "client_token": str(uuid.uuid4()),
        "organisation": str(org_a.public_id),
        "category": Category.RANSOMWARE,
        "operations_halted": "yes",
        "situation": "Alles verschlüsselt.",
        f"module_{setup.modules.remote.pk}": "1",
        "callback_phone": "+49 171 1234567",
        "drill": "on",
        "is_drill": "on",
    }
    response = client_for(alice).post(reverse("calloffs:create"), data)
    assert response.status_code == 302, response.content.decode()[:500]
    assert CallOff.objects.get().is_drill is False


def test_the_report_is_seen_by_its_parties_only(client_for, drill, alice, bob, charlie, ministry, setup):
    page = reverse("calloffs:drill_report", args=[drill.public_id])
    for user in (alice, bob, ministry, setup.staff[0]):  # body, read-only member, ministry, asked provider
        response = client_for(user).get(page)
        assert response.status_code == 200, user
        assert "ÜBUNG" in response.content.decode()
    for user in (charlie, setup.staff[3]):
        assert client_for(user).get(page).status_code == 404, user
        assert client_for(user).get(page + "bericht.pdf").status_code == 404, user


def test_a_real_call_off_has_no_drill_report(client_for, file_calloff, alice):
    real = file_calloff()
    assert client_for(alice).get(reverse("calloffs:drill_report", args=[real.public_id])).status_code == 404


def test_the_report_pdf_says_uebung(client_for, drill, alice, setup):
    response = client_for(alice).get(reverse("calloffs:drill_report_pdf", args=[drill.public_id]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "ÜBUNG" in text and drill.number in text and setup.providers[0].short_name in text


def test_the_overview_is_for_the_ministry(client_for, drill, ministry, alice, setup):
    page = client_for(ministry).get(reverse("calloffs:drill_overview"))
    assert page.status_code == 200
    assert drill.number in page.content.decode() and setup.providers[0].short_name in page.content.decode()
    pdf = client_for(ministry).get(reverse("calloffs:drill_overview_pdf"))
    assert pdf.status_code == 200
    text = pdf_text(pdf.content)
    assert "ÜBUNG" in text and drill.number in text and setup.providers[0].legal_name in text, text
    for user in (alice, setup.staff[0]):
        assert client_for(user).get(reverse("calloffs:drill_overview")).status_code == 404
        assert client_for(user).get(reverse("calloffs:drill_overview_pdf")).status_code == 404


def test_lists_and_home_pages_mark_the_drill(client_for, drill, alice, ministry, setup):
    mark = "ds-drill-mark"
    assert mark in client_for(alice).get(reverse("calloffs:list")).content.decode()
    assert mark in client_for(setup.staff[0]).get(reverse("calloffs:list")).content.decode()
    assert mark in client_for(setup.staff[0]).get("/").content.decode()  # the provider's open offer
    assert mark in client_for(alice).get(reverse("incidents:detail", args=[drill.incident.public_id])).content.decode()
    assert mark in client_for(alice).get(reverse("incidents:list")).content.decode()


def test_a_real_call_off_is_not_marked(client_for, file_calloff, alice):
    file_calloff()
    assert "ds-drill-mark" not in client_for(alice).get(reverse("calloffs:list")).content.decode()


def test_drills_are_left_out_of_the_situation_picture(drill, file_calloff):
    before = situation()
    assert before.open_calloffs == 0 and sum(before.incidents_by_status.values()) == 0
    file_calloff()
    after = situation()
    assert after.open_calloffs == 1 and sum(after.incidents_by_status.values()) == 1
