"""The monthly contract report (ministry only; PDF and CSV with the same numbers) and the
emergency card of a body (members and ministry; rendered from the current data)."""

import csv
import io
import uuid
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from calloffs import services
from calloffs.documents.monthly_report import build_monthly_report, parse_month
from calloffs.models import CallOffState, EventKind, Offer, OfferState, Priority
from incidents.models import Category
from tenants.models import OrganisationKind, Role
from tests.calloffs.documents_fixtures import pdf_reader, pdf_text
from tests.factories import EmergencyContactFactory, MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db
BERLIN = ZoneInfo("Europe/Berlin")
MID_MONTH = datetime(2026, 11, 12, 9, 0, tzinfo=BERLIN)


def file(body, caller, modules, quantity, *, halted=True, priority=None):
    return services.calloff_file(
        organisation=body,
        actor=caller,
        client_token=uuid.uuid4(),
        category=Category.RANSOMWARE,
        situation="Verschlüsselt.",
        operations_halted=halted,
        priority=priority,
        services=[(modules.remote, quantity)],
        callback_phone="+49 171 1234567",
    )


@pytest.fixture
def november(setup, alice, org_a):
    """Call-offs of November 2026 (and one of October) in three kinds of body and regions:

    1. Stadt A (Gemeinde, Köln), P1, 40 h → 8.400 €, accepted by P1, call-back on time.
    2. Kreis M (Kreis, Münster), P2, 10 h → 2.100 €, declined by P1, accepted by P2, call-back late.
    3. IT.NRW (Landesbetrieb, no Regierungsbezirk), 5 h, P1 lets the offer expire, then cancelled.
    0. October: Stadt A, 1 h → 210 €, still offered (counts only in the commitments up to November).
    Time entries: 8 h lead (2.000 €) in November on 1., 1 h handler (195 €) in October on 0.
    """
    p1, p2 = setup.providers[0], setup.providers[1]
    s1, s2 = setup.staff[0], setup.staff[1]
    kreis = OrganisationFactory(name="Kreis M", kind=OrganisationKind.KREIS, ags="05558", regierungsbezirk="Münster")
    state = OrganisationFactory(name="IT.NRW", kind=OrganisationKind.LANDESBETRIEB, ags=None, regierungsbezirk="")
    kreis_caller = MembershipFactory(organisation=kreis, role=Role.CALLER).user
    state_caller = MembershipFactory(organisation=state, role=Role.CALLER).user
    with time_machine.travel(MID_MONTH - timedelta(days=30), tick=False):
        october = file(org_a, alice, setup.modules, 1)
        services.offer_accept(calloff=october, provider=p1, actor=s1, lead_name="L", lead_phone="+49 211 1111111")
        services.time_entry_add(
            calloff=october,
            provider=p1,
            actor=s1,
            date=MID_MONTH.date() - timedelta(days=30),
            hours=1,
            role=setup.roles.handler,
            description="Telefonat",
        )
    with time_machine.travel(MID_MONTH, tick=False) as clock:
        first = file(org_a, alice, setup.modules, 40)
        services.offer_accept(calloff=first, provider=p1, actor=s1, lead_name="L", lead_phone="+49 211 1111111")
        clock.shift(timedelta(minutes=10))
        services.calloff_record_milestone(calloff=first, provider=p1, actor=s1, kind=EventKind.CALLBACK_MADE)
        services.time_entry_add(
            calloff=first,
            provider=p1,
            actor=s1,
            date=MID_MONTH.date(),
            hours=8,
            role=setup.roles.lead,
            description="Analyse",
        )
        second = file(kreis, kreis_caller, setup.modules, 10, halted=False, priority=Priority.P2)
        services.offer_decline(calloff=second, provider=p1, actor=s1, reason="Ausgelastet")
        services.offer_accept(calloff=second, provider=p2, actor=s2, lead_name="L", lead_phone="+49 211 1111111")
        clock.shift(timedelta(hours=2))  # P2's call-back is due after 60 min
        services.calloff_record_milestone(calloff=second, provider=p2, actor=s2, kind=EventKind.CALLBACK_MADE)
        third = file(state, state_caller, setup.modules, 5)
        clock.shift(timedelta(minutes=20))  # P1's offer (15 min) runs out
        services.offer_expire(offer=Offer.objects.get(calloff=third, state=OfferState.OPEN))
        services.calloff_cancel(calloff=third, actor=state_caller, reason="Fehlalarm")
        yield {"first": first, "second": second, "third": third, "october": october}


