"""The incident timeline entries about a call-off get that call-off's scope (calloffs.visibility),
so a provider engaged in the incident sees its own call-off's entries and never another's."""

import re

from django.db import migrations


def scope_calloff_entries(apps, schema_editor):
    calloff_model = apps.get_model("calloffs", "CallOff")
    entry_model = apps.get_model("incidents", "TimelineEntry")
    for calloff in calloff_model.objects.only("pk", "number", "public_id", "incident_id").iterator():
        mentions = re.compile(re.escape(calloff.number) + r"(?!\d)")
        ids = [
            entry.pk
            for entry in entry_model.objects.filter(incident_id=calloff.incident_id, scope="").only("pk", "text")
            if mentions.search(entry.text)
        ]
        if ids:
            entry_model.objects.filter(pk__in=ids).update(scope=f"calloff:{calloff.public_id}")


class Migration(migrations.Migration):
    dependencies = [
        ("calloffs", "0006_calloff_scope_changed"),
        ("incidents", "0004_need_to_know"),
    ]

    operations = [migrations.RunPython(scope_calloff_entries, migrations.RunPython.noop)]
