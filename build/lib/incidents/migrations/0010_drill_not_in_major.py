# A drill's record is never part of a major incident: records linked before this rule are unlinked
# (the bulk link of a major incident took a body's newest open record, which could be a drill's).

from django.db import migrations, models


def unlink_drills(apps, schema_editor):
    Incident = apps.get_model("incidents", "Incident")
    Incident.objects.filter(is_drill=True, major_incident__isnull=False).update(major_incident=None)


class Migration(migrations.Migration):

    dependencies = [
        ('incidents', '0009_incident_is_drill'),
    ]

    operations = [
        migrations.RunPython(unlink_drills, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='incident',
            constraint=models.CheckConstraint(condition=models.Q(('is_drill', False), ('major_incident__isnull', True), _connector='OR'), name='incident_drill_not_in_major'),
        ),
    ]