def test_the_monthly_numbers(november, setup):
    with time_machine.travel(MID_MONTH + timedelta(hours=3), tick=False):
        report = build_monthly_report(contract=setup.contract, month=parse_month("2026-11"))
    kinds = {row.key: (row.count, row.p1, row.cancelled, row.value) for row in report.by_kind}
    assert kinds == {
        OrganisationKind.GEMEINDE: (1, 1, 0, Decimal("8400.00")),
        OrganisationKind.KREIS: (1, 0, 0, Decimal("2100.00")),
        OrganisationKind.LANDESBETRIEB: (1, 1, 1, Decimal("0")),
    }
    regions = {row.key: (row.count, row.value) for row in report.by_region}
    assert regions == {"Köln": (1, Decimal("8400.00")), "Münster": (1, Decimal("2100.00")), "": (1, Decimal("0"))}
    total = report.total
    assert (total.count, total.p1, total.cancelled, total.value) == (3, 2, 1, Decimal("10500.00"))
    ceiling = report.ceiling
    assert ceiling.committed == Decimal("10710.00")  # October's 210 € too; the cancelled one not
    # Hours recorded are not consumed until a statement over them is approved (tests/settlement).
    assert (ceiling.consumed, ceiling.consumed_month) == (Decimal("0.00"), Decimal("0.00"))
    assert ceiling.remaining == Decimal("1189290.00") and ceiling.percent_committed == Decimal("0.9")
    assert not ceiling.month_complete and ceiling.as_of == MID_MONTH + timedelta(hours=3)
    sla = {row.provider.short_name: row for row in report.sla}
    p1, p2 = sla["P1"], sla["P2"]
    assert (p1.offers, p1.accepted, p1.declined, p1.expired, p1.assigned) == (3, 1, 1, 1, 1)
    assert (p2.offers, p2.accepted, p2.declined, p2.expired, p2.assigned) == (2, 1, 0, 0, 1)
    # three hours after the morning's acceptances: P1's call-back came in time, its remote start
    # (60 min) is overdue, on site (4 h) still open; P2's call-back (60 min) came after 2 h.
    assert (p1.met, p1.missed, p1.open) == (
        {"callback": 1, "remote_start": 0, "onsite": 0},
        {"callback": 0, "remote_start": 1, "onsite": 0},
        {"callback": 0, "remote_start": 0, "onsite": 1},
    )
    assert (p2.met["callback"], p2.missed["callback"], p2.open["remote_start"], p2.open["onsite"]) == (0, 1, 1, 1)
    assert (p1.compliance, p2.compliance) == (Decimal("50.0"), Decimal("0.0"))


def test_a_past_month_s_ceiling_stands_as_at_its_end(november, setup):
    with time_machine.travel(MID_MONTH + timedelta(hours=3), tick=False):
        report = build_monthly_report(contract=setup.contract, month=parse_month("2026-10"))
    ceiling = report.ceiling
    # At the end of October only October's call-off (210 €) was filed; November's are not committed yet.
    assert ceiling.month_complete and ceiling.committed == Decimal("210.00")
    assert ceiling.remaining == setup.contract.ceiling - Decimal("210.00")
    assert ceiling.as_of_label == "Ende des Berichtsmonats (31.10.2026, 24:00 Uhr)"


