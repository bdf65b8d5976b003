"""Repeated overdue reminders and the ministry's escalation: a measure already told it is overdue
counts as reminded once, its next reminder a week after that one (the default interval)."""

import datetime as dt

import datetime
import django.core.validators
from django.conf import settings
from django.db import migrations, models


def count_the_first_notice(apps, schema_editor):
    from django.utils import timezone

    Measure = apps.get_model("aftercare", "Measure")
    for measure in Measure.objects.filter(overdue_notified_at__isnull=False).only("due_date", "overdue_notified_at"):
        sent_on = timezone.localdate(measure.overdue_notified_at)
        next_on = max(sent_on + dt.timedelta(days=7), measure.due_date + dt.timedelta(days=1))
        Measure.objects.filter(pk=measure.pk).update(overdue_reminders=1, overdue_next_on=next_on)


class Migration(migrations.Migration):

    dependencies = [
        ('aftercare', '0007_measure_second_check'),
        ('calloffs', '0017_provider_billing_data'),
        ('incidents', '0010_drill_not_in_major'),
        ('tenants', '0009_plausible_contract_ranges'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='measure',
            name='escalated_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='An das Ministerium gemeldet am'),
        ),
        migrations.AddField(
            model_name='measure',
            name='overdue_next_on',
            field=models.DateField(blank=True, null=True, verbose_name='Nächste Erinnerung bei Überfälligkeit'),
        ),
        migrations.AddField(
            model_name='measure',
            name='overdue_reminders',
            field=models.PositiveSmallIntegerField(default=0, verbose_name='Erinnerungen bei Überfälligkeit'),
        ),
        migrations.AddField(
            model_name='remediationterms',
            name='escalate_after_days',
            field=models.PositiveSmallIntegerField(default=14, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(365)], verbose_name='Meldung an das Ministerium, wenn eine kritische oder hohe Maßnahme länger überfällig ist als (Tage)'),
        ),
        migrations.AddField(
            model_name='remediationterms',
            name='overdue_every_days',
            field=models.PositiveSmallIntegerField(default=7, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(60)], verbose_name='Erneute Erinnerung bei Überfälligkeit alle (Tage)'),
        ),
        migrations.RunPython(count_the_first_notice, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name='measure',
            index=models.Index(condition=models.Q(('state__in', ['open', 'in_progress'])), fields=['due_date', 'overdue_next_on'], name='measure_overdue_due'),
        ),
        migrations.AddConstraint(
            model_name='measure',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('overdue_reminders', 0), ('overdue_next_on__isnull', True), ('overdue_notified_at__isnull', True)), models.Q(('overdue_reminders__gte', 1), ('overdue_reminders__lte', 1000), ('overdue_next_on__gt', models.F('due_date')), ('overdue_notified_at__isnull', False)), _connector='OR'), name='measure_overdue_reminders_consistent'),
        ),
        migrations.AddConstraint(
            model_name='measure',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('escalated_at__gte', datetime.datetime(1999, 12, 31, 0, 0, tzinfo=datetime.timezone.utc)), ('escalated_at__lt', datetime.datetime(2100, 1, 1, 0, 0, tzinfo=datetime.timezone.utc))), ('escalated_at__isnull', True), _connector='OR'), name='measure_escalated_at_plausible'),
        ),
        migrations.AddConstraint(
            model_name='remediationterms',
            constraint=models.CheckConstraint(condition=models.Q(('overdue_every_days__gte', 1), ('overdue_every_days__lte', 60)), name='remediation_overdue_every_range'),
        ),
        migrations.AddConstraint(
            model_name='remediationterms',
            constraint=models.CheckConstraint(condition=models.Q(('escalate_after_days__gte', 1), ('escalate_after_days__lte', 365)), name='remediation_escalate_after_range'),
        ),
    ]
