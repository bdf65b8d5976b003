"""Plausible ranges (issue 14, digisos.plausible) as CHECK constraints: upper bounds for money, prices, rates,
surcharges, SLA minutes (and their order), capacity, positions, ranks, quantities; dates of eligibility and
mandates. A stored row outside a range makes this migration fail naming the constraint: correct the row first."""

import datetime
import digisos.plausible
import django.utils.timezone
from decimal import Decimal
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("tenants", "0008_leitweg_id"),
    ]

    operations = [
        migrations.AlterField(
            model_name="emergencycontact",
            name="position",
            field=models.PositiveSmallIntegerField(
                default=0,
                validators=[digisos.plausible.NumberRangeValidator("0", "9999", 0)],
                verbose_name="Reihenfolge",
            ),
        ),
        migrations.AlterField(
            model_name="mandate",
            name="valid_from",
            field=models.DateField(
                default=django.utils.timezone.localdate,
                validators=[digisos.plausible.validate_date],
                verbose_name="Gültig ab",
            ),
        ),
        migrations.AlterField(
            model_name="mandate",
            name="valid_until",
            field=models.DateField(
                blank=True, null=True, validators=[digisos.plausible.validate_date], verbose_name="Gültig bis"
            ),
        ),
        migrations.AlterField(
            model_name="organisation",
            name="eligible_from",
            field=models.DateField(
                blank=True, null=True, validators=[digisos.plausible.validate_date], verbose_name="Abrufberechtigt ab"
            ),
        ),
        migrations.AlterField(
            model_name="organisation",
            name="eligible_until",
            field=models.DateField(
                blank=True, null=True, validators=[digisos.plausible.validate_date], verbose_name="Abrufberechtigt bis"
            ),
        ),
        migrations.AlterField(
            model_name="organisation",
            name="population",
            field=models.PositiveIntegerField(
                blank=True,
                null=True,
                validators=[digisos.plausible.NumberRangeValidator("0", "20000000", 0)],
                verbose_name="Einwohnerzahl",
            ),
        ),
        migrations.AddConstraint(
            model_name="emergencycontact",
            constraint=models.CheckConstraint(
                condition=models.Q(("position__gte", Decimal("0")), ("position__lte", Decimal("9999"))),
                name="emergency_contact_position_plausible",
            ),
        ),
        migrations.AddConstraint(
            model_name="mandate",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("valid_from__gte", datetime.date(2000, 1, 1)), ("valid_from__lt", datetime.date(2100, 1, 1))
                ),
                name="mandate_valid_from_plausible",
            ),
        ),
        migrations.AddConstraint(
            model_name="mandate",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("valid_until__gte", datetime.date(2000, 1, 1)), ("valid_until__lt", datetime.date(2100, 1, 1))
                    ),
                    ("valid_until__isnull", True),
                    _connector="OR",
                ),
                name="mandate_valid_until_plausible",
            ),
        ),
        migrations.AddConstraint(
            model_name="mandate",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("valid_from__isnull", True),
                    ("valid_until__isnull", True),
                    ("valid_until__gte", models.F("valid_from")),
                    _connector="OR",
                ),
                name="mandate_validity_order",
            ),
        ),
        migrations.AddConstraint(
            model_name="organisation",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("eligible_from__gte", datetime.date(2000, 1, 1)),
                        ("eligible_from__lt", datetime.date(2100, 1, 1)),
                    ),
                    ("eligible_from__isnull", True),
                    _connector="OR",
                ),
                name="organisation_eligible_from_plausible",
            ),
        ),
        migrations.AddConstraint(
            model_name="organisation",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("eligible_until__gte", datetime.date(2000, 1, 1)),
                        ("eligible_until__lt", datetime.date(2100, 1, 1)),
                    ),
                    ("eligible_until__isnull", True),
                    _connector="OR",
                ),
                name="organisation_eligible_until_plausible",
            ),
        ),
        migrations.AddConstraint(
            model_name="organisation",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("population__gte", Decimal("0")), ("population__lte", Decimal("20000000"))),
                    ("population__isnull", True),
                    _connector="OR",
                ),
                name="organisation_population_plausible",
            ),
        ),
    ]
