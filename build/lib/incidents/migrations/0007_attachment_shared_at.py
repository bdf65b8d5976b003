"""When an attachment was shared with the provider (issue 14, need to know after completion).

Attachments shared before this migration get their upload time as the moment of sharing: the best
that is known (a share changed later was not recorded with its time).
"""

import datetime
from django.conf import settings
from django.db import migrations, models


def shared_at_from_upload(apps, schema_editor):
    IncidentAttachment = apps.get_model("incidents", "IncidentAttachment")
    IncidentAttachment.objects.filter(shared_with_provider=True, shared_at__isnull=True).update(
        shared_at=models.F("uploaded_at")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0006_became_aware_assumed"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="incidentattachment",
            name="shared_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="Freigegeben am"),
        ),
        migrations.RunPython(shared_at_from_upload, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="incidentattachment",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("shared_at__isnull", False), ("shared_with_provider", True)),
                    models.Q(("shared_at__isnull", True), ("shared_with_provider", False)),
                    _connector="OR",
                ),
                name="attachment_shared_at_with_flag",
            ),
        ),
        migrations.AddConstraint(
            model_name="incidentattachment",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("shared_at__gte", datetime.datetime(1999, 12, 31, 0, 0, tzinfo=datetime.timezone.utc)),
                        ("shared_at__lt", datetime.datetime(2100, 1, 1, 0, 0, tzinfo=datetime.timezone.utc)),
                    ),
                    ("shared_at__isnull", True),
                    _connector="OR",
                ),
                name="attachment_shared_at_plausible",
            ),
        ),
    ]
