"""Plausible ranges (issue 14, digisos.plausible) as CHECK constraints: upper bounds for money, prices, rates,
surcharges, SLA minutes (and their order), capacity, positions, ranks, quantities; dates of eligibility and
mandates. A stored row outside a range makes this migration fail naming the constraint: correct the row first."""

import digisos.plausible
from decimal import Decimal
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("calloffs", "0013_assign_reason_length"),
        ("incidents", "0008_first_hour_checklist"),
        ("tenants", "0009_plausible_contract_ranges"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="calloff",
            name="calloff_value_non_negative",
        ),
        migrations.RemoveConstraint(
            model_name="calloffservice",
            name="calloff_service_quantity_positive",
        ),
        migrations.RemoveConstraint(
            model_name="frameworkcontract",
            name="contract_amounts_non_negative",
        ),
        migrations.RemoveConstraint(
            model_name="frameworkcontract",
            name="contract_surcharges_non_negative",
        ),
        migrations.RemoveConstraint(
            model_name="provider",
            name="provider_capacity_positive",
        ),
        migrations.RemoveConstraint(
            model_name="providerrank",
            name="provider_rank_positive",
        ),
        migrations.RemoveConstraint(
            model_name="rolerate",
            name="role_rate_non_negative",
        ),
        migrations.RemoveConstraint(
            model_name="servicemodule",
            name="service_module_price_non_negative",
        ),
        migrations.RemoveConstraint(
            model_name="slaterm",
            name="sla_term_minutes_positive",
        ),
        migrations.AlterField(
            model_name="calloff",
            name="estimated_value",
            field=models.DecimalField(
                decimal_places=2,
                default=0,
                max_digits=14,
                validators=[digisos.plausible.NumberRangeValidator("0", "999999999999.99", 2)],
                verbose_name="Geschätzter Wert (EUR)",
            ),
        ),
        migrations.AlterField(
            model_name="calloffservice",
            name="estimated_quantity",
            field=models.DecimalField(
                decimal_places=2,
                max_digits=10,
                validators=[digisos.plausible.NumberRangeValidator("0", "10000", 2)],
                verbose_name="Geschätzte Menge",
            ),
        ),
        migrations.AlterField(
            model_name="calloffservice",
            name="unit_price",
            field=models.DecimalField(
                decimal_places=2,
                max_digits=14,
                validators=[digisos.plausible.NumberRangeValidator("0", "1000000.00", 2)],
                verbose_name="Preis je Einheit (EUR)",
            ),
        ),
        migrations.AlterField(
            model_name="calloffservice",
            name="value",
            field=models.DecimalField(
                decimal_places=2,
                max_digits=14,
                validators=[digisos.plausible.NumberRangeValidator("0", "999999999999.99", 2)],
                verbose_name="Geschätzter Wert (EUR)",
            ),
        ),
        migrations.AlterField(
            model_name="frameworkcontract",
            name="ceiling",
            field=models.DecimalField(
                decimal_places=2,
                help_text="Ist der Höchstwert erreicht, ist der Rahmenvertrag ausgeschöpft.",
                max_digits=14,
                validators=[digisos.plausible.NumberRangeValidator("0", "999999999999.99", 2)],
                verbose_name="Höchstwert (EUR)",
            ),
        ),
        migrations.AlterField(
            model_name="frameworkcontract",
            name="end_date",
            field=models.DateField(validators=[digisos.plausible.validate_date], verbose_name="Laufzeitende"),
        ),
        migrations.AlterField(
            model_name="frameworkcontract",
            name="estimated_value",
            field=models.DecimalField(
                decimal_places=2,
                max_digits=14,
                validators=[digisos.plausible.NumberRangeValidator("0", "999999999999.99", 2)],
                verbose_name="Geschätztes Auftragsvolumen (EUR)",
            ),
        ),
        migrations.AlterField(
            model_name="frameworkcontract",
            name="night_surcharge_percent",
            field=models.DecimalField(
                decimal_places=2,
                default=Decimal("0"),
                max_digits=5,
                validators=[digisos.plausible.NumberRangeValidator("0", "500", 2)],
                verbose_name="Nachtzuschlag (%)",
            ),
        ),
        migrations.AlterField(
            model_name="frameworkcontract",
            name="start_date",
            field=models.DateField(validators=[digisos.plausible.validate_date], verbose_name="Laufzeitbeginn"),
        ),
        migrations.AlterField(
            model_name="frameworkcontract",
            name="weekend_surcharge_percent",
            field=models.DecimalField(
                decimal_places=2,
                default=Decimal("0"),
                max_digits=5,
                validators=[digisos.plausible.NumberRangeValidator("0", "500", 2)],
                verbose_name="Wochenendzuschlag (%)",
            ),
        ),
        migrations.AlterField(
            model_name="provider",
            name="capacity",
            field=models.PositiveSmallIntegerField(
                default=1,
                help_text="Bei so vielen angenommenen oder laufenden Abrufen wird der Dienstleister übersprungen.",
                validators=[digisos.plausible.NumberRangeValidator("1", "999", 0)],
                verbose_name="Kapazität (gleichzeitige Einsätze)",
            ),
        ),
        migrations.AlterField(
            model_name="providercontact",
            name="position",
            field=models.PositiveSmallIntegerField(
                default=0,
                validators=[digisos.plausible.NumberRangeValidator("0", "9999", 0)],
                verbose_name="Reihenfolge",
            ),
        ),
        migrations.AlterField(
            model_name="providerrank",
            name="rank",
            field=models.PositiveSmallIntegerField(
                validators=[digisos.plausible.NumberRangeValidator("1", "999", 0)], verbose_name="Rang"
            ),
        ),
        migrations.AlterField(
            model_name="rolerate",
            name="hourly_rate",
            field=models.DecimalField(
                decimal_places=2,
                max_digits=14,
                validators=[digisos.plausible.NumberRangeValidator("0", "10000.00", 2)],
                verbose_name="Stundensatz (EUR)",
            ),
        ),
        migrations.AlterField(
            model_name="servicemodule",
            name="position",
            field=models.PositiveSmallIntegerField(
                default=0,
                validators=[digisos.plausible.NumberRangeValidator("0", "9999", 0)],
                verbose_name="Reihenfolge",
            ),
        ),
        migrations.AlterField(
            model_name="servicemodule",
            name="price",
            field=models.DecimalField(
                decimal_places=2,
                max_digits=14,
                validators=[digisos.plausible.NumberRangeValidator("0", "1000000.00", 2)],
                verbose_name="Preis je Einheit (EUR)",
            ),
        ),
        migrations.AlterField(
            model_name="slaterm",
            name="accept_minutes",
            field=models.PositiveIntegerField(
                validators=[digisos.plausible.NumberRangeValidator("1", "43200", 0)],
                verbose_name="Annahme des Angebots binnen (Min.)",
            ),
        ),
        migrations.AlterField(
            model_name="slaterm",
            name="callback_minutes",
            field=models.PositiveIntegerField(
                validators=[digisos.plausible.NumberRangeValidator("1", "43200", 0)],
                verbose_name="Erster Rückruf binnen (Min.)",
            ),
        ),
        migrations.AlterField(
            model_name="slaterm",
            name="onsite_minutes",
            field=models.PositiveIntegerField(
                validators=[digisos.plausible.NumberRangeValidator("1", "43200", 0)],
                verbose_name="Vor Ort binnen (Min.)",
            ),
        ),
        migrations.AlterField(
            model_name="slaterm",
            name="remote_start_minutes",
            field=models.PositiveIntegerField(
                validators=[digisos.plausible.NumberRangeValidator("1", "43200", 0)],
                verbose_name="Beginn der Remote-Unterstützung binnen (Min.)",
            ),
        ),
        migrations.AlterField(
            model_name="timeentry",
            name="value",
            field=models.DecimalField(
                decimal_places=2,
                max_digits=14,
                validators=[digisos.plausible.NumberRangeValidator("0", "999999999999.99", 2)],
                verbose_name="Wert (EUR)",
            ),
        ),
        migrations.AddConstraint(
            model_name="calloff",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("estimated_value__gte", Decimal("0")), ("estimated_value__lte", Decimal("999999999999.99"))
                ),
                name="calloff_value_plausible",
            ),
        ),
        migrations.AddConstraint(
            model_name="calloffservice",
            constraint=models.CheckConstraint(
                condition=models.Q(("estimated_quantity__gt", 0), ("estimated_quantity__lte", Decimal("10000"))),
                name="calloff_service_quantity_plausible",
            ),
        ),
        migrations.AddConstraint(
            model_name="calloffservice",
            constraint=models.CheckConstraint(
                condition=models.Q(("unit_price__gte", Decimal("0")), ("unit_price__lte", Decimal("1000000.00"))),
                name="calloff_service_price_plausible",
            ),
        ),
        migrations.AddConstraint(
            model_name="calloffservice",
            constraint=models.CheckConstraint(
                condition=models.Q(("value__gte", Decimal("0")), ("value__lte", Decimal("999999999999.99"))),
                name="calloff_service_value_plausible",
            ),
        ),
        migrations.AddConstraint(
            model_name="frameworkcontract",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("estimated_value__gte", Decimal("0")), ("estimated_value__lte", Decimal("999999999999.99"))
                ),
                name="contract_estimate_plausible",
            ),
        ),
        migrations.AddConstraint(
            model_name="frameworkcontract",
            constraint=models.CheckConstraint(
                condition=models.Q(("ceiling__gte", Decimal("0")), ("ceiling__lte", Decimal("999999999999.99"))),
                name="contract_ceiling_plausible",
            ),
        ),
        migrations.AddConstraint(
            model_name="frameworkcontract",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("night_surcharge_percent__gte", Decimal("0")), ("night_surcharge_percent__lte", Decimal("500"))
                ),
                name="contract_night_surcharge_plausible",
            ),
        ),
        migrations.AddConstraint(
            model_name="frameworkcontract",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("weekend_surcharge_percent__gte", Decimal("0")), ("weekend_surcharge_percent__lte", Decimal("500"))
                ),
                name="contract_weekend_surcharge_plausible",
            ),
        ),
        migrations.AddConstraint(
            model_name="provider",
            constraint=models.CheckConstraint(
                condition=models.Q(("capacity__gte", Decimal("1")), ("capacity__lte", Decimal("999"))),
                name="provider_capacity_plausible",
            ),
        ),
        migrations.AddConstraint(
            model_name="providercontact",
            constraint=models.CheckConstraint(
                condition=models.Q(("position__gte", Decimal("0")), ("position__lte", Decimal("9999"))),
                name="provider_contact_position_plausible",
            ),
        ),
        migrations.AddConstraint(
            model_name="providerrank",
            constraint=models.CheckConstraint(
                condition=models.Q(("rank__gte", Decimal("1")), ("rank__lte", Decimal("999"))),
                name="provider_rank_plausible",
            ),
        ),
        migrations.AddConstraint(
            model_name="rolerate",
            constraint=models.CheckConstraint(
                condition=models.Q(("hourly_rate__gte", Decimal("0")), ("hourly_rate__lte", Decimal("10000.00"))),
                name="role_rate_plausible",
            ),
        ),
        migrations.AddConstraint(
            model_name="servicemodule",
            constraint=models.CheckConstraint(
                condition=models.Q(("price__gte", Decimal("0")), ("price__lte", Decimal("1000000.00"))),
                name="service_module_price_plausible",
            ),
        ),
        migrations.AddConstraint(
            model_name="servicemodule",
            constraint=models.CheckConstraint(
                condition=models.Q(("position__gte", Decimal("0")), ("position__lte", Decimal("9999"))),
                name="service_module_position_plausible",
            ),
        ),
        migrations.AddConstraint(
            model_name="slaterm",
            constraint=models.CheckConstraint(
                condition=models.Q(("accept_minutes__gte", Decimal("1")), ("accept_minutes__lte", Decimal("43200"))),
                name="sla_term_accept_minutes_plausible",
            ),
        ),
        migrations.AddConstraint(
            model_name="slaterm",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("callback_minutes__gte", Decimal("1")), ("callback_minutes__lte", Decimal("43200"))
                ),
                name="sla_term_callback_minutes_plausible",
            ),
        ),
        migrations.AddConstraint(
            model_name="slaterm",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("remote_start_minutes__gte", Decimal("1")), ("remote_start_minutes__lte", Decimal("43200"))
                ),
                name="sla_term_remote_start_minutes_plausible",
            ),
        ),
        migrations.AddConstraint(
            model_name="slaterm",
            constraint=models.CheckConstraint(
                condition=models.Q(("onsite_minutes__gte", Decimal("1")), ("onsite_minutes__lte", Decimal("43200"))),
                name="sla_term_onsite_minutes_plausible",
            ),
        ),
        migrations.AddConstraint(
            model_name="slaterm",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("callback_minutes__isnull", True),
                    ("remote_start_minutes__isnull", True),
                    ("remote_start_minutes__gte", models.F("callback_minutes")),
                    _connector="OR",
                ),
                name="sla_term_remote_after_callback",
            ),
        ),
        migrations.AddConstraint(
            model_name="slaterm",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("remote_start_minutes__isnull", True),
                    ("onsite_minutes__isnull", True),
                    ("onsite_minutes__gte", models.F("remote_start_minutes")),
                    _connector="OR",
                ),
                name="sla_term_onsite_after_remote",
            ),
        ),
        migrations.AddConstraint(
            model_name="timeentry",
            constraint=models.CheckConstraint(
                condition=models.Q(("value__gte", Decimal("0")), ("value__lte", Decimal("999999999999.99"))),
                name="time_entry_value_plausible",
            ),
        ),
    ]
