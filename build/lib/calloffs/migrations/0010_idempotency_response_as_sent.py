"""Idempotent replays return the stored response byte for byte: the body is kept as the text that
was sent (a jsonb column reordered its keys on PostgreSQL). Stored records (kept 7 days) are
carried over as compact JSON of what was stored."""

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db import migrations, models


def carry_over(apps, schema_editor):
    record = apps.get_model("calloffs", "IdempotencyRecord")
    for row in record.objects.exclude(response_body=None).only("pk", "response_body").iterator():
        text = json.dumps(row.response_body, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":"))
        record.objects.filter(pk=row.pk).update(response_content=text)


class Migration(migrations.Migration):
    dependencies = [
        ("calloffs", "0009_outbox_moved_to_notifications"),
    ]

    operations = [
        migrations.AddField(
            model_name="idempotencyrecord",
            name="response_content",
            field=models.TextField(blank=True, null=True),
        ),
        migrations.RunPython(carry_over, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name="idempotencyrecord",
            name="response_body",
        ),
    ]
