"""A finding that is the root cause refers to the timeline entry that recorded it, so the final report
marks that entry by reference instead of by a match of the title in the text. Existing root causes get
the reference once from the last such match (the provider's entry under the call-off's scope, at or
after the finding was recorded, naming its title); reversing leaves the text entries as they are."""

import django.db.models.deletion
from django.db import migrations, models


def link_root_cause_entries(apps, schema_editor):
    Finding = apps.get_model("aftercare", "Finding")
    TimelineEntry = apps.get_model("incidents", "TimelineEntry")
    findings = Finding.objects.filter(root_cause=True, root_cause_entry__isnull=True).select_related("calloff")
    for finding in findings.order_by("id").iterator(chunk_size=500):
        entry = (
            TimelineEntry.objects.filter(
                incident_id=finding.incident_id,
                source="provider",
                scope=f"calloff:{finding.calloff.public_id}",
                at__gte=finding.created_at,
                text__contains=finding.title,
            )
            .order_by("-at", "-id")
            .first()
        )
        if entry is not None:
            finding.root_cause_entry = entry
            finding.save(update_fields=["root_cause_entry"])


class Migration(migrations.Migration):
    dependencies = [
        ("aftercare", "0005_finding_evidence"),
        ("incidents", "0010_drill_not_in_major"),
    ]

    operations = [
        migrations.AddField(
            model_name="finding",
            name="root_cause_entry",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="incidents.timelineentry",
                verbose_name="Zeitleisteneintrag der Ursache",
            ),
        ),
        migrations.RunPython(link_root_cause_entries, migrations.RunPython.noop, elidable=True),
    ]
