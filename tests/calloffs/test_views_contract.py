"""Contract administration pages: who may see them (ministry only, 404 for everyone else), the
contract page with its ceiling figures, the ministry dashboard with alerts and provider load, and
query counts that do not grow with the number of providers."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from calloffs import selectors, services
from calloffs.models import AlertKind, CallOffState, MinistryAlert
from calloffs.services.ceiling import format_eur
from tests.calloffs.factories import ProviderFactory, ProviderRankFactory, ProviderStaffFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def alert(setup):
    return MinistryAlert.objects.create(
        kind=AlertKind.SLA_BREACH, contract=setup.contract, message="P2 hat die Annahmefrist überschritten."
    )


def page_urls(setup, alert):
    """Every page of the contract administration, with the method to call it."""
    c, p = setup.contract.public_id, setup.providers[0].public_id
    return [
        ("get", reverse("calloffs:contract_dashboard")),
        ("get", reverse("calloffs:contract_create")),
        ("get", reverse("calloffs:contract_detail", args=[c])),
        ("get", reverse("calloffs:contract_edit", args=[c])),
        ("get", reverse("calloffs:contract_entitled", args=[c])),
        ("get", reverse("calloffs:contract_module_create", args=[c])),
        ("get", reverse("calloffs:contract_module_edit", args=[c, setup.modules.remote.public_id])),
        ("get", reverse("calloffs:contract_role_create", args=[c])),
        ("get", reverse("calloffs:contract_role_edit", args=[c, setup.roles.lead.public_id])),
        ("get", reverse("calloffs:contract_sla_edit", args=[c, "P1"])),
        ("get", reverse("calloffs:contract_ranking", args=[c])),
        ("get", reverse("calloffs:contract_ranking_edit", args=[c])),
        ("get", reverse("calloffs:contract_ranking_version", args=[c, 1])),
        ("get", reverse("calloffs:contract_provider_list")),
        ("get", reverse("calloffs:contract_provider_create")),
        ("get", reverse("calloffs:contract_provider_detail", args=[p])),
        ("get", reverse("calloffs:contract_provider_edit", args=[p])),
        ("get", reverse("calloffs:contract_provider_contact_create", args=[p])),
        ("post", reverse("calloffs:contract_provider_staff_add", args=[p])),
        ("post", reverse("calloffs:contract_provider_staff_remove", args=[p])),
        ("post", reverse("calloffs:contract_alert_ack", args=[alert.public_id])),
    ]


# --- Access -------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["alice", "bob", "charlie", "provider_staff"])
def test_it_checks_ownership_everyone_but_the_ministry_gets_404(request, client_for, setup, alert, persona):
    user = setup.staff[0] if persona == "provider_staff" else request.getfixturevalue(persona)
    client = client_for(user)
    for method, url in page_urls(setup, alert):
        response = getattr(client, method)(
            url, {"email": "x@example.org", "membership": "1"} if method == "post" else {}
        )
        assert response.status_code == 404, (persona, url)
    alert.refresh_from_db()
    assert alert.acknowledged_at is None


def test_ministry_gets_every_page(client_for, setup, alert, ministry):
    client = client_for(ministry)
    for method, url in page_urls(setup, alert):
        if method == "get":
            assert client.get(url).status_code == 200, url


def test_anonymous_users_are_sent_to_login(client, setup, alert):
    for method, url in page_urls(setup, alert):
        response = getattr(client, method)(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


def test_ministry_staff_see_the_nav_entry_others_do_not(client_for, setup, ministry, alice):
    url = reverse("calloffs:contract_dashboard")
    assert f'href="{url}"' in client_for(ministry).get(reverse("home")).content.decode()
    assert f'href="{url}"' not in client_for(alice).get(reverse("home")).content.decode()


def test_unknown_ids_are_404_not_500(client_for, setup, ministry):
    client = client_for(ministry)
    c = setup.contract.public_id
    for url in (
        reverse("calloffs:contract_detail", args=["00000000-0000-0000-0000-000000000000"]),
        reverse("calloffs:contract_sla_edit", args=[c, "P9"]),
        reverse("calloffs:contract_ranking_version", args=[c, 99]),
        reverse("calloffs:contract_ranking_version", args=[c, 10**30]),
        reverse("calloffs:contract_module_edit", args=[c, setup.roles.lead.public_id]),  # a role's id, not a module's
        f"/abrufe/vertrag/{c}/rangfolge/v{'9' * 5000}/",
    ):
        assert client.get(url).status_code == 404, url[:120]


# --- Contract page and ceiling --------------------------------------------------------------


def figure(content: str, name: str) -> str:
    marker = f'data-figure="{name}">'
    start = content.index(marker) + len(marker)
    return content[start : content.index("<", start)].strip()


def eur(value: Decimal) -> str:
    return format_eur(value).replace(" €", "\u00a0€")


def test_the_contract_page_shows_the_ceiling_figures_of_the_selector(client_for, setup, ministry, file_calloff, drive):
    file_calloff(services=[(setup.modules.remote, 10)])  # 2.100 €
    file_calloff(services=[(setup.modules.workshop, 1), (setup.modules.onsite, 8)])  # 3.500 + 1.920 €
    calloff = drive(CallOffState.IN_PROGRESS)  # 40 h remote = 8.400 €
    services.time_entry_add(
        calloff=calloff,
        provider=setup.providers[0],
        actor=setup.staff[0],
        date=timezone.localdate(),
        hours="3.5",
        role=setup.roles.lead,
        description="Erstanalyse",
    )
    status = selectors.contract_ceiling_status(setup.contract)
    # Hours recorded are not consumed until a statement over them is approved (tests/settlement).
    assert status.committed == Decimal("15920.00") and status.consumed == Decimal("0.00")

    content = client_for(ministry).get(reverse("calloffs:contract_detail", args=[setup.contract.public_id])).content
    content = content.decode()
    assert figure(content, "committed") == eur(status.committed) == "15.920,00\u00a0€"
    assert figure(content, "consumed") == eur(status.consumed) == "0,00\u00a0€"
    assert figure(content, "remaining") == eur(status.remaining) == "1.184.080,00\u00a0€"
    assert figure(content, "ceiling") == "1.200.000,00\u00a0€"
    # The labels say what the figures are: committed is the estimate less what is consumed, consumed
    # the approved statements (not the hours recorded).
    assert '<dt>Gebunden (Schätzung abzüglich Verbrauchtem)</dt><dd data-figure="committed">' in content
    assert '<dt>Verbraucht (freigegebene Leistungsnachweise)</dt><dd data-figure="consumed">' in content
    assert "Abrufe, geschätzt" not in content and "Verbraucht (Leistungsnachweise)" not in content
    # The bar says in words what it shows (not by colour alone).
    assert "Gebunden: 1,3\u00a0% des Höchstwerts" in content
    assert '<progress max="100" value="1.3"' in content
    assert "erschöpft" not in content


def test_an_exhausted_contract_says_so_and_lists_the_flagged_call_offs(client_for, setup, ministry, file_calloff):
    setup.contract.estimated_value = Decimal("8000.00")
    setup.contract.ceiling = Decimal("10000.00")
    setup.contract.save()
    file_calloff(services=[(setup.modules.remote, 40)])  # 8.400 €
    flagged = file_calloff(services=[(setup.modules.remote, 20)])  # 4.200 € > 1.600 € left
    assert flagged.exceeds_ceiling

    content = client_for(ministry).get(reverse("calloffs:contract_detail", args=[setup.contract.public_id]))
    content = content.content.decode()
    assert "Höchstwert erschöpft" in content and ">erschöpft<" in content
    assert figure(content, "remaining") == "-2.600,00\u00a0€"
    assert "überschritten um 2.600,00\u00a0€" in content
    assert flagged.number in content
    assert '<progress max="100" value="100"' in content  # capped, the text gives 126 %
    assert "Gebunden: 126,0\u00a0% des Höchstwerts" in content


def test_the_contract_page_shows_terms_sla_and_current_ranking(client_for, setup, ministry):
    content = client_for(ministry).get(reverse("calloffs:contract_detail", args=[setup.contract.public_id]))
    content = content.content.decode()
    assert "210,00\u00a0€" in content and "3.500,00\u00a0€" in content  # module prices
    assert "250,00\u00a0€" in content  # hourly rate of the lead
    assert "15 Minuten" in content and "4 Stunden" in content and "1 Tag" in content and "3 Tage" in content
    assert "Version 1" in content
    for provider in setup.providers:
        assert provider.short_name in content


# --- Dashboard: alerts and load -------------------------------------------------------------


def test_the_dashboard_lists_open_alerts_and_acknowledges_one(client_for, setup, ministry, alert):
    done = MinistryAlert.objects.create(kind=AlertKind.OTHER, message="Schon erledigt.", acknowledged_at=timezone.now())
    client = client_for(ministry)
    content = client.get(reverse("calloffs:contract_dashboard")).content.decode()
    assert alert.message in content and done.message not in content
    assert "1 offene Meldung an das Ministerium" in content

    response = client.post(reverse("calloffs:contract_alert_ack", args=[alert.public_id]))
    assert response.status_code == 302 and response["Location"] == reverse("calloffs:contract_dashboard")
    alert.refresh_from_db()
    assert alert.acknowledged_by == ministry and alert.acknowledged_at is not None
    content = client.get(response["Location"]).content.decode()
    assert "Die Meldung wurde zur Kenntnis genommen." in content
    assert alert.message not in content and "0 offene Meldungen" in content


def test_acknowledging_needs_post(client_for, setup, ministry, alert):
    response = client_for(ministry).get(reverse("calloffs:contract_alert_ack", args=[alert.public_id]))
    assert response.status_code == 405
    alert.refresh_from_db()
    assert alert.acknowledged_at is None


def test_the_dashboard_shows_load_against_capacity(client_for, setup, ministry, drive):
    setup.providers[0].capacity = 1
    setup.providers[0].save()
    drive(CallOffState.ACCEPTED)  # P1 now at capacity (1 / 1)
    content = client_for(ministry).get(reverse("calloffs:contract_dashboard")).content.decode()
    assert "1 / 1" in content and "ausgelastet" in content
    assert "0 / 3" in content and "3 Einsätze frei" in content


# --- Query counts ---------------------------------------------------------------------------


def add_providers(setup, n):
    """n more providers, each ranked and with a staff account, in a new ranking version."""
    version = setup.ranking.__class__.objects.create(contract=setup.contract, number=2, reason="mehr")
    for rank, provider in enumerate(setup.providers, start=1):
        ProviderRankFactory(version=version, provider=provider, rank=rank)
    for i in range(n):
        provider = ProviderFactory()
        ProviderRankFactory(version=version, provider=provider, rank=len(setup.providers) + i + 1)
        ProviderStaffFactory(provider=provider, user=UserFactory(mfa=False))


@pytest.mark.parametrize(
    "url_name",
    [
        "calloffs:contract_provider_list",
        "calloffs:contract_detail",
        "calloffs:contract_dashboard",
        "calloffs:contract_ranking",
        "calloffs:contract_ranking_edit",
    ],
)
def test_query_count_does_not_grow_with_the_providers(client_for, setup, ministry, url_name, django_assert_num_queries):
    client = client_for(ministry)
    url = reverse(
        url_name, args=[] if "provider" in url_name or "dashboard" in url_name else [setup.contract.public_id]
    )
    client.get(url)  # warm up (session, content types)

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as four:
        assert client.get(url).status_code == 200
    add_providers(setup, 4)  # 8 providers now
    with django_assert_num_queries(len(four.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200
