"""The services: only the engaged provider writes; every rule checked; audited; the DB refuses the rest."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import DataError, IntegrityError, transaction
from django.utils import timezone

from aftercare import services
from aftercare.errors import InvalidInput, NotEngaged
from aftercare.models import Finding, Indicator
from calloffs.errors import CallOffError
from incidents.models import TimelineEntry
from tenants.models import AuditEntry
from tests.aftercare.conftest import FINDING, SHA256

pytestmark = pytest.mark.django_db


def test_the_engaged_provider_records_a_finding(engaged, p1):
    finding = services.finding_create(calloff=engaged, actor=p1, **FINDING, root_cause=True)
    assert (finding.incident_id, finding.organisation_id) == (engaged.incident_id, engaged.organisation_id)
    assert finding.severity == "critical" and finding.cvss_score is None
    entry = AuditEntry.objects.get(action="finding.created")
    assert entry.target == str(finding.public_id) and entry.organisation_id == engaged.organisation_id
    # A root cause shows on the incident's timeline, scoped to the call-off's parties.
    line = TimelineEntry.objects.get(incident_id=engaged.incident_id, text__startswith="Ursache festgestellt")
    assert line.scope == f"calloff:{engaged.public_id}" and FINDING["title"] in line.text


def test_severity_comes_from_the_cvss_vector(engaged, p1):
    data = {**FINDING, "severity": None, "category": "unpatched", "cve_id": "cve-2023-27997"}
    finding = services.finding_create(
        calloff=engaged, actor=p1, **data, cvss_vector="CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"
    )
    assert (finding.cvss_score, finding.severity, finding.cve_id) == (Decimal("9.8"), "critical", "CVE-2023-27997")
    with pytest.raises(InvalidInput) as exc:
        services.finding_create(
            calloff=engaged,
            actor=p1,
            **{**data, "severity": "low"},
            cvss_vector="CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
        )
    assert exc.value.field == "severity"
    # Dropping the vector later needs a chosen severity.
    with pytest.raises(InvalidInput):
        services.finding_update(finding=finding, actor=p1, cvss_vector="")
    finding = services.finding_update(finding=finding, actor=p1, cvss_vector="", severity="high")
    assert (finding.cvss_score, finding.severity) == (None, "high")


@pytest.mark.parametrize(
    "change,field",
    [
        ({"title": "  "}, "title"),
        ({"description": ""}, "description"),
        ({"category": "aliens"}, "category"),
        ({"severity": "apocalyptic"}, "severity"),
        ({"category": "unpatched"}, "cve_id"),
        ({"cve_id": "CVE-1"}, "cve_id"),
        ({"cvss_vector": "CVSS:3.1/AV:N"}, "cvss_vector"),
        ({"title": "x" * 201}, "title"),
    ],
)
def test_bad_findings_are_refused_with_the_field(engaged, p1, change, field):
    with pytest.raises(InvalidInput) as exc:
        services.finding_create(calloff=engaged, actor=p1, **{**FINDING, **change})
    assert exc.value.field == field
    assert not Finding.objects.exists()


def test_only_the_engaged_provider_writes(engaged, drive, p1, p2, alice, ministry):
    for actor in (p2, alice, ministry):
        with pytest.raises(NotEngaged):
            services.finding_create(calloff=engaged, actor=actor, **FINDING)
        with pytest.raises(NotEngaged):
            services.indicator_create(calloff=engaged, actor=actor, kind="sha256", value=SHA256)
    offered = drive("offered")  # offered to P1, not accepted
    with pytest.raises(NotEngaged):
        services.finding_create(calloff=offered, actor=p1, **FINDING)
    finding = services.finding_create(calloff=engaged, actor=p1, **FINDING)
    with pytest.raises(NotEngaged):
        services.finding_update(finding=finding, actor=p2, title="Übernommen")
    assert Finding.objects.get().title == FINDING["title"]


def test_a_cancelled_engagement_ends_the_writes(drive, p1):
    closed = drive("closed")
    services.finding_create(calloff=closed, actor=p1, **FINDING)  # closed: the analysis goes on
    from calloffs.models import CallOff, CallOffState

    # Not in an engaged state (as after a cancellation): refused.
    CallOff.objects.filter(pk=closed.pk).update(state=CallOffState.CANCELLED)
    with pytest.raises(NotEngaged):
        services.finding_create(calloff=closed, actor=p1, **FINDING)


def test_update_records_changed_fields(engaged, p1):
    finding = services.finding_create(calloff=engaged, actor=p1, **FINDING)
    same = services.finding_update(finding=finding, actor=p1, title=FINDING["title"])
    assert same.updated_at == finding.updated_at
    assert not AuditEntry.objects.filter(action="finding.updated").exists()
    services.finding_update(finding=finding, actor=p1, title="Neu", root_cause=True)
    entry = AuditEntry.objects.get(action="finding.updated")
    assert entry.details["fields"] == ["title", "root_cause"]
    assert TimelineEntry.objects.filter(text__contains="Ursache festgestellt: Neu").exists()
    with pytest.raises(InvalidInput):
        services.finding_update(finding=finding, actor=p1, calloff=None)


def test_taking_back_the_root_cause_corrects_the_timeline(engaged, p1):
    """The timeline records the mark and its withdrawal; the finding refers to the entry that marks it."""
    finding = services.finding_create(calloff=engaged, actor=p1, **FINDING, root_cause=True)
    marked = TimelineEntry.objects.get(text__startswith="Ursache festgestellt")
    assert finding.root_cause_entry == marked
    services.finding_update(finding=finding, actor=p1, root_cause=False)
    finding.refresh_from_db()
    withdrawn = TimelineEntry.objects.get(text__startswith="Ursache zurückgenommen")
    assert withdrawn.text == f"Ursache zurückgenommen: {FINDING['title']} (Fernzugang ohne Mehrfaktor-Anmeldung)"
    assert withdrawn.scope == marked.scope == f"calloff:{engaged.public_id}"
    assert finding.root_cause_entry is None and not finding.root_cause
    services.finding_update(finding=finding, actor=p1, root_cause=True)  # marked again: a new entry
    finding.refresh_from_db()
    assert TimelineEntry.objects.filter(text__startswith="Ursache festgestellt").count() == 2
    assert finding.root_cause_entry not in (None, marked)


def test_indicators(engaged, p1):
    now = timezone.now()
    indicator = services.indicator_create(
        calloff=engaged,
        actor=p1,
        kind="sha256",
        value=SHA256.upper(),
        tlp="green",
        first_seen=now - dt.timedelta(days=2),
        last_seen=now - dt.timedelta(days=1),
    )
    assert indicator.value == SHA256
    assert AuditEntry.objects.filter(action="indicator.created", target=str(indicator.public_id)).exists()
    with pytest.raises(InvalidInput) as exc:
        services.indicator_create(calloff=engaged, actor=p1, kind="sha256", value=SHA256)
    assert exc.value.field == "value"
    with pytest.raises(InvalidInput) as exc:
        services.indicator_create(calloff=engaged, actor=p1, kind="ip", value="999.1.1.1")
    assert exc.value.field == "value"
    with pytest.raises(InvalidInput) as exc:
        services.indicator_create(calloff=engaged, actor=p1, kind="ip", value="203.0.113.7", tlp="PURPLE")
    assert exc.value.field == "tlp"
    with pytest.raises(InvalidInput) as exc:  # last seen before first seen
        services.indicator_update(indicator=indicator, actor=p1, last_seen=now - dt.timedelta(days=3))
    assert exc.value.field == "last_seen"
    with pytest.raises(InvalidInput) as exc:  # the year 1, or the future
        services.indicator_update(indicator=indicator, actor=p1, first_seen=dt.datetime(1, 1, 1, tzinfo=dt.UTC))
    assert exc.value.field == "first_seen"
    with pytest.raises(InvalidInput):
        services.indicator_update(indicator=indicator, actor=p1, last_seen=now + dt.timedelta(days=1))
    with pytest.raises(InvalidInput):  # type and value stay
        services.indicator_update(indicator=indicator, actor=p1, value="00" * 32)
    indicator = services.indicator_update(indicator=indicator, actor=p1, tlp="amber", description="Loader")
    assert (indicator.tlp, indicator.description) == ("amber", "Loader")


def _bad(create):
    with pytest.raises((IntegrityError, DataError)), transaction.atomic():
        create()


def test_the_database_refuses_what_slips_through(engaged, p1):
    """CHECK constraints: whatever the entry path (admin, shell, a bug), nothing implausible is stored."""
    base = {"calloff": engaged, "incident_id": engaged.incident_id, "organisation_id": engaged.organisation_id}
    finding = {**base, "title": "T", "description": "D", "category": "phishing", "severity": "low"}
    Finding.objects.create(**finding)  # the baseline passes
    _bad(lambda: Finding.objects.create(**{**finding, "severity": "apocalyptic"}))
    _bad(lambda: Finding.objects.create(**{**finding, "category": "aliens"}))
    _bad(lambda: Finding.objects.create(**{**finding, "cvss_vector": "CVSS:3.1/AV:N"}))  # vector without score
    _bad(lambda: Finding.objects.create(**{**finding, "cvss_score": Decimal("5.0")}))  # score without vector
    _bad(lambda: Finding.objects.create(**{**finding, "cvss_vector": "CVSS:3.1/x", "cvss_score": Decimal("10.5")}))
    _bad(lambda: Finding.objects.create(**{**finding, "cve_id": "CVE-1"}))
    indicator = {**base, "kind": "md5", "value": "d41d8cd98f00b204e9800998ecf8427e", "tlp": "green"}
    Indicator.objects.create(**indicator)
    _bad(lambda: Indicator.objects.create(**{**indicator, "value": "d41d8"}))
    _bad(lambda: Indicator.objects.create(**{**indicator, "kind": "sha256"}))
    _bad(lambda: Indicator.objects.create(**{**indicator, "kind": "virus", "value": "x" * 32}))
    _bad(lambda: Indicator.objects.create(**{**indicator, "value": "0" * 32, "tlp": "purple"}))
    _bad(lambda: Indicator.objects.create(**{**indicator, "kind": "email", "value": "kein-absender"}))
    _bad(lambda: Indicator.objects.create(**{**indicator, "kind": "url", "value": "evil.example"}))
    early = dt.datetime(1, 1, 1, tzinfo=dt.UTC)
    _bad(lambda: Indicator.objects.create(**{**indicator, "value": "1" * 32, "first_seen": early}))
    now = timezone.now()
    _bad(
        lambda: Indicator.objects.create(
            **{**indicator, "value": "2" * 32, "first_seen": now, "last_seen": now - dt.timedelta(hours=1)}
        )
    )


def test_errors_are_call_off_errors_for_the_api():
    assert issubclass(NotEngaged, CallOffError) and NotEngaged.http_status == 403


def test_updates_lock_the_call_off_first_like_creates(engaged, p1, monkeypatch):
    """One lock order everywhere (call-off, then the row): a create and an update of the same call-off
    taking them in opposite orders could deadlock on PostgreSQL."""
    from django.db.models import QuerySet

    finding = services.finding_create(calloff=engaged, actor=p1, **FINDING)
    indicator = services.indicator_create(calloff=engaged, actor=p1, kind="sha256", value=SHA256, tlp="green")
    locked = []
    original = QuerySet.select_for_update

    def spy(self, *args, **kwargs):
        locked.append(self.model.__name__)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(QuerySet, "select_for_update", spy)
    services.finding_update(finding=finding, actor=p1, title="Neuer Titel")
    assert locked[:2] == ["CallOff", "Finding"]
    locked.clear()
    services.indicator_update(indicator=indicator, actor=p1, description="C2-Server")
    assert locked[:2] == ["CallOff", "Indicator"]
    locked.clear()
    services.indicator_create(calloff=engaged, actor=p1, kind="domain", value="c2.example")
    assert locked[0] == "CallOff"
