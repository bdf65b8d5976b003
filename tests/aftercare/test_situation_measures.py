"""The situation picture's measures panel: open critical and high measures per district (Kreis), with
the overdue ones and those required for reconnection; drills left out; the ministry's alone."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from aftercare import services
from aftercare.models import Measure
from aftercare.remediation import services as remediation
from aftercare.remediation.situation import measure_panels, open_measures_by_district
from calloffs import services as calloff_services
from tenants.models import Organisation
from tests.aftercare.conftest import FINDING, LEAD

pytestmark = pytest.mark.django_db


@pytest.fixture
def districts(org_a, org_b):
    Organisation.objects.filter(pk=org_a.pk).update(ags="05315000")  # Köln
    Organisation.objects.filter(pk=org_b.pk).update(ags="05334002")  # Aachen: Städteregion Aachen


def test_open_critical_and_high_measures_per_district(districts, engaged, engaged_b, p1, body_admin):
    critical = services.finding_create(calloff=engaged, actor=p1, **FINDING)
    services.finding_create(calloff=engaged, actor=p1, **{**FINDING, "severity": "high"})
    services.finding_create(calloff=engaged, actor=p1, **{**FINDING, "severity": "low"})  # not shown
    done = services.finding_create(calloff=engaged, actor=p1, **FINDING)
    remediation.measure_done(measure=Measure.objects.get(finding=done), actor=body_admin)  # no longer open
    services.finding_create(calloff=engaged_b, actor=p1, **{**FINDING, "severity": "high"})
    past = timezone.localdate() - dt.timedelta(days=1)
    Measure.objects.filter(finding=critical).update(due_date=past, remind_on=past, required_for_reconnection=True)
    rows = {row.name: (row.critical, row.high, row.overdue, row.required) for row in open_measures_by_district()}
    assert rows == {"Köln": (1, 1, 1, 1), "Städteregion Aachen": (0, 1, 0, 0)}


def test_drills_are_left_out(districts, file_calloff, setup, p1):
    drill = file_calloff(drill=True)
    drill = calloff_services.offer_accept(calloff=drill, provider=setup.providers[0], actor=p1, **LEAD)
    services.finding_create(calloff=drill, actor=p1, **FINDING)
    assert open_measures_by_district() == []


def test_the_panel_is_the_ministrys(client_for, districts, engaged, p1, ministry, alice):
    services.finding_create(calloff=engaged, actor=p1, **FINDING)
    assert measure_panels(alice) == [] and measure_panels(p1) == []
    content = client_for(ministry).get(reverse("calloffs:situation")).content.decode()
    assert 'id="panel-open-measures"' in content and "Köln" in content
