from django.db import migrations, models


def existing_uploads_internal(apps, schema_editor):
    """Existing attachments are not shared (the default); their timeline entries stay with the body."""
    attachment = apps.get_model("incidents", "IncidentAttachment")
    entry = apps.get_model("incidents", "TimelineEntry")
    entry_ids = attachment.objects.exclude(timeline_entry=None).values("timeline_entry_id")
    entry.objects.filter(pk__in=entry_ids).update(scope="internal")


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0003_incidentattachment_majorincident_and_more"),
    ]

    operations = [
        migrations.AddField(
            model_name="incidentattachment",
            name="shared_with_provider",
            field=models.BooleanField(default=False, verbose_name="Für den beauftragten Dienstleister freigegeben"),
        ),
        migrations.AddField(
            model_name="timelineentry",
            name="scope",
            field=models.CharField(blank=True, db_index=True, default="", max_length=60, verbose_name="Sichtbarkeit"),
        ),
        migrations.RunPython(existing_uploads_internal, migrations.RunPython.noop),
    ]
