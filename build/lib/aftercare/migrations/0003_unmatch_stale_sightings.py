"""Old data under today's matching rules (aftercare.matching): a sighting says that a body has an
indicator with the value at a level that may cross bodies. Sightings recorded before TLP:AMBER+STRICT
was excluded from matching (or left behind otherwise) are removed when the body has no such indicator
any more, and a sighting whose first indicator is missing or withdrawn points at the body's earliest
indicator that still takes part. Values no body has any more are removed with their last sighting.
Alerts already sent stay (they cannot be recalled); reversing this migration restores nothing."""

from django.db import migrations

#: aftercare.models.NOT_ACROSS_BODIES when this migration was written.
NOT_ACROSS_BODIES = ("red", "amber_strict")


def unmatch_stale_sightings(apps, schema_editor):
    Sighting = apps.get_model("aftercare", "Sighting")
    Indicator = apps.get_model("aftercare", "Indicator")
    IndicatorValue = apps.get_model("aftercare", "IndicatorValue")
    sightings = Sighting.objects.select_related("indicator_value", "first_indicator").order_by("id")
    for sighting in sightings.iterator(chunk_size=500):
        value = sighting.indicator_value
        taking_part = (
            Indicator.objects.filter(organisation_id=sighting.organisation_id, kind=value.kind, value=value.value)
            .exclude(tlp__in=NOT_ACROSS_BODIES)
            .order_by("created_at", "id")
        )
        first = taking_part.first()
        if first is None:
            sighting.delete()
            continue
        current = sighting.first_indicator
        if current is None or current.tlp in NOT_ACROSS_BODIES:
            sighting.first_indicator = first
            sighting.save(update_fields=["first_indicator"])
    IndicatorValue.objects.filter(sightings__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("aftercare", "0002_remediation")]

    operations = [migrations.RunPython(unmatch_stale_sightings, migrations.RunPython.noop, elidable=True)]
