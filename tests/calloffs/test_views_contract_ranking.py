"""The ranking pages: history, one version, and the form that publishes a new version (one row per
provider, optional lists per module/region, a mandatory reason). A call-off keeps its version."""

import html
import re

import pytest
from django.urls import reverse

from calloffs.contract.views import ranking as ranking_views
from calloffs.errors import InvalidInput
from calloffs.models import ProviderRank, RankingVersion
from tenants.models import Regierungsbezirk

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return html.unescape(response.content.decode())


def ranking_data(setup, general, *, lists=(), reason="Vertragsänderung Nr. 2: neue Reihenfolge", action="publish"):
    """general: {provider: rank}; lists: [(module or None, region, {provider: rank})]."""
    data = {
        "liste-TOTAL_FORMS": str(1 + len(lists)),
        "liste-INITIAL_FORMS": "1",
        "liste-MIN_NUM_FORMS": "1",
        "liste-MAX_NUM_FORMS": "30",
        "reason": reason,
        "action": action,
    }
    for provider in setup.providers:
        data[f"liste-0-rank_{provider.public_id}"] = str(general.get(provider, ""))
    for index, (module, region, ranks) in enumerate(lists, start=1):
        data[f"liste-{index}-service_module"] = str(module.public_id) if module else ""
        data[f"liste-{index}-regierungsbezirk"] = region
        for provider in setup.providers:
            data[f"liste-{index}-rank_{provider.public_id}"] = str(ranks.get(provider, ""))
    return data


@pytest.fixture
def edit_url(setup):
    return reverse("calloffs:contract_ranking_edit", args=[setup.contract.public_id])


@pytest.fixture
def ministry_client(client_for, ministry):
    return client_for(ministry)


def test_the_form_is_prefilled_with_the_current_version(ministry_client, setup, edit_url):
    content = text(ministry_client.get(edit_url))
    assert "Vorausgefüllt mit der geltenden Version 1." in content
    for rank, provider in enumerate(setup.providers, start=1):
        field = f'name="liste-0-rank_{provider.public_id}" value="{rank}"'
        assert field in content
        assert f'<label class="kern-label" for="id_liste-0-rank_{provider.public_id}">{provider.short_name}' in content


def test_publishing_creates_a_new_version_and_a_call_off_keeps_its_own(
    ministry_client, setup, edit_url, file_calloff, ministry
):
    p1, p2, p3, p4 = setup.providers
    before = file_calloff()
    assert before.ranking_version == setup.ranking and before.offers.get().provider == p1

    response = ministry_client.post(edit_url, ranking_data(setup, {p3: 1, p1: 2, p2: 5}))
    assert response.status_code == 302
    assert response["Location"] == reverse("calloffs:contract_ranking", args=[setup.contract.public_id])

    version = RankingVersion.objects.get(contract=setup.contract, number=2)
    assert version.created_by == ministry and version.reason == "Vertragsänderung Nr. 2: neue Reihenfolge"
    ranks = [(r.provider, r.rank, r.service_module, r.regierungsbezirk) for r in version.ranks.order_by("rank")]
    assert ranks == [(p3, 1, None, ""), (p1, 2, None, ""), (p2, 5, None, "")]  # P4 left empty: not ranked
    assert ProviderRank.objects.filter(version=setup.ranking).count() == 4  # version 1 is untouched

    before.refresh_from_db()
    assert before.ranking_version == setup.ranking  # the running call-off keeps version 1 …
    after = file_calloff()
    assert after.ranking_version == version and after.offers.get().provider == p3  # … a new one uses version 2

    history = text(ministry_client.get(response["Location"]))
    assert "Version 2 der Rangfolge ist veröffentlicht." in history
    assert "Geltende Version 2" in history and "Vertragsänderung Nr. 2" in history
    assert re.search(r"Version 1</a>\s*</th>", history)  # still listed, no longer marked as current
    old = text(ministry_client.get(reverse("calloffs:contract_ranking_version", args=[setup.contract.public_id, 1])))
    assert "abgelöst" in old


