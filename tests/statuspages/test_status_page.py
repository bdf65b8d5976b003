"""The residents' status page: publish from the incident page, serve from the cache, 404 unless
published, access for the body, a principal under a mandate and the ministry; plausible input."""

import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import DataError, IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from incidents import services as incident_services
from incidents.models import Category
from statuspages import public, services
from statuspages.models import PageState, StatusPage
from tenants.models import AuditEntry, Mandate, OrganisationKind, Role
from tests.factories import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def incident(org_a, alice):
    return incident_services.incident_open_or_attach(
        organisation=org_a,
        incident=None,
        title="Ransomware im Rathaus",
        category=Category.RANSOMWARE,
        became_aware_at=timezone.now() - timedelta(hours=3),
        operations_halted=True,
        affected_systems="Fachverfahren",
        actor=alice,
    )


def form_data(action="save_publish", **overrides):
    data = {
        "action": action,
        "headline": "Die Stadtverwaltung ist nur eingeschränkt erreichbar",
        "summary": "Nach einem IT-Angriff sind viele Dienste der Verwaltung nicht verfügbar.",
        "phone": "+49 2761 123456",
        "opening_hours": "Bürgerbüro: Mo–Fr 8–12 Uhr",
        "dienst-TOTAL_FORMS": "2",
        "dienst-INITIAL_FORMS": "0",
        "dienst-MIN_NUM_FORMS": "0",
        "dienst-MAX_NUM_FORMS": "20",
        "dienst-0-name": "Personalausweis",
        "dienst-0-state": "unavailable",
        "dienst-0-alternative": "Bitte wenden Sie sich an das Bürgerbüro der Nachbarstadt.",
        "dienst-1-name": "",
        "dienst-1-state": "unavailable",
        "dienst-1-alternative": "",
    }
    data.update(overrides)
    return data


def manage_url(organisation, incident=None):
    url = reverse("statuspages:manage", args=[organisation.public_id])
    return f"{url}?vorfall={incident.public_id}" if incident else url


def publish(client, organisation, incident, django_capture_on_commit_callbacks, **overrides):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(manage_url(organisation, incident), form_data(**overrides))
    assert response.status_code == 302, response.content.decode()[:2000]
    return StatusPage.objects.get(organisation=organisation)


def test_incident_page_links_to_the_status_page_for_those_who_may_publish(client_for, alice, bob, incident):
    url = reverse("incidents:detail", args=[incident.public_id])
    link = manage_url(incident.organisation, incident)
    assert link in client_for(alice).get(url).content.decode()
    assert link not in client_for(bob).get(url).content.decode()


