from django.db import migrations, models


def mark_demo_accounts(apps, schema_editor):
    """Accounts seed_demo created before the flag existed: its addresses end in @demo.digisos.invalid."""
    User = apps.get_model("tenants", "User")
    User.objects.filter(email__iendswith="@demo.digisos.invalid").update(is_demo=True)


class Migration(migrations.Migration):
    dependencies = [("tenants", "0006_audit_keyed_chain")]

    operations = [
        migrations.AddField(
            model_name="user",
            name="is_demo",
            field=models.BooleanField(default=False, editable=False, verbose_name="Demo-Konto"),
        ),
        migrations.RunPython(mark_demo_accounts, migrations.RunPython.noop),
    ]
