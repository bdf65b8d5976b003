import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_callers_see_the_emergency_button_members_do_not(client_for, alice, bob):
    assert "Notfall-Abruf starten" in client_for(alice).get(reverse("home")).content.decode()
    assert "Notfall-Abruf starten" not in client_for(bob).get(reverse("home")).content.decode()


def test_the_login_page_does_not_invite_to_sign_up(client):
    content = client.get(reverse("account_login")).content.decode()
    assert "nur auf Einladung" in content
    assert reverse("account_signup") not in content


def test_an_invitation_link_works_before_mfa_is_set_up(client_for, body_admin, org_a):
    from tenants import services
    from tests.factories import UserFactory

    _invitation, token = services.invitation_create(
        actor=body_admin, email="noch.ohne.mfa@example.org", organisation=org_a, role="member"
    )
    user = UserFactory(email="noch.ohne.mfa@example.org", mfa=False)
    response = client_for(user).get(reverse("tenants:invitation_accept", args=[token]))
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert user.memberships.filter(organisation=org_a).exists()


def test_only_the_longest_matching_nav_entry_is_current(client_for, ministry):
    import re

    content = client_for(ministry).get(reverse("calloffs:contract_dashboard")).content.decode()
    current = re.findall(r'<a[^>]*aria-current="page"[^>]*>([^<]+)</a>', content)
    assert current == ["Rahmenvertrag"]


# --- The provider's home: its open offers with the answer deadline, running call-offs, deadlines ---------


@pytest.mark.parametrize(
    ("now", "shown"),
    [
        # The deadline on the same day: its time; past midnight: date and time (the test failed when CI
        # ran at 23:50, where the answer window ends the next day).
        ("2026-12-05 10:00 +01:00", "{local:%H:%M} Uhr"),
        ("2026-12-05 23:55 +01:00", "{local:%d.%m.%Y %H:%M}"),
    ],
)
def test_a_provider_sees_its_open_offer_with_the_answer_deadline(client_for, file_calloff, setup, now, shown):
    import time_machine

    with time_machine.travel(now, tick=False):
        _provider_home_shows_the_offer(client_for, file_calloff, setup, shown)


def _provider_home_shows_the_offer(client_for, file_calloff, setup, shown):
    from django.utils import timezone

    calloff = file_calloff()
    offer = calloff.offers.get(state="open")
    assert offer.provider == setup.providers[0]
    content = client_for(setup.staff[0]).get(reverse("home")).content.decode()
    assert "Offene Angebote an P1" in content
    assert calloff.number in content and "Antwort bis" in content
    # Readable without JavaScript: the deadline as a time and the time left at loading.
    local = timezone.localtime(offer.respond_by)
    assert f'datetime="{local.isoformat()}"' in content
    assert shown.format(local=local) in content and "(noch " in content
    assert "js/home.js" in content
    assert "keiner Stelle zugeordnet" not in content


def test_another_providers_offers_and_calloffs_never_appear(client_for, drive, file_calloff, setup):
    offered = file_calloff()  # open to P1
    running = drive("accepted")  # P1's
    p2 = client_for(setup.staff[1]).get(reverse("home")).content.decode()
    assert "Offene Angebote an P2" in p2
    assert offered.number not in p2 and running.number not in p2
    assert "Zurzeit liegt Ihnen kein Angebot vor." in p2 and "Keine laufenden Abrufe." in p2


def test_a_provider_sees_its_running_calloffs_and_their_deadlines(client_for, drive, setup):
    from django.utils import timezone

    calloff = drive("accepted")
    assert calloff.callback_due_at and calloff.remote_start_due_at and calloff.onsite_due_at
    content = client_for(setup.staff[0]).get(reverse("home")).content.decode()
    running = content.split('id="home-running"')[1].split("</section>")[0]
    assert calloff.number in running and "Angenommen" in running
    deadlines = content.split('id="home-deadlines"')[1].split("</section>")[0]
    for label in ("Erster Rückruf", "Beginn der Remote-Unterstützung", "Vor Ort"):
        assert label in deadlines
    # The earliest first.
    assert deadlines.index("Erster Rückruf") < deadlines.index("Beginn der Remote-Unterstützung")
    assert timezone.localtime(calloff.callback_due_at).isoformat() in deadlines


def test_a_reached_milestone_is_no_longer_a_deadline(client_for, drive, setup):
    from calloffs.services.milestones import calloff_record_milestone

    calloff = drive("accepted")
    calloff_record_milestone(calloff=calloff, provider=setup.providers[0], actor=setup.staff[0], kind="callback_made")
    deadlines = client_for(setup.staff[0]).get(reverse("home")).content.decode().split('id="home-deadlines"')[1]
    assert "Erster Rückruf" not in deadlines.split("</section>")[0]


def test_an_overdue_deadline_says_so_in_words(client_for, drive, setup):
    from datetime import timedelta

    import time_machine

    calloff = drive("accepted")
    with time_machine.travel(calloff.callback_due_at + timedelta(minutes=1)):
        deadlines = client_for(setup.staff[0]).get(reverse("home")).content.decode().split('id="home-deadlines"')[1]
    deadlines = deadlines.split("</section>")[0]
    assert "überschritten" in deadlines and "(abgelaufen)" in deadlines