def test_lists_per_module_and_region_are_published(ministry_client, setup, edit_url):
    p1, p2, p3, p4 = setup.providers
    data = ranking_data(
        setup,
        {p1: 1, p2: 2, p3: 3, p4: 4},
        lists=[
            (setup.modules.forensic, "", {p3: 1, p1: 2}),
            (None, Regierungsbezirk.MUENSTER, {p4: 1, p2: 2}),
            (setup.modules.onsite, Regierungsbezirk.KOELN, {p2: 1}),
            (None, "", {}),  # an empty additional list is ignored
        ],
    )
    assert ministry_client.post(edit_url, data).status_code == 302
    version = RankingVersion.objects.get(contract=setup.contract, number=2)
    got = {(r.service_module_id, r.regierungsbezirk, r.provider_id, r.rank) for r in version.ranks.all()}
    forensic, onsite = setup.modules.forensic.pk, setup.modules.onsite.pk
    assert got == {
        (None, "", p1.pk, 1),
        (None, "", p2.pk, 2),
        (None, "", p3.pk, 3),
        (None, "", p4.pk, 4),
        (forensic, "", p3.pk, 1),
        (forensic, "", p1.pk, 2),
        (None, "Münster", p4.pk, 1),
        (None, "Münster", p2.pk, 2),
        (onsite, "Köln", p2.pk, 1),
    }
    # The page and the next form show the lists again.
    page = text(ministry_client.get(reverse("calloffs:contract_ranking", args=[setup.contract.public_id])))
    assert "FORENSIK – Forensik, alle Regierungsbezirke" in page and "alle Leistungsmodule, Münster" in page
    form = text(ministry_client.get(edit_url))
    assert f'<option value="{setup.modules.forensic.public_id}" selected>' in form
    assert "Zusätzliche Liste 5" in form  # four lists of version 2 plus one empty


def test_duplicate_ranks_are_refused_in_german_with_the_input_kept(ministry_client, setup, edit_url):
    p1, p2, p3, p4 = setup.providers
    response = ministry_client.post(edit_url, ranking_data(setup, {p1: 1, p2: 2, p3: 2, p4: 3}))
    content = text(response)
    assert response.status_code == 400
    assert "Rang 2 ist doppelt vergeben (auch P2)." in content
    assert f'name="liste-0-rank_{p3.public_id}" value="2"' in content
    assert "Vertragsänderung Nr. 2: neue Reihenfolge" in content  # the reason is kept too
    assert not RankingVersion.objects.filter(number=2).exists()


def test_duplicate_ranks_in_an_additional_list_are_refused(ministry_client, setup, edit_url):
    p1, p2, p3, p4 = setup.providers
    data = ranking_data(setup, {p1: 1}, lists=[(setup.modules.remote, "", {p2: 1, p3: 1})])
    content = text(ministry_client.post(edit_url, data))
    assert "Rang 1 ist doppelt vergeben (auch P2)." in content
    assert "Liste 2, P3" in content  # the summary says where
    assert not RankingVersion.objects.filter(number=2).exists()


@pytest.mark.parametrize(
    ("rank", "message"),
    [
        ("0", "Der Rang muss mindestens 1 sein."),
        ("-3", "Der Rang muss mindestens 1 sein."),
        ("eins", "Bitte eine ganze Zahl ab 1 eingeben."),
        ("1.5", "Bitte eine ganze Zahl ab 1 eingeben."),
        ("9" * 50, "Der Rang darf höchstens 999 sein."),
        ("9" * 5000, "Bitte eine ganze Zahl ab 1 eingeben."),
    ],
)
def test_bad_ranks_are_explained(ministry_client, setup, edit_url, rank, message):
    p1, p2, *_ = setup.providers
    response = ministry_client.post(edit_url, ranking_data(setup, {p1: 1, p2: rank}))
    assert response.status_code == 400
    assert message in text(response)
    assert not RankingVersion.objects.filter(number=2).exists()


def test_the_reason_is_mandatory(ministry_client, setup, edit_url):
    p1, *_ = setup.providers
    response = ministry_client.post(edit_url, ranking_data(setup, {p1: 1}, reason="   "))
    assert response.status_code == 400
    assert "Bitte den Anlass der Änderung angeben." in text(response)
    assert not RankingVersion.objects.filter(number=2).exists()


@pytest.mark.parametrize(
    ("lists", "message"),
    [
        ([], "Die allgemeine Rangfolge braucht mindestens einen Dienstleister."),
        (
            [(None, "", {"p1": 1})],
            "Bitte ein Leistungsmodul oder einen Regierungsbezirk wählen (sonst wäre es die allgemeine Liste).",
        ),
    ],
)
def test_list_rules_are_explained(ministry_client, setup, edit_url, lists, message):
    p1 = setup.providers[0]
    lists = [(m, r, {p1: v for v in ranks.values()}) for m, r, ranks in lists]
    general = {p1: 1} if lists else {}
    response = ministry_client.post(edit_url, ranking_data(setup, general, lists=lists))
    assert response.status_code == 400
    assert message in text(response)
    assert not RankingVersion.objects.filter(number=2).exists()


