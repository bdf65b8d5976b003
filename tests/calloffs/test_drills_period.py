"""The ministry's drill overview over a period (from/to, whole days): the page and its PDF show
the drills started in it and say which period; bad input is a German error (400), never a 500;
only the ministry sees it (404 for everyone else, whatever the period)."""

import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from calloffs import services
from calloffs.drills.measures import provider_drills
from calloffs.models import CallOff, Priority
from incidents.models import Category
from tests.calloffs.documents_fixtures import pdf_text

pytestmark = pytest.mark.django_db

PAGE = reverse("calloffs:drill_overview")
PDF = reverse("calloffs:drill_overview_pdf")


def start(setup, alice, org_a) -> CallOff:
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


@pytest.fixture
def drills(setup, alice, org_a):
    """An old drill (60 days ago) and a recent one (now)."""
    old = start(setup, alice, org_a)
    CallOff.objects.filter(pk=old.pk).update(submitted_at=timezone.now() - timedelta(days=60))
    recent = start(setup, alice, org_a)
    return old, recent


def day(delta_days: int) -> str:
    return (timezone.localdate() + timedelta(days=delta_days)).isoformat()


def numbers(providers) -> set[str]:
    return {row.calloff.number for item in providers for row in item.rows}


def test_the_selector_takes_a_period(drills):
    old, recent = drills
    now = timezone.now()
    assert numbers(provider_drills()) == {old.number, recent.number}
    assert numbers(provider_drills(since=now - timedelta(days=7))) == {recent.number}
    assert numbers(provider_drills(until=now - timedelta(days=7))) == {old.number}
    assert numbers(provider_drills(since=now - timedelta(days=90), until=now - timedelta(days=30))) == {old.number}


def test_the_page_and_the_pdf_show_the_period(client_for, ministry, drills):
    old, recent = drills
    web = client_for(ministry)
    query = {"date_from": day(-7)}
    html = web.get(PAGE, query).content.decode()
    assert recent.number in html and old.number not in html
    assert "Zeitraum: Übungen ab dem" in html
    assert f"{PDF}?date_from={day(-7)}" in html  # the PDF link keeps the period

    pdf = web.get(PDF, query)
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    text = pdf_text(pdf.content)
    assert recent.number in text and old.number not in text
    start_day = (timezone.localdate() - timedelta(days=7)).strftime("%d.%m.%Y")
    assert f"Zeitraum: Übungen ab dem {start_day}" in text

    until = {"date_from": day(-90), "date_to": day(-30)}
    text = pdf_text(web.get(PDF, until).content)
    assert old.number in text and recent.number not in text and "bis zum" in text
    assert "Zeitraum: alle Übungen" in pdf_text(web.get(PDF).content)


def test_a_period_without_drills_says_so(client_for, ministry, drills):
    html = client_for(ministry).get(PAGE, {"date_from": day(-20), "date_to": day(-10)}).content.decode()
    assert "Keine Übung in diesem Zeitraum." in html


def test_the_last_day_counts_whole(client_for, ministry, drills):
    _old, recent = drills
    html = client_for(ministry).get(PAGE, {"date_from": day(0), "date_to": day(0)}).content.decode()
    assert recent.number in html


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"date_from": "2026-02-31"}, "gültiges Datum"),
        ({"date_from": "gestern"}, "gültiges Datum"),
        ({"date_from": "99999-01-01"}, "gültiges Datum"),
        ({"date_from": "1999-12-31"}, "nicht vor dem 01.01.2000"),
        ({"date_from": "2099-01-01"}, "nicht in der Zukunft"),
        ({"date_to": "2100-01-01"}, "zwischen dem 01.01.2000 und dem 31.12.2099"),
        ({"date_from": "2026-03-10", "date_to": "2026-03-01"}, "nicht vor seinem Beginn"),
    ],
)
def test_bad_input_is_a_german_error_not_a_500(client_for, ministry, drills, query, message):
    web = client_for(ministry)
    for url in (PAGE, PDF):
        response = web.get(url, query)
        html = response.content.decode()
        assert response.status_code == 400 and response["Content-Type"].startswith("text/html")
        assert message in html, html[:3000]
        assert drills[1].number not in html  # no figures for a period that is not one
        for value in query.values():
            assert f'value="{value}"' in html  # the input stays


def test_only_the_ministry_sees_it_whatever_the_period(client_for, alice, charlie, setup, drills):
    for user in (alice, charlie, setup.staff[0]):
        for url in (PAGE, PDF):
            assert client_for(user).get(url, {"date_from": day(-7)}).status_code == 404
            assert client_for(user).get(url, {"date_from": "kaputt"}).status_code == 404
