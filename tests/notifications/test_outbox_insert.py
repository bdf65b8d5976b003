"""The outbox rows go in through digisos.insert_sql.insert_rows (issue 19: the statement kept per connection
and row count): the statement bulk_create sends (text and values), the same rows, the ids set as bulk_create
sets them — for rows with every kind of value an outbox row has (UUID, JSON, a generic topic, enums, times)."""

import uuid
from datetime import UTC, datetime

import pytest
import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from digisos.insert_sql import insert_rows
from notifications.models import Audience, Channel, Notification
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

FIELDS = [f.attname for f in Notification._meta.concrete_fields if f.attname != "id"]
NOW = datetime(2026, 12, 6, 21, 30, tzinfo=UTC)


class _RolledBack(Exception):
    pass


def _rows(count: int, organisation, *, seed: int) -> list[Notification]:
    """``count`` rows with every kind of value: a foreign key by object and None, a generic topic, text
    with quotes, a JSON payload, a flag, times; the same for the same seed."""
    rows = []
    for n in range(count):
        rows.append(
            Notification(
                public_id=uuid.UUID(int=seed * 100 + n),
                webhook_id=f"msg_{seed}_{n}",
                organisation=organisation if n % 2 == 0 else None,
                topic=organisation if n == 1 else None,
                reference=f"A-{n}",
                event_type="calloff.accepted",
                audience=Audience.BODY,
                channel=[Channel.EMAIL, Channel.SMS, Channel.WEBHOOK][n % 3],
                recipient=f"o'neil{n}@example.org",
                subject="Abruf „angenommen“",
                body="Zeile 1\nZeile 2 %s %%",
                confidential=n == 2,
                payload={"n": n, "text": "ü", "list": [1, None]},
                next_attempt_at=NOW,
                queued_at=NOW if n else None,
                created_at=NOW,
                window_start=NOW,
            )
        )
    return rows


def _written(pks) -> list[tuple]:
    by_pk = {row[0]: row[1:] for row in Notification.objects.filter(pk__in=pks).values_list("pk", *FIELDS)}
    return [by_pk[pk] for pk in pks]


@pytest.mark.parametrize("count", [1, 2, 3, 5])
def test_the_statement_and_rows_are_bulk_creates(count):
    organisation = OrganisationFactory()
    with time_machine.travel(NOW, tick=False):  # updated_at is auto_now
        theirs = _rows(count, organisation, seed=1)
        try:
            with transaction.atomic(), CaptureQueriesContext(connection) as django_sql:
                Notification.objects.bulk_create(theirs)
                their_rows = _written([row.pk for row in theirs])
                raise _RolledBack
        except _RolledBack:
            pass
        for round_ in range(2):  # compiled, then the kept statement
            ours = _rows(count, organisation, seed=1 + 10 * round_)
            with CaptureQueriesContext(connection) as our_sql:
                insert_rows(Notification, ours)
            assert [row.pk for row in ours] == sorted(row.pk for row in ours)
            assert all(row.pk and not row._state.adding and row._state.db == "default" for row in ours)
            mine = _written([row.pk for row in ours])
            if round_ == 0:
                assert [q["sql"] for q in our_sql.captured_queries] == [
                    q["sql"] for q in django_sql.captured_queries[:1]
                ]
                assert mine == their_rows
            else:
                assert len(our_sql.captured_queries) == 1
            same = [name for name in FIELDS if name not in ("public_id", "webhook_id")]
            assert [[getattr(row, name) for name in same] for row in ours] == [
                [getattr(row, name) for name in same] for row in theirs
            ]
            Notification.objects.filter(pk__in=[row.pk for row in ours]).delete()
