"""The second check of a measure: a measure the provider carried out is confirmed by the body, and
nobody confirms what they reported done themselves. Measures verified before without that second
check (provider-owned and confirmed by the provider, or confirmed by whoever reported them done) go
back to "done", so the right party checks them; their verification note is kept."""

from django.conf import settings
from django.db import migrations, models
from django.db.models import F, Q


def back_to_done(apps, schema_editor):
    Measure = apps.get_model("aftercare", "Measure")
    unchecked = Measure.objects.filter(state="verified").filter(
        Q(owner_kind="provider") | Q(verified_by__isnull=False, verified_by=F("done_by"))
    )
    unchecked.update(state="done", verified_at=None, verified_by=None)


class Migration(migrations.Migration):
    dependencies = [
        ("aftercare", "0006_finding_root_cause_entry"),
        ("calloffs", "0017_provider_billing_data"),
        ("incidents", "0010_drill_not_in_major"),
        ("tenants", "0009_plausible_contract_ranges"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="measure",
            name="verified_by_body",
            field=models.BooleanField(default=False, verbose_name="Von der Stelle bestätigt"),
        ),
        migrations.RunPython(back_to_done, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="measure",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(models.Q(("state", "verified"), _negated=True), ("verified_by_body", False)),
                    models.Q(("owner_kind", "body"), ("state", "verified"), ("verified_by_body", False)),
                    models.Q(("owner_kind", "provider"), ("state", "verified"), ("verified_by_body", True)),
                    _connector="OR",
                ),
                name="measure_second_check_by_the_other_party",
            ),
        ),
        migrations.AddConstraint(
            model_name="measure",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("verified_by__isnull", True),
                    ("done_by__isnull", True),
                    models.Q(("verified_by", models.F("done_by")), _negated=True),
                    _connector="OR",
                ),
                name="measure_not_verified_by_who_did_it",
            ),
        ),
    ]
