"""The lists of call-offs, incidents and bodies: search by number / body name / AGS, filters in the URL
(kept by the pagination), and a CSV download of exactly the filtered rows, scoped like the list."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from digisos.csv_export import safe_cell

pytestmark = pytest.mark.django_db


def rows_of(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment;")
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")  # spreadsheets recognise UTF-8 by it
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


@pytest.fixture
def two_bodies(file_calloff, org_a, org_b, charlie):
    org_b.name = '=HYPERLINK("http://evil.example")'
    org_b.save(update_fields=["name"])
    own = file_calloff()
    other = file_calloff(organisation=org_b, actor=charlie)
    return own, other


def test_formula_cells_are_defused():
    for dangerous in ("=1+1", "+49 171", "-2", "@SUM(A1)", "\tx", "\rx"):
        assert safe_cell(dangerous) == "'" + dangerous
    assert safe_cell("Stadt A") == "Stadt A"
    assert safe_cell(None) == ""


def test_ministry_searches_calloffs_by_number_body_and_ags(client_for, ministry, two_bodies, org_a, org_b):
    own, other = two_bodies
    client = client_for(ministry)
    url = reverse("calloffs:list")
    for query, expected, absent in (
        (own.number, own, other),
        ("Stadt A", own, other),
        (org_b.ags[:5] + org_b.ags[5:], other, own),
    ):
        page = client.get(url, {"q": query}).content.decode()
        assert expected.number in page, query
        assert absent.number not in page, query


def test_calloff_csv_is_what_the_list_shows(client_for, ministry, two_bodies, org_b):
    own, other = two_bodies
    client = client_for(ministry)
    rows = rows_of(client.get(reverse("calloffs:list"), {"q": org_b.ags, "export": "csv"}))
    assert rows[0][:3] == ["Nummer", "Stelle", "AGS"]
    assert [r[0] for r in rows[1:]] == [other.number]
    assert rows[1][1] == '\'=HYPERLINK("http://evil.example")'  # shown as text, never run
    everything = rows_of(client.get(reverse("calloffs:list"), {"export": "csv"}))
    assert {r[0] for r in everything[1:]} == {own.number, other.number}


def test_a_body_exports_only_its_own_calloffs(client_for, alice, charlie, two_bodies):
    own, other = two_bodies
    assert [r[0] for r in rows_of(client_for(alice).get(reverse("calloffs:list"), {"export": "csv"}))[1:]] == [
        own.number
    ]
    # The outsider searches for the other body's number: nothing of it, neither on the page nor in the file.
    outsider = client_for(charlie)
    page = outsider.get(reverse("calloffs:list"), {"q": own.number}).content.decode()
    assert reverse("calloffs:detail", args=[own.public_id]) not in page
    assert "Kein Abruf entspricht dieser Suche." in page
    assert rows_of(outsider.get(reverse("calloffs:list"), {"q": own.number, "export": "csv"}))[1:] == []


def test_filters_stay_in_the_pagination_links(client_for, ministry):
    from tests.factories import OrganisationFactory

    OrganisationFactory.create_batch(51, name=factory_sequence("Musterstadt"), regierungsbezirk="Detmold")
    url = reverse("tenants:organisation_list")
    page = client_for(ministry).get(url, {"q": "Musterstadt", "regierungsbezirk": "Detmold"}).content.decode()
    assert "q=Musterstadt&amp;regierungsbezirk=Detmold&amp;page=2" in page
    assert "51 Stellen" in page
    assert "export=csv" in page
    second = client_for(ministry).get(url, {"q": "Musterstadt", "regierungsbezirk": "Detmold", "page": 2})
    assert "Seite 2 von 2" in second.content.decode()


def factory_sequence(prefix):
    import factory

    return factory.Sequence(lambda n: f"{prefix} {n}")


def test_ministry_only_filters_are_not_offered_to_a_body(client_for, alice, ministry, two_bodies):
    body_page = client_for(alice).get(reverse("calloffs:list")).content.decode()
    assert 'name="q"' in body_page and 'name="provider"' not in body_page
    assert 'name="provider"' in client_for(ministry).get(reverse("calloffs:list")).content.decode()


def test_an_implausible_date_is_an_error_not_a_500(client_for, ministry, two_bodies):
    response = client_for(ministry).get(reverse("calloffs:list"), {"date_to": "9999-12-31"})
    assert response.status_code == 200
    assert "kern-form-input--error" in response.content.decode()


def test_incident_list_search_and_csv(client_for, alice, charlie, ministry, two_bodies, org_b):
    own, other = two_bodies
    url = reverse("incidents:list")
    rows = rows_of(client_for(ministry).get(url, {"q": org_b.ags, "export": "csv"}))
    assert rows[0][:3] == ["Vorfall", "Stelle", "AGS"]
    assert [r[2] for r in rows[1:]] == [org_b.ags]
    own_rows = rows_of(client_for(alice).get(url, {"export": "csv", "status": ""}))
    assert {r[2] for r in own_rows[1:]} == {own.organisation.ags}
    assert rows_of(client_for(charlie).get(url, {"q": own.organisation.ags, "export": "csv"}))[1:] == []
    # By default the list shows the open incidents; the choice stays in the URL.
    page = client_for(alice).get(url).content.decode()
    assert own.incident.title in page
    assert '<option value="open" selected>' in page


def test_body_list_search_and_csv(client_for, alice, org_a, org_b):
    url = reverse("tenants:organisation_list")
    rows = rows_of(client_for(alice).get(url, {"q": org_a.ags, "export": "csv"}))
    assert rows[0][:3] == ["Name", "Art", "AGS"]
    assert [r[2] for r in rows[1:]] == [org_a.ags]
    page = client_for(alice).get(url, {"q": org_a.ags}).content.decode()
    assert org_a.name in page and org_b.name not in page
