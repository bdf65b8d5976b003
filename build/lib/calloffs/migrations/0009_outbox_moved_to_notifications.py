"""The outbox moves to its own app, ``notifications``, with every row (endpoints, notifications,
attempts; same ids, webhook-ids, secrets and times), so no delivery is lost or sent twice.

The copy is one INSERT … SELECT per table (exact, including ``updated_at``). A notification's
call-off becomes its generic topic (content type calloffs.calloff), its body the call-off's
organisation, its reference the call-off number and its link the call-off page; the event or
ministry alert that caused it is kept as ``source``. An endpoint's provider becomes its owner.
"""

from django.core.management.color import no_style
from django.db import migrations
from django.urls import reverse


def copy_outbox(apps, schema_editor):
    connection = schema_editor.connection
    db = connection.alias
    old_endpoint = apps.get_model("calloffs", "WebhookEndpoint")
    old_notification = apps.get_model("calloffs", "Notification")
    old_attempt = apps.get_model("calloffs", "DeliveryAttempt")
    endpoint = apps.get_model("notifications", "WebhookEndpoint")
    notification = apps.get_model("notifications", "Notification")
    attempt = apps.get_model("notifications", "DeliveryAttempt")
    calloff = apps.get_model("calloffs", "CallOff")
    content_type = apps.get_model("contenttypes", "ContentType")
    if not (old_endpoint.objects.using(db).exists() or old_notification.objects.using(db).exists()):
        return
    provider_ct = content_type.objects.using(db).get_or_create(app_label="calloffs", model="provider")[0]
    calloff_ct = content_type.objects.using(db).get_or_create(app_label="calloffs", model="calloff")[0]
    e_old, e_new = old_endpoint._meta.db_table, endpoint._meta.db_table
    n_old, n_new = old_notification._meta.db_table, notification._meta.db_table
    a_old, a_new = old_attempt._meta.db_table, attempt._meta.db_table
    c_table = calloff._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {e_new} (id, public_id, owner_type_id, owner_id, url, description, secret, previous_secret, "
            "previous_valid_until, active, failing_alerted_at, created_at, updated_at) "
            "SELECT id, public_id, %s, provider_id, url, description, secret, previous_secret, previous_valid_until, "
            f"active, failing_alerted_at, created_at, updated_at FROM {e_old}",
            [provider_ct.pk],
        )
        cursor.execute(
            f"INSERT INTO {n_new} (id, public_id, webhook_id, organisation_id, topic_type_id, topic_id, reference, "
            "link, source, event_type, audience, channel, endpoint_id, recipient, subject, body, payload, state, "
            "attempts, next_attempt_at, queued_at, lease_until, last_error, delivered_at, failure_alerted_at, "
            "created_at, window_start, updated_at) "
            "SELECT n.id, n.public_id, n.webhook_id, c.organisation_id, "
            "CASE WHEN n.calloff_id IS NULL THEN NULL ELSE %s END, n.calloff_id, COALESCE(c.number, ''), '', "
            "CASE WHEN n.event_id IS NOT NULL THEN 'calloffs.calloffevent:' || CAST(n.event_id AS VARCHAR(20)) "
            "WHEN n.alert_id IS NOT NULL THEN 'calloffs.ministryalert:' || CAST(n.alert_id AS VARCHAR(20)) "
            "ELSE '' END, "
            "n.event_type, n.audience, n.channel, n.endpoint_id, n.recipient, n.subject, n.body, n.payload, n.state, "
            "n.attempts, n.next_attempt_at, n.queued_at, n.lease_until, n.last_error, n.delivered_at, "
            f"n.failure_alerted_at, n.created_at, n.window_start, n.updated_at FROM {n_old} n "
            f"LEFT JOIN {c_table} c ON c.id = n.calloff_id",
            [calloff_ct.pk],
        )
        cursor.execute(
            f"INSERT INTO {a_new} (id, notification_id, number, at, ok, status_code, duration_ms, error) "
            f"SELECT id, notification_id, number, at, ok, status_code, duration_ms, error FROM {a_old}"
        )
        for sql in connection.ops.sequence_reset_sql(no_style(), [endpoint, notification, attempt]):
            cursor.execute(sql)
    topics = notification.objects.using(db).filter(topic_type=calloff_ct).values_list("topic_id", flat=True)
    for pk, public_id in calloff.objects.using(db).filter(pk__in=topics).values_list("pk", "public_id"):
        notification.objects.using(db).filter(topic_type=calloff_ct, topic_id=pk).update(
            link=reverse("calloffs:detail", args=[public_id])
        )


class Migration(migrations.Migration):
    dependencies = [
        ("calloffs", "0008_plausible_ranges"),
        ("notifications", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(copy_outbox, migrations.RunPython.noop, elidable=False),
        migrations.RemoveField(
            model_name="notification",
            name="alert",
        ),
        migrations.RemoveField(
            model_name="notification",
            name="calloff",
        ),
        migrations.RemoveField(
            model_name="notification",
            name="endpoint",
        ),
        migrations.RemoveField(
            model_name="notification",
            name="event",
        ),
        migrations.RemoveField(
            model_name="webhookendpoint",
            name="provider",
        ),
        migrations.DeleteModel(
            name="DeliveryAttempt",
        ),
        migrations.DeleteModel(
            name="Notification",
        ),
        migrations.DeleteModel(
            name="WebhookEndpoint",
        ),
    ]