def test_two_lists_for_the_same_scope_are_refused(ministry_client, setup, edit_url):
    p1, p2, *_ = setup.providers
    remote = setup.modules.remote
    data = ranking_data(setup, {p1: 1}, lists=[(remote, "Köln", {p1: 1}), (remote, "Köln", {p2: 1})])
    response = ministry_client.post(edit_url, data)
    assert response.status_code == 400
    assert "Für IR-REMOTE – Remote, Köln gibt es bereits eine Liste (Liste 2)." in text(response)


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("liste-1-service_module", "00000000-0000-0000-0000-000000000000", "Bitte eine gültige Auswahl treffen."),
        ("liste-1-regierungsbezirk", "Mordor", "Bitte eine gültige Auswahl treffen."),
        (
            "liste-0-rank_00000000-0000-0000-0000-000000000000",
            "3",
            "Die Liste nennt einen unbekannten Dienstleister. Bitte laden Sie die Seite neu.",
        ),
    ],
)
def test_unknown_ids_are_refused_not_a_500(ministry_client, setup, edit_url, key, value, message):
    p1 = setup.providers[0]
    data = ranking_data(setup, {p1: 1}, lists=[(setup.modules.remote, "", {p1: 1})])
    data[key] = value
    response = ministry_client.post(edit_url, data)
    assert response.status_code == 400
    assert message in text(response)
    assert not RankingVersion.objects.filter(number=2).exists()


@pytest.mark.parametrize("total", ["abc", "", "-1", "1000000", "0"])
def test_a_tampered_management_form_is_not_a_500(ministry_client, setup, edit_url, total):
    p1 = setup.providers[0]
    data = ranking_data(setup, {p1: 1})
    data["liste-TOTAL_FORMS"] = total
    response = ministry_client.post(edit_url, data)
    assert response.status_code == 400
    assert not RankingVersion.objects.filter(number=2).exists()
    response = ministry_client.post(edit_url, {**data, "action": "add_list"})
    assert response.status_code == 200
    assert not RankingVersion.objects.filter(number=2).exists()


def test_adding_a_list_keeps_the_input_and_publishes_nothing(ministry_client, setup, edit_url):
    p1, p2, *_ = setup.providers
    data = ranking_data(setup, {p1: 7, p2: 3}, action="add_list", reason="Entwurf")
    response = ministry_client.post(edit_url, data)
    content = text(response)
    assert not RankingVersion.objects.filter(number=2).exists()
    assert f'name="liste-0-rank_{p1.public_id}" value="7"' in content
    assert 'name="liste-TOTAL_FORMS" value="2"' in content and "Zusätzliche Liste 2" in content
    assert "Entwurf</textarea>" in content
    assert "Bitte den Anlass" not in content  # no errors for a form still being filled in


def test_an_error_of_the_service_is_shown_on_the_form(ministry_client, setup, edit_url, monkeypatch):
    def refuse(**kwargs):
        raise InvalidInput("Rang 1 ist doppelt vergeben (alle Leistungsmodule, alle Regierungsbezirke).")

    monkeypatch.setattr(ranking_views.services, "ranking_publish", refuse)
    response = ministry_client.post(edit_url, ranking_data(setup, {setup.providers[0]: 1}))
    assert response.status_code == 400
    assert "Rang 1 ist doppelt vergeben (alle Leistungsmodule, alle Regierungsbezirke)." in text(response)


def test_an_inactive_provider_is_marked_in_the_form(ministry_client, setup, edit_url):
    p4 = setup.providers[3]
    p4.active = False
    p4.save()
    assert "P4 (inaktiv)" in text(ministry_client.get(edit_url))


def test_the_form_lists_the_providers_in_the_current_order(ministry_client, setup, edit_url):
    p1, p2, p3, p4 = setup.providers
    ministry_client.post(edit_url, ranking_data(setup, {p3: 1, p1: 2, p4: 3}))
    content = text(ministry_client.get(edit_url))
    positions = [content.index(f'for="id_liste-0-rank_{p.public_id}"') for p in (p3, p1, p4, p2)]
    assert positions == sorted(positions)  # P2, not ranked any more, comes last