def test_publish_from_the_incident_page_then_anyone_reads_it(
    client, client_for, alice, org_a, incident, django_capture_on_commit_callbacks
):
    page = publish(client_for(alice), org_a, incident, django_capture_on_commit_callbacks)
    assert page.state == PageState.PUBLISHED and page.incident == incident and page.slug == "stadt-a"
    response = client.get(reverse("statuspages:public", args=[page.slug]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Die Stadtverwaltung ist nur eingeschränkt erreichbar" in html
    assert "Personalausweis" in html and "Nachbarstadt" in html and "nicht verfügbar" in html
    assert 'href="tel:+492761123456"' in html
    assert "csrfmiddlewaretoken" not in html and "alice@example.org" not in html
    assert response["Cache-Control"] == "public, max-age=60"
    actions = list(AuditEntry.objects.filter(organisation=org_a).values_list("action", flat=True))
    assert "statuspage.created" in actions and "statuspage.published" in actions


def test_a_cached_page_and_feed_run_no_query(
    client, client_for, alice, org_a, incident, django_capture_on_commit_callbacks, django_assert_num_queries
):
    page = publish(client_for(alice), org_a, incident, django_capture_on_commit_callbacks)
    for name in ("statuspages:public", "statuspages:public_en", "statuspages:feed", "statuspages:feed_en"):
        with django_assert_num_queries(0):
            assert client.get(reverse(name, args=[page.slug])).status_code == 200


def test_a_cold_cache_reads_the_database_once_then_serves_from_the_cache(
    client, client_for, alice, org_a, incident, django_capture_on_commit_callbacks, django_assert_num_queries
):
    page = publish(client_for(alice), org_a, incident, django_capture_on_commit_callbacks)
    cache.clear()
    url = reverse("statuspages:public", args=[page.slug])
    with django_assert_num_queries(3):  # the page with its body, its services, its updates
        first = client.get(url)
    with django_assert_num_queries(0):
        second = client.get(url)
    assert first.content == second.content


def test_unpublished_pages_are_not_found(
    client, client_for, alice, org_a, incident, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client_for(alice).post(manage_url(org_a, incident), form_data(action="save"))
    page = StatusPage.objects.get(organisation=org_a)
    assert page.state == PageState.DRAFT
    for name in ("statuspages:public", "statuspages:public_en", "statuspages:feed"):
        assert client.get(reverse(name, args=[page.slug])).status_code == 404
    assert client.get(reverse("statuspages:public", args=["gibt-es-nicht"])).status_code == 404


def test_publishing_replaces_a_remembered_not_found(
    client, client_for, alice, org_a, incident, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client_for(alice).post(manage_url(org_a, incident), form_data(action="save"))
    page = StatusPage.objects.get(organisation=org_a)
    url = reverse("statuspages:public", args=[page.slug])
    assert client.get(url).status_code == 404  # remembered as GONE for a minute
    with django_capture_on_commit_callbacks(execute=True):
        client_for(alice).post(manage_url(org_a, incident), {"action": "publish"})
    assert client.get(url).status_code == 200


def test_withdrawing_takes_the_cached_page_down(
    client, client_for, alice, org_a, incident, django_capture_on_commit_callbacks
):
    page = publish(client_for(alice), org_a, incident, django_capture_on_commit_callbacks)
    url = reverse("statuspages:public", args=[page.slug])
    assert client.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        client_for(alice).post(manage_url(org_a), {"action": "withdraw"})
    assert client.get(url).status_code == 404
    assert client.get(reverse("statuspages:feed", args=[page.slug])).status_code == 404


def test_a_stale_reader_cannot_overwrite_a_change(
    client_for, alice, org_a, incident, django_capture_on_commit_callbacks
):
    """A reader that rendered before a change fills the slot with add(): the change's copy wins."""
    page = publish(client_for(alice), org_a, incident, django_capture_on_commit_callbacks)
    key = public.cache_key(page.slug, "de", "html")
    with django_capture_on_commit_callbacks(execute=True):
        services.status_update_post(page=page, actor=alice, text="Das Bürgerbüro öffnet morgen wieder.")
    assert cache.add(key, b"stale", public.TIMEOUT) is False
    assert "Das Bürgerbüro öffnet morgen wieder." in public.get(page.slug, "de", "html").decode()


def test_updates_appear_with_their_time_on_the_page_and_in_the_feed(
    client, client_for, alice, org_a, incident, django_capture_on_commit_callbacks
):
    page = publish(client_for(alice), org_a, incident, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(alice).post(manage_url(org_a), {"action": "update", "text": "Kfz-Zulassung ab Montag."})
    assert response.status_code == 302
    update = page.updates.get()
    html = client.get(reverse("statuspages:public", args=[page.slug])).content.decode()
    assert "Kfz-Zulassung ab Montag." in html
    assert f'datetime="{timezone.localtime(update.at).isoformat()}"' in html
    feed = client.get(reverse("statuspages:feed", args=[page.slug]))
    assert feed["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(feed.content)
    entries = root.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}summary").text for e in entries] == ["Kfz-Zulassung ab Montag."]
    assert entries[0].find(f"{ATOM}id").text == f"urn:uuid:{update.public_id}"
    assert root.find(f"{ATOM}link").get("href").startswith("http")
    assert "statuspage.update_posted" in AuditEntry.objects.values_list("action", flat=True)


def test_english_page_is_marked_english(client, client_for, alice, org_a, incident, django_capture_on_commit_callbacks):
    page = publish(client_for(alice), org_a, incident, django_capture_on_commit_callbacks)
    en = client.get(reverse("statuspages:public_en", args=[page.slug]))
    assert en.status_code == 200 and '<html lang="en">' in en.content.decode()
    assert en["Content-Language"] == "en"
    assert "Latest updates" in en.content.decode() and "How to reach us" in en.content.decode()
    de = client.get(reverse("statuspages:public", args=[page.slug]))
    assert '<html lang="de">' in de.content.decode()


# --- access ---------------------------------------------------------------------------------------


def test_it_checks_ownership(client_for, charlie, org_a, incident):
    assert client_for(charlie).get(manage_url(org_a)).status_code == 404
    assert client_for(charlie).post(manage_url(org_a), form_data()).status_code == 404
    assert not StatusPage.objects.exists()


def test_an_incident_of_another_body_is_not_found(client_for, charlie, org_b, incident):
    assert client_for(charlie).get(manage_url(org_b, incident)).status_code == 404


def test_it_requires_rw_access(client_for, bob, org_a, incident):
    assert client_for(bob).get(manage_url(org_a)).status_code == 403
    assert client_for(bob).post(manage_url(org_a), form_data()).status_code == 403
    assert not StatusPage.objects.exists()


def test_anonymous_cannot_manage(client, org_a):
    response = client.get(manage_url(org_a))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_ministry_publishes_for_a_body(
    client, client_for, ministry, org_a, incident, django_capture_on_commit_callbacks
):
    # Only under a mandate in force, to act in the body's name, given to a ministry.
    ministry_body = OrganisationFactory(name="Ministerium für Heimat", kind=OrganisationKind.MINISTERIUM)
    Mandate.objects.create(principal=ministry_body, member=org_a, may_file_calloffs=True)
    page = publish(client_for(ministry), org_a, incident, django_capture_on_commit_callbacks)
    assert client.get(reverse("statuspages:public", args=[page.slug])).status_code == 200
    entry = AuditEntry.objects.filter(action="statuspage.published").get()
    assert entry.details["on_behalf"] == "ministry"


def test_a_principal_under_a_mandate_publishes_for_its_member(
    client, client_for, org_a, ministry, django_capture_on_commit_callbacks
):
    provider_body = OrganisationFactory(name="Kommunaler IT-Dienstleister")
    staff = MembershipFactory(organisation=provider_body, role=Role.CALLER).user
    assert client_for(staff).get(manage_url(org_a)).status_code == 404  # no mandate yet
    Mandate.objects.create(principal=provider_body, member=org_a, may_file_calloffs=True)
    page = publish(client_for(staff), org_a, None, django_capture_on_commit_callbacks)
    assert client.get(reverse("statuspages:public", args=[page.slug])).status_code == 200
    entry = AuditEntry.objects.filter(action="statuspage.published").get()
    assert entry.details["on_behalf"] == "mandate:Kommunaler IT-Dienstleister"
    listing = client_for(staff).get(reverse("statuspages:list")).content.decode()
    assert org_a.name in listing


def expired_mandate(principal, member):
    return Mandate.objects.create(
        principal=principal,
        member=member,
        may_file_calloffs=True,
        valid_from=timezone.localdate() - timedelta(days=30),
        valid_until=timezone.localdate() - timedelta(days=1),
    )


def test_a_mandate_out_of_force_gives_no_right(client_for, org_a):
    provider_body = OrganisationFactory(name="Kommunaler IT-Dienstleister")
    staff = MembershipFactory(organisation=provider_body, role=Role.CALLER).user
    expired_mandate(provider_body, org_a)
    assert client_for(staff).get(manage_url(org_a)).status_code == 404


# --- plausible input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("headline", "x", "mindestens 3 Zeichen"),
        ("headline", "x" * 161, "höchstens 160 Zeichen"),
        ("summary", "kurz", "mindestens 10 Zeichen"),
        ("phone", "bitte anrufen", "Telefonnummer mit Ziffern"),
        ("dienst-0-name", "y" * 121, "höchstens 120 Zeichen"),
        ("dienst-0-state", "kaputt", "Auswahl"),
    ],
)
def test_implausible_input_is_refused_in_german(client_for, alice, org_a, field, value, message):
    response = client_for(alice).post(manage_url(org_a), form_data(**{field: value}))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not StatusPage.objects.exists()


def test_too_many_services_are_refused(client_for, alice, org_a):
    data = form_data(**{"dienst-TOTAL_FORMS": "21"})
    for i in range(21):
        data.update({f"dienst-{i}-name": f"Dienst {i}", f"dienst-{i}-state": "limited"})
    response = client_for(alice).post(manage_url(org_a), data)
    assert response.status_code == 200 and not StatusPage.objects.exists()


def test_the_database_refuses_implausible_values(alice, org_a, incident, django_capture_on_commit_callbacks):
    page = services.status_page_save(
        organisation=org_a,
        actor=alice,
        headline="Eingeschränkt",
        summary="Viele Dienste fallen aus.",
        phone="0271 1234",
    )
    for changes in (
        {"headline": "x" * 200},
        {"summary": "kurz"},
        {"phone": "1"},
        {"state": "offline"},
        {"state": PageState.PUBLISHED, "published_at": None},
        {"changed_at": timezone.now().replace(year=1990)},
    ):
        with pytest.raises((IntegrityError, DataError)), transaction.atomic():
            StatusPage.objects.filter(pk=page.pk).update(**changes)
    from statuspages.models import ServiceNotice, StatusUpdate

    for row in (
        ServiceNotice(page=page, name="Kfz", state="unavailable", position=20),
        ServiceNotice(page=page, name="Kfz", state="weg", position=0),
        ServiceNotice(page=page, name="Kfz", state="unavailable", alternative="z" * 601),
        StatusUpdate(page=page, text="ok"),
    ):
        with pytest.raises((IntegrityError, DataError)), transaction.atomic():
            row.save()


def test_a_withdrawn_page_takes_no_updates(alice, org_a):
    from statuspages.errors import StatusPageError

    page = services.status_page_save(
        organisation=org_a,
        actor=alice,
        headline="Eingeschränkt",
        summary="Viele Dienste fallen aus.",
        phone="0271 1234",
    )
    page = services.status_page_publish(page=page, actor=alice)
    page = services.status_page_withdraw(page=page, actor=alice)
    with pytest.raises(StatusPageError):
        services.status_update_post(page=page, actor=alice, text="Noch etwas")
    with pytest.raises(StatusPageError):
        services.status_page_withdraw(page=page, actor=alice)


def test_on_the_english_page_and_feed_the_bodys_german_text_is_marked_german(
    client, client_for, alice, org_a, incident, django_capture_on_commit_callbacks
):
    """WCAG 3.1.2 (language of parts): what the body wrote stays German on the English page."""
    page = publish(client_for(alice), org_a, incident, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        services.status_update_post(page=page, actor=alice, text="Das Bürgerbüro öffnet morgen wieder.")
    from html.parser import HTMLParser

    class Langs(HTMLParser):
        def __init__(self):
            super().__init__()
            self.stack, self.found = [], {}

        def handle_starttag(self, tag, attrs):
            if tag in ("area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"):
                return  # void: no end tag to pop it
            self.stack.append(dict(attrs).get("lang") or (self.stack[-1] if self.stack else None))

        def handle_endtag(self, tag):
            if self.stack:
                self.stack.pop()

        def handle_data(self, data):
            if data.strip() and self.stack:
                self.found.setdefault(data.strip(), self.stack[-1])

    def languages(html):
        parser = Langs()
        parser.feed(html)
        return parser.found

    written = (
        "Die Stadtverwaltung ist nur eingeschränkt erreichbar",
        "Nach einem IT-Angriff sind viele Dienste der Verwaltung nicht verfügbar.",
        "Bürgerbüro: Mo–Fr 8–12 Uhr",
        "Personalausweis",
        "Bitte wenden Sie sich an das Bürgerbüro der Nachbarstadt.",
        "Das Bürgerbüro öffnet morgen wieder.",
    )
    en = languages(client.get(reverse("statuspages:public_en", args=[page.slug])).content.decode())
    for text in written:
        assert en[text] == "de", text
    assert en["How to reach us"] == "en"
    de = client.get(reverse("statuspages:public", args=[page.slug])).content.decode()
    assert languages(de)["Personalausweis"] == "de" and ' lang="de">Personalausweis' not in de

    xml_lang = "{http://www.w3.org/XML/1998/namespace}lang"
    feed_en = ET.fromstring(client.get(reverse("statuspages:feed_en", args=[page.slug])).content)
    assert feed_en.get(xml_lang) == "en"
    assert [e.get(xml_lang) for e in feed_en.findall(f"{ATOM}entry")] == ["de"]
    # The subtitle is the body's headline: German in the English feed; the feed's own title is the portal's.
    subtitle = feed_en.find(f"{ATOM}subtitle")
    assert subtitle.text == "Die Stadtverwaltung ist nur eingeschränkt erreichbar" and subtitle.get(xml_lang) == "de"
    assert feed_en.find(f"{ATOM}title").get(xml_lang) is None
    feed_de = ET.fromstring(client.get(reverse("statuspages:feed", args=[page.slug])).content)
    assert feed_de.get(xml_lang) == "de" and [e.get(xml_lang) for e in feed_de.findall(f"{ATOM}entry")] == [None]
    assert feed_de.find(f"{ATOM}subtitle").get(xml_lang) is None  # German in a German feed: nothing to mark


def test_the_english_pages_title_is_the_bodys_german_headline_marked_german(
    client, client_for, alice, org_a, incident, django_capture_on_commit_callbacks
):
    """WCAG 3.1.2: the <title> is the body's headline (and its name), German also on the English page."""
    import re

    page = publish(client_for(alice), org_a, incident, django_capture_on_commit_callbacks)
    en = client.get(reverse("statuspages:public_en", args=[page.slug])).content.decode()
    assert '<html lang="en">' in en
    title = re.search(r"<title([^>]*)>([^<]*)</title>", en)
    assert title.group(1) == ' lang="de"' and title.group(2).startswith(page.headline)
    de = client.get(reverse("statuspages:public", args=[page.slug])).content.decode()
    assert re.search(r"<title([^>]*)>", de).group(1) == ""  # the page is German: nothing to mark


# --- review findings: publishing for another body needs a mandate in force with the scope to act in
# its name, for a principal's staff and for the ministry alike


def test_the_ministry_without_a_mandate_may_not_publish(client_for, ministry, org_a, org_b, incident):
    assert client_for(ministry).post(manage_url(org_a, incident), form_data()).status_code == 403
    ministry_body = OrganisationFactory(name="Ministerium für Heimat", kind=OrganisationKind.MINISTERIUM)
    # A mandate without the scope to act in the body's name, one out of force, one for another body,
    # and one to a principal that is no ministry give the ministry nothing.
    Mandate.objects.create(principal=ministry_body, member=org_a, may_file_calloffs=False)
    expired_mandate(ministry_body, org_b)
    Mandate.objects.create(principal=OrganisationFactory(), member=org_a, may_file_calloffs=True)
    for body in (org_a, org_b):
        assert client_for(ministry).post(manage_url(body), form_data()).status_code == 403
    assert not StatusPage.objects.exists()
    with pytest.raises(PermissionDenied):
        services.status_page_save(
            organisation=org_a, actor=ministry, headline="Eingeschränkt", summary="Text", phone="+49 2761 1"
        )


def test_a_mandate_without_the_scope_to_act_gives_no_right(client_for, org_a):
    provider_body = OrganisationFactory(name="Kommunaler IT-Dienstleister")
    staff = MembershipFactory(organisation=provider_body, role=Role.CALLER).user
    Mandate.objects.create(principal=provider_body, member=org_a, may_file_calloffs=False)
    assert client_for(staff).get(manage_url(org_a)).status_code == 404
    assert client_for(staff).post(manage_url(org_a), form_data()).status_code == 404
    assert org_a.name not in client_for(staff).get(reverse("statuspages:list")).content.decode()
    assert not StatusPage.objects.exists()
