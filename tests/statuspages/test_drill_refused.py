"""A drill never produces a public status page for residents: neither saved nor published from a
drill's record (the services refuse, the page says why in German and keeps the input), while the
body's page for a real incident works as before; outsiders get 404."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from incidents import services as incident_services
from incidents.models import Category
from statuspages import services
from statuspages.errors import StatusPageError
from statuspages.models import PageState, StatusPage
from tests.statuspages.test_status_page import form_data, manage_url

pytestmark = pytest.mark.django_db

REFUSAL = "Aus einer Übung wird keine öffentliche Statusseite"


def open_record(organisation, actor, *, drill: bool):
    return incident_services.incident_open_or_attach(
        organisation=organisation,
        incident=None,
        title="Übung: Ransomware" if drill else "Ransomware im Rathaus",
        category=Category.RANSOMWARE,
        became_aware_at=timezone.now() - timedelta(hours=1),
        operations_halted=False,
        affected_systems="",
        actor=actor,
        is_drill=drill,
    )


@pytest.fixture
def drill(org_a, alice):
    return open_record(org_a, alice, drill=True)


PAGE = {
    "headline": "Die Stadtverwaltung ist nur eingeschränkt erreichbar",
    "summary": "Nach einem IT-Angriff sind viele Dienste nicht verfügbar.",
    "phone": "+49 2761 123456",
}


def test_the_service_saves_no_page_from_a_drill(alice, org_a, drill):
    with pytest.raises(StatusPageError) as refused:
        services.status_page_save(organisation=org_a, actor=alice, incident=drill, **PAGE)
    assert REFUSAL in refused.value.message
    assert not StatusPage.objects.exists()


def test_the_service_publishes_no_page_from_a_drill(alice, org_a, drill, django_capture_on_commit_callbacks):
    page = services.status_page_save(organisation=org_a, actor=alice, **PAGE)  # the body's draft, no incident
    with pytest.raises(StatusPageError):
        services.status_page_publish(page=page, actor=alice, incident=drill)
    page.refresh_from_db()
    assert page.state == PageState.DRAFT and page.incident is None
    with django_capture_on_commit_callbacks(execute=True):  # for a real incident it is published
        real = open_record(org_a, alice, drill=False)
        assert services.status_page_publish(page=page, actor=alice, incident=real).state == PageState.PUBLISHED


@pytest.mark.parametrize("who", ["alice", "ministry"])
def test_the_page_refuses_a_drill_in_german_and_keeps_the_input(client, client_for, request, org_a, drill, who):
    if who == "ministry":  # the ministry publishes only under a mandate (statuspages.permissions)
        from tenants.models import Mandate, OrganisationKind
        from tests.factories import OrganisationFactory

        ministry_body = OrganisationFactory(kind=OrganisationKind.MINISTERIUM)
        Mandate.objects.create(principal=ministry_body, member=org_a, may_file_calloffs=True)
    web = client_for(request.getfixturevalue(who))
    shown = web.get(manage_url(org_a, drill))
    assert shown.status_code == 200 and REFUSAL in shown.content.decode()

    response = web.post(manage_url(org_a, drill), form_data(summary="Eingabe, die nicht verloren gehen darf."))
    html = response.content.decode()
    assert response.status_code == 200 and REFUSAL in html
    assert "Eingabe, die nicht verloren gehen darf." in html
    assert not StatusPage.objects.exists()
    assert client.get(reverse("statuspages:public", args=["stadt-a"])).status_code == 404


def test_an_outsider_gets_404_for_a_drills_page(client_for, charlie, org_a, drill):
    assert client_for(charlie).get(manage_url(org_a, drill)).status_code == 404
    assert client_for(charlie).post(manage_url(org_a, drill), form_data()).status_code == 404
    assert not StatusPage.objects.exists()
