import django.core.serializers.json
from django.db import migrations, models


def backfill_chain(apps, schema_editor):
    """Chain the entries written before the hash chain existed, in their original order."""
    from tenants.audit import GENESIS, _canonical, entry_digest

    AuditEntry = apps.get_model("tenants", "AuditEntry")
    AuditChainHead = apps.get_model("tenants", "AuditChainHead")
    prev, sequence = GENESIS, 0
    for entry in AuditEntry.objects.order_by("at", "id").select_related("actor", "organisation"):
        sequence += 1
        entry.sequence = sequence
        entry.actor_label = entry.actor.email if entry.actor_id else ""
        entry.organisation_label = entry.organisation.name if entry.organisation_id else ""
        entry.details = _canonical(entry.details or {})
        entry.prev_hash = prev
        entry.entry_hash = entry_digest(
            sequence=sequence, at=entry.at, actor_label=entry.actor_label, action=entry.action,
            organisation_label=entry.organisation_label, target=entry.target, details=entry.details,
            prev_hash=prev,
        )
        entry.save()
        prev = entry.entry_hash
    AuditChainHead.objects.update_or_create(pk=1, defaults={"last_sequence": sequence, "last_hash": prev})


class Migration(migrations.Migration):
    dependencies = [("tenants", "0003_mandate")]

    operations = [
        migrations.CreateModel(
            name="AuditChainHead",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("last_sequence", models.PositiveBigIntegerField(default=0)),
                ("last_hash", models.CharField(default="0" * 64, max_length=64)),
            ],
        ),
        migrations.AddField("auditentry", "sequence", models.PositiveBigIntegerField(null=True)),
        migrations.AddField("auditentry", "actor_label", models.CharField(blank=True, max_length=254)),
        migrations.AddField("auditentry", "organisation_label", models.CharField(blank=True, max_length=255)),
        migrations.AddField("auditentry", "prev_hash", models.CharField(max_length=64, null=True)),
        migrations.AddField("auditentry", "entry_hash", models.CharField(max_length=64, null=True)),
        migrations.AlterField(
            "auditentry", "details",
            models.JSONField(blank=True, default=dict, encoder=django.core.serializers.json.DjangoJSONEncoder),
        ),
        migrations.AlterField("auditentry", "action", models.CharField(db_index=True, max_length=60)),
        migrations.RunPython(backfill_chain, migrations.RunPython.noop),
        migrations.AlterField("auditentry", "sequence", models.PositiveBigIntegerField(unique=True)),
        migrations.AlterField("auditentry", "prev_hash", models.CharField(max_length=64)),
        migrations.AlterField("auditentry", "entry_hash", models.CharField(max_length=64, unique=True)),
        migrations.AlterModelOptions(
            name="auditentry",
            options={"ordering": ["-sequence"], "verbose_name": "Protokolleintrag", "verbose_name_plural": "Protokoll"},
        ),
    ]