# --- The ministry's home: what needs the ministry ------------------------------------------------


def test_the_ministry_sees_unassigned_calloffs_alerts_expiring_offers_and_breaches(
    client_for, drive, file_calloff, ministry, setup
):
    from datetime import timedelta

    import time_machine

    from calloffs.services.sla import sla_breach_detect

    stuck = drive("unassigned")
    expiring = file_calloff()
    late = drive("accepted")
    with time_machine.travel(late.callback_due_at + timedelta(minutes=1)):
        assert sla_breach_detect(calloff_id=late.pk, milestone="callback") is not None
    content = client_for(ministry).get(reverse("home")).content.decode()
    assert "Sie sind keiner einzelnen Stelle zugeordnet" not in content

    def section(name):
        return content.split(f'id="home-{name}"')[1].split("</section>")[0]

    assert stuck.number in section("unassigned")
    assert "Kein Dienstleister verfügbar" in section("alerts")
    assert expiring.number in section("expiring") and "Angefragt bei P" in section("expiring")
    assert late.number in section("breaches") and "Erster Rückruf" in section("breaches")
    # Ministry staff may file on behalf of a body (calloffs.permissions.can_file_any).
    assert "Notfall-Abruf starten" in content


def test_bodies_staff_see_neither_the_ministry_nor_the_provider_sections(client_for, alice, drive):
    drive("unassigned")
    content = client_for(alice).get(reverse("home")).content.decode()
    assert 'id="home-unassigned"' not in content and 'id="home-offers"' not in content
    assert "Ihre Stellen" in content


# --- Navigation per role ---------------------------------------------------------------------------


def nav_labels(client, user):
    import re

    content = client(user).get(reverse("home")).content.decode()
    nav = content.split('aria-label="Hauptnavigation"')[1].split("</nav>")[0]
    return re.findall(r"<a[^>]*>([^<]+)</a>", nav)


def test_each_role_sees_only_the_navigation_it_can_use(client_for, alice, bob, ministry, setup):
    from tests.factories import UserFactory

    # A caller or administrator publishes the body's status page; a read-only member does not.
    assert nav_labels(client_for, alice) == ["Übersicht", "Abrufe", "Vorfälle", "Abrechnung", "Stellen", "Statusseiten"]
    assert nav_labels(client_for, bob) == ["Übersicht", "Abrufe", "Vorfälle", "Abrechnung", "Stellen"]
    # Provider staff: no registry of bodies (it would show them an empty list), their webhooks and
    # their own billing data (the seller on their invoices) instead.
    assert nav_labels(client_for, setup.staff[0]) == [
        "Übersicht",
        "Abrufe",
        "Vorfälle",
        "Abrechnung",
        "Webhooks",
        "Rechnungsdaten",
    ]
    assert nav_labels(client_for, ministry) == [
        "Übersicht",
        "Abrufe",
        "Vorfälle",
        "Abrechnung",
        "Stellen",
        "Statusseiten",
        "Lagebild",
        "Bereitschaft",
        "Rahmenvertrag",
        "Monatsbericht",
        "Zugangsanträge",
    ]
    # An account with no body and no provider yet: only the home page, which says what to do.
    nobody = UserFactory()
    assert nav_labels(client_for, nobody) == ["Übersicht"]
    assert "keiner Stelle zugeordnet" in client_for(nobody).get(reverse("home")).content.decode()


def test_every_navigation_entry_opens_for_its_role(client_for, alice, ministry, setup):
    import re

    for user in (alice, ministry, setup.staff[0]):
        content = client_for(user).get(reverse("home")).content.decode()
        nav = content.split('aria-label="Hauptnavigation"')[1].split("</nav>")[0]
        for url in re.findall(r'href="([^"]+)"', nav):
            assert client_for(user).get(url).status_code == 200, (user.email, url)


def test_the_ministry_reaches_the_shared_indicators_from_its_home_page(client_for, ministry, alice):
    import re

    url = reverse("aftercare:matches")
    content = client_for(ministry).get(reverse("home")).content.decode()
    links = dict(re.findall(r'<a class="kern-link" href="([^"]+)">([^<]+)</a>', content))
    assert links.get(url) == "Indikatoren bei mehreren Stellen"
    assert client_for(ministry).get(url).status_code == 200
    # A body's member sees neither the link nor the page.
    assert url not in client_for(alice).get(reverse("home")).content.decode()
    assert client_for(alice).get(url).status_code == 404


def test_the_navigation_follows_the_script_prefix(rf, alice):
    """The navigation's URLs are kept per URL conf and script prefix (digisos.context_processors._url)."""
    from django.urls import get_script_prefix, set_script_prefix

    from digisos.context_processors import portal

    request = rf.get("/")
    request.user = alice

    def urls():
        return [url for _label, url, _current in portal(request)["portal_nav"]]

    assert "/abrufe/" in urls()
    before = get_script_prefix()
    try:
        set_script_prefix("/portal/")
        assert "/portal/abrufe/" in urls() and "/abrufe/" not in urls()
    finally:
        set_script_prefix(before)
    assert "/abrufe/" in urls()
