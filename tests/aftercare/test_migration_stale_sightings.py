"""aftercare 0003: sightings that today's matching rules would not create are removed (a body whose
only indicators with the value are TLP:RED or TLP:AMBER+STRICT, recorded before the exclusion rule),
a sighting pointing at a withdrawn indicator is moved to one that takes part, and the ministry's
list of values seen at more than one body no longer shows them.

The migration's function runs on today's models (the schema did not change in between), on rows
written the way the old code wrote them (sightings for every level)."""

import importlib

import pytest
from django.apps import apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from aftercare import services
from aftercare.models import Indicator, IndicatorValue, Sighting
from aftercare.selectors import matched_values
from tests.aftercare.conftest import SHA256

pytestmark = pytest.mark.django_db

migration = importlib.import_module("aftercare.migrations.0003_unmatch_stale_sightings")


def _old_sighting(indicator: Indicator) -> Sighting:
    """What the old code recorded for every indicator, whatever its level."""
    value, _created = IndicatorValue.objects.get_or_create(kind=indicator.kind, value=indicator.value)
    sighting, _created = Sighting.objects.get_or_create(
        indicator_value=value, organisation_id=indicator.organisation_id, defaults={"first_indicator": indicator}
    )
    return sighting


def test_stale_sightings_go_and_current_ones_stay(engaged, engaged_b, drive, p1):
    green_a = services.indicator_create(calloff=engaged, actor=p1, kind="sha256", value=SHA256, tlp="green")
    strict_b = services.indicator_create(calloff=engaged_b, actor=p1, kind="sha256", value=SHA256, tlp="amber_strict")
    red_b = services.indicator_create(calloff=engaged_b, actor=p1, kind="ip", value="203.0.113.7", tlp="red")
    red_a = services.indicator_create(calloff=engaged, actor=p1, kind="ip", value="203.0.113.7", tlp="red")
    _old_sighting(strict_b)
    _old_sighting(red_b)
    _old_sighting(red_a)
    # Body A also had the domain first as RED (the sighting pointing at it), later again as GREEN.
    red_domain = services.indicator_create(calloff=engaged, actor=p1, kind="domain", value="c2.example", tlp="red")
    stale_pointer = _old_sighting(red_domain)
    green_domain = services.indicator_create(
        calloff=drive("accepted"), actor=p1, kind="domain", value="c2.example", tlp="green"
    )
    services.indicator_create(calloff=engaged_b, actor=p1, kind="domain", value="c2.example", tlp="green")
    assert {v.value for v in matched_values()} == {SHA256, "203.0.113.7", "c2.example"}  # the old state

    migration.unmatch_stale_sightings(apps, None)

    assert {v.value for v in matched_values()} == {"c2.example"}
    assert set(Sighting.objects.values_list("indicator_value__value", "organisation_id")) == {
        (SHA256, green_a.organisation_id),
        ("c2.example", engaged.organisation_id),
        ("c2.example", engaged_b.organisation_id),
    }
    stale_pointer.refresh_from_db()
    assert stale_pointer.first_indicator_id == green_domain.pk
    assert not IndicatorValue.objects.filter(value="203.0.113.7").exists()  # no body has it any more
    # Running it again changes nothing (idempotent).
    before = list(Sighting.objects.order_by("id").values_list("id", "first_indicator_id"))
    migration.unmatch_stale_sightings(apps, None)
    assert list(Sighting.objects.order_by("id").values_list("id", "first_indicator_id")) == before


def test_the_migration_is_in_the_graph():
    graph = MigrationExecutor(connection).loader.graph
    assert ("aftercare", "0003_unmatch_stale_sightings") in graph.nodes