def test_the_pdf_and_the_csv_show_the_same_numbers(november, setup, client_for, ministry):
    client = client_for(ministry)
    query = {"month": "2026-11", "contract": str(setup.contract.public_id)}
    with time_machine.travel(MID_MONTH + timedelta(hours=3), tick=False):
        pdf = client.get(reverse("calloffs:monthly_report_pdf"), query)
        csv_response = client.get(reverse("calloffs:monthly_report_csv"), query)
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    reader = pdf_reader(pdf.content)
    assert reader.metadata.title == f"Monatsbericht 11/2026 – Rahmenvertrag {setup.contract.reference}"
    text = pdf_text(pdf.content)
    for expected in (
        "Kreisangehörige Stadt/Gemeinde 1 1 0 8.400,00 €",
        "Kreis 1 0 0 2.100,00 €",
        "Landesbetrieb 1 1 1 0,00 €",
        "Gesamt 3 2 1 10.500,00 €",
        "Köln 1 1 0 8.400,00 €",
        "Münster 1 0 0 2.100,00 €",
        "ohne Regierungsbezirk (Landesebene) 1 1 1 0,00 €",
        "Höchstwert des Rahmenvertrags 1.200.000,00 €",
        "Stand: 12.11.2026, 12:00 Uhr (der Berichtsmonat läuft noch)",
        "Gebunden (Schätzung abzüglich Verbrauchtem) 10.710,00 € (0,9 %)",
        "Verbraucht (freigegebene Leistungsnachweise) 0,00 € (0,0 %)",
        "Verbleibend 1.189.290,00 €",
        "Im Berichtsmonat freigegeben 0,00 €",
        "P1 Cyberabwehr GmbH 3 1 1 1",
        "P2 Incident Response AG 2 1 0 0",
        "P1 Cyberabwehr GmbH 1 1 / 0 / 0 0 / 1 / 0 0 / 0 / 1 50,0 %",
        "P2 Incident Response AG 1 0 / 1 / 0 0 / 0 / 1 0 / 0 / 1 0,0 %",
    ):
        assert expected in text, f"{expected!r} not in {text}"

    assert csv_response.status_code == 200 and csv_response["Content-Type"].startswith("text/csv")
    assert "attachment" in csv_response["Content-Disposition"]
    body = csv_response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff")), delimiter=";"))
    assert ["Kreisangehörige Stadt/Gemeinde", "1", "1", "0", "8.400,00"] in rows
    assert ["ohne Regierungsbezirk (Landesebene)", "1", "1", "1", "0,00"] in rows
    assert ["Gesamt", "3", "2", "1", "10.500,00"] in rows
    assert ["Stand", "12.11.2026, 12:00 Uhr (der Berichtsmonat läuft noch)"] in rows
    assert ["Gebunden (Schätzung abzüglich Verbrauchtem)", "10.710,00", "0,9"] in rows
    assert ["Verbraucht (freigegebene Leistungsnachweise)", "0,00", "0,0"] in rows
    assert ["Verbleibend", "1.189.290,00", ""] in rows
    p1_row = next(r for r in rows if r and r[0] == "P1 Cyberabwehr GmbH")
    offers, callback, remote, onsite = ["3", "1", "1", "1", "1"], ["1", "0", "0"], ["0", "1", "0"], ["0", "0", "1"]
    assert p1_row == ["P1 Cyberabwehr GmbH", *offers, *callback, *remote, *onsite, "50,0"]


@pytest.mark.parametrize("persona", ["alice", "charlie", "provider"])
def test_the_monthly_report_is_for_the_ministry_only(setup, persona, client_for, alice, charlie):
    user = {"alice": alice, "charlie": charlie, "provider": setup.staff[0]}[persona]
    client = client_for(user)
    for name in ("monthly_report", "monthly_report_pdf", "monthly_report_csv"):
        assert client.get(reverse(f"calloffs:{name}")).status_code == 404


