"""The aftercare panels of the ministry's situation picture: root causes across all incidents (by
category, each incident once) and indicators seen at more than one body, whose values are shown only
where the TLP of every indicator behind them allows it (CLEAR/GREEN), otherwise type and count."""

import pytest
from django.urls import reverse

from aftercare import services
from aftercare.situation import root_causes, shared_indicators, situation_panels
from tests.aftercare.conftest import FINDING, SHA256

pytestmark = pytest.mark.django_db


def _situation(client_for, ministry) -> str:
    response = client_for(ministry).get(reverse("calloffs:situation"))
    assert response.status_code == 200
    return response.content.decode()


def test_root_causes_are_counted_by_category_once_per_incident(engaged, engaged_b, p1):
    services.finding_create(calloff=engaged, actor=p1, **{**FINDING, "root_cause": True})
    services.finding_create(calloff=engaged, actor=p1, **{**FINDING, "title": "Zweiter Zugang", "root_cause": True})
    services.finding_create(calloff=engaged_b, actor=p1, **{**FINDING, "root_cause": True})
    services.finding_create(
        calloff=engaged_b, actor=p1, **{**FINDING, "category": "phishing", "title": "Phishing-Mail", "root_cause": True}
    )
    services.finding_create(calloff=engaged_b, actor=p1, **{**FINDING, "category": "misconfiguration"})  # no cause
    rows = {row.category: (row.incidents, row.findings) for row in root_causes()}
    assert rows == {"remote_access": (2, 3), "phishing": (1, 1)}
    assert [row.category for row in root_causes()] == ["remote_access", "phishing"]  # most incidents first


def test_shared_values_are_shown_only_where_tlp_allows(engaged, engaged_b, p1):
    services.indicator_create(calloff=engaged, actor=p1, kind="sha256", value=SHA256, tlp="clear")
    services.indicator_create(calloff=engaged_b, actor=p1, kind="sha256", value=SHA256, tlp="green")
    services.indicator_create(calloff=engaged, actor=p1, kind="domain", value="c2.example", tlp="green")
    services.indicator_create(calloff=engaged_b, actor=p1, kind="domain", value="c2.example", tlp="amber")
    services.indicator_create(calloff=engaged, actor=p1, kind="ip", value="203.0.113.9", tlp="green")
    services.indicator_create(calloff=engaged_b, actor=p1, kind="ip", value="203.0.113.9", tlp="red")
    total, rows = shared_indicators()
    assert total == 2  # the RED one is no match
    shown = {row.kind_label: (row.value, row.tlp_label, row.bodies) for row in rows}
    assert shown == {"SHA-256": (SHA256, "TLP:GREEN", 2), "Domain": (None, "TLP:AMBER", 2)}


def test_the_situation_picture_shows_the_panels_to_the_ministry_only(
    client_for, engaged, engaged_b, p1, ministry, alice
):
    services.finding_create(calloff=engaged, actor=p1, **{**FINDING, "root_cause": True})
    services.indicator_create(calloff=engaged, actor=p1, kind="domain", value="c2.example", tlp="green")
    services.indicator_create(calloff=engaged_b, actor=p1, kind="domain", value="c2.example", tlp="amber")
    services.indicator_create(calloff=engaged, actor=p1, kind="sha256", value=SHA256, tlp="green")
    services.indicator_create(calloff=engaged_b, actor=p1, kind="sha256", value=SHA256, tlp="clear")
    content = _situation(client_for, ministry)
    assert 'id="panel-root-causes"' in content and 'id="panel-shared-indicators"' in content
    assert "Fernzugang ohne Mehrfaktor-Anmeldung" in content
    assert SHA256 in content and "c2.example" not in content  # the AMBER value stays on the working list
    assert reverse("aftercare:matches") in content
    assert situation_panels(alice) == [] and situation_panels(p1) == []  # the page itself is the ministry's only


def test_empty_panels_say_so(client_for, ministry):
    content = _situation(client_for, ministry)
    assert "Noch bei keinem Vorfall ist eine Ursache festgestellt." in content
    assert "Bisher wurde kein Indikator bei mehr als einer Stelle erfasst." in content