def test_the_monthly_report_page_and_a_bad_month(setup, client_for, ministry):
    client = client_for(ministry)
    page = client.get(reverse("calloffs:monthly_report"), {"month": "2026-11"})
    content = page.content.decode()
    assert page.status_code == 200
    assert f"month=2026-11&amp;contract={setup.contract.public_id}" in content
    assert reverse("calloffs:monthly_report_csv") in content
    assert client.get(reverse("calloffs:monthly_report_pdf"), {"month": "2026-13"}).status_code == 400
    assert client.get(reverse("calloffs:monthly_report_csv"), {"month": "Nov"}).status_code == 400


def test_the_monthly_report_page_without_any_contract(client_for, ministry):
    page = client_for(ministry).get(reverse("calloffs:monthly_report"))
    assert page.status_code == 200 and "noch kein Rahmenvertrag" in page.content.decode()
    assert client_for(ministry).get(reverse("calloffs:monthly_report_pdf")).status_code == 404


def test_parse_month():
    assert parse_month("2026-11").isoformat() == "2026-11-01"
    assert parse_month("2027-1").isoformat() == "2027-01-01"
    for bad in ("2026-00", "26-11", "2026/11", "1999-12", "2026-11-01"):
        with pytest.raises(ValueError):
            parse_month(bad)


# --- Emergency card -----------------------------------------------------------------------------


def card_url(body):
    return reverse("calloffs:emergency_card", args=[body.public_id])


def test_the_emergency_card_is_one_current_page(setup, org_a, alice, client_for):
    org_a.official_name = "Stadt A am Rhein"
    org_a.save()
    EmergencyContactFactory(
        organisation=org_a, name="Erika Mustermann", function="IT-Leitung", mobile="+49 171 2345678"
    )
    client = client_for(alice)
    response = client.get(card_url(org_a))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = pdf_reader(response.content)
    assert len(reader.pages) == 1 and reader.trailer["/Root"]["/Lang"] == "de"
    assert reader.metadata.title == "Notfallkarte Stadt A"
    text = pdf_text(response.content)
    for expected in (
        "Notfallkarte IT-Sicherheitsvorfall",
        f"Stadt A am Rhein · AGS {org_a.ags} · Regierungsbezirk Köln",
        "http://localhost:8000/abrufe/neu/",
        f"Rahmenvertrag {setup.contract.reference}",
        # the providers in the order of precedence for Köln, with their 24/7 hotlines
        "1 P1 Cyberabwehr GmbH +49 211 5550000 hotline",
        "2 P2 Incident Response AG +49 211 5550000",
        "3 P3 Forensik GmbH +49 211 5550000",
        "Erika Mustermann IT-Leitung +49 171 2345678",
        "Checkliste für die erste Stunde",
        "binnen 72 Stunden an die LDI NRW",
    ):
        assert expected in text, f"{expected!r} not in {text}"
    assert "P4 SecOps GmbH" not in text  # serves Münster, Detmold and Arnsberg only

    EmergencyContactFactory(organisation=org_a, name="Neu Kontakt", mobile="+49 160 7654321")
    assert "Neu Kontakt IT-Leitung +49 160 7654321" in pdf_text(client.get(card_url(org_a)).content)  # always current


@pytest.mark.parametrize("persona,status", [("bob", 200), ("ministry", 200), ("charlie", 404), ("provider", 404)])
def test_the_emergency_card_is_for_the_body_and_the_ministry(
    setup, org_a, persona, status, client_for, bob, ministry, charlie
):
    user = {"bob": bob, "ministry": ministry, "charlie": charlie, "provider": setup.staff[0]}[persona]
    assert client_for(user).get(card_url(org_a)).status_code == status


def test_the_call_off_page_links_the_emergency_card(drive, client_for, alice, org_a):
    calloff = drive(CallOffState.ACCEPTED)
    content = client_for(alice).get(reverse("calloffs:detail", args=[calloff.public_id])).content.decode()
    assert card_url(org_a) in content
