"""digisos.insert_sql: the INSERT kept per connection is the one Django writes, with each new row's
values; insert_rows writes what bulk_create writes, insert_one what save(force_insert=True) writes."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.db import connection
from django.db.models import Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Upper
from django.db.models.signals import post_save, pre_save
from django.db.models.sql import InsertQuery
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from calloffs.models import CallOffEvent, CallOffService, EventKind
from digisos import insert_sql as kept
from digisos.insert_sql import insert_one, insert_rows, insert_sql
from incidents.models import ObligationKind, ReportingObligation, TimelineEntry
from tenants.models import AuditEntry

pytestmark = pytest.mark.django_db

AT = timezone.now().replace(microsecond=123456)


def djangos(model, objs, *, returning, raw: dict | None = None):
    """What Django's InsertQuery writes for ``objs`` (the former insert_sql)."""
    meta = model._meta
    fields = [f for f in meta.local_concrete_fields if not f.generated and f is not meta.auto_field]
    for attname, sql in (raw or {}).items():
        for obj in objs:
            setattr(obj, attname, RawSQL(sql, ()))
    query = InsertQuery(model)
    query.insert_values(fields, objs)
    compiler = query.get_compiler(connection=connection)
    compiler.returning_fields = returning
    [(sql, params)] = compiler.as_sql()
    return sql, tuple(params)


def plain(params):
    """Parameters comparable by value (psycopg2 wraps JSON in an adapter object)."""
    return [plain(p) if isinstance(p, list) else getattr(p, "adapted", p) for p in params]


def events(calloff, actor, n, *, reason=""):
    return [
        CallOffEvent(
            calloff=calloff,
            kind=EventKind.NOTE,
            actor=actor,
            reason=f"{reason}{i}",
            data={"i": i, "at": AT, "nested": [1, "zwei"]},
            at=AT + timedelta(seconds=i),
        )
        for i in range(n)
    ]


def entries(calloff, actor, n, *, text="Eintrag"):
    return [
        TimelineEntry(incident=calloff.incident, source="system", author=actor, text=f"{text} {i}", at=AT, scope="")
        for i in range(n)
    ]


def audit_entries(org, actor, n, *, start=900_000):
    return [
        AuditEntry(
            sequence=start + i,
            at=AT,
            actor=actor,
            actor_label=actor.email,
            action="test.kept",
            organisation=org,
            organisation_label=org.name,
            target=f"T{i}",
            details={"i": i},
            prev_hash=f"{start + i - 1:064d}",
            entry_hash=f"{start + i:064d}",
            key_id="k",
        )
        for i in range(n)
    ]


@pytest.fixture
def filed(file_calloff):
    return file_calloff()


@pytest.mark.parametrize("n", [1, 2, 3])
def test_the_kept_statement_is_djangos_with_each_new_rows_values(filed, alice, org_a, n):
    builders = [
        (CallOffEvent, lambda i: events(filed, alice, n, reason=f"r{i}-")),
        (TimelineEntry, lambda i: entries(filed, alice, n, text=f"t{i}")),
        (AuditEntry, lambda i: audit_entries(org_a, alice, n, start=900_000 + 10 * i)),
    ]
    kept._KEPT._compile(connection.alias).clear()
    with mock.patch("django.utils.timezone.now", return_value=AT):
        for model, build in builders:
            returning = model._meta.db_returning_fields
            for i in range(3):  # compiled on the first, kept after
                got = insert_sql(connection, model, build(i), returning=returning)
                expected = djangos(model, build(i), returning=returning)
                assert got[0] == expected[0]
                assert plain(got[1]) == plain(expected[1])
    assert len(kept._KEPT._compile(connection.alias)) == 3


def test_a_kept_statement_is_not_compiled_again(filed, alice):
    returning = CallOffEvent._meta.db_returning_fields
    insert_sql(connection, CallOffEvent, events(filed, alice, 2), returning=returning)
    with mock.patch.object(kept, "_compile", side_effect=AssertionError("compiled again")):
        sql, params = insert_sql(connection, CallOffEvent, events(filed, alice, 2, reason="x"), returning=returning)
    assert "x1" in str(params)


def test_fixed_columns_stand_in_every_row(filed, alice):
    incident = filed.incident
    returning = [ReportingObligation._meta.pk, ReportingObligation._meta.get_field("incident")]
    fixed = {"incident_id": "SELECT 1"}

    def obligations(days):
        return [
            ReportingObligation(incident=incident, kind=kind, due_at=AT + timedelta(days=days), remind_at=AT)
            for kind in (ObligationKind.CERT_NRW, ObligationKind.GDPR_NOTIFICATION)
        ]

    for days in (1, 2, 3):
        objs = obligations(days)
        got = insert_sql(connection, ReportingObligation, objs, returning=returning, fixed=fixed)
        assert [o.incident_id for o in objs] == [incident.pk, incident.pk]  # the object's own value is left
        assert got == djangos(ReportingObligation, obligations(days), returning=returning, raw=fixed)
        assert "(SELECT 1)" in got[0]


def test_insert_rows_writes_what_bulk_create_writes(filed, alice):
    for n in (1, 2, 3, 2):
        ours, theirs = events(filed, alice, n, reason="ours"), events(filed, alice, n, reason="ours")
        assert insert_rows(CallOffEvent, ours) is ours
        CallOffEvent.objects.bulk_create(theirs)
        for a, b in zip(ours, theirs, strict=True):
            assert a.pk and b.pk and a.pk != b.pk
            assert (a._state.adding, a._state.db) == (b._state.adding, b._state.db) == (False, "default")
        rows = lambda objs: list(  # noqa: E731
            CallOffEvent.objects.filter(pk__in=[o.pk for o in objs]).order_by("pk").values()
        )
        assert [{**r, "id": None} for r in rows(ours)] == [{**r, "id": None} for r in rows(theirs)]


def test_insert_one_saves_as_save_does_with_its_signals(filed, alice):
    seen = []

    def before(sender, instance, **kwargs):
        seen.append(("pre", instance.pk, kwargs["raw"], kwargs["update_fields"]))

    def after(sender, instance, created, **kwargs):
        seen.append(("post", instance.pk, created, kwargs["raw"]))

    pre_save.connect(before, sender=TimelineEntry, dispatch_uid="test.kept.pre")
    post_save.connect(after, sender=TimelineEntry, dispatch_uid="test.kept.post")
    try:
        for text in ("eins", "zwei"):
            [ours] = entries(filed, alice, 1, text=text)
            [theirs] = entries(filed, alice, 1, text=text)
            assert insert_one(ours) is ours
            pre_theirs = len(seen)
            theirs.save(force_insert=True)
            assert seen[:pre_theirs][-2:] == [("pre", None, False, None), ("post", ours.pk, True, False)]
            assert seen[pre_theirs:] == [("pre", None, False, None), ("post", theirs.pk, True, False)]
            del seen[:]
            a = TimelineEntry.objects.filter(pk=ours.pk).values().get()
            b = TimelineEntry.objects.filter(pk=theirs.pk).values().get()
            assert ours.created_at == a["created_at"] and theirs.created_at == b["created_at"]
            drop = {"id", "created_at"}
            assert {k: v for k, v in a.items() if k not in drop} == {k: v for k, v in b.items() if k not in drop}
            assert not ours._state.adding and ours._state.db == "default"
    finally:
        pre_save.disconnect(dispatch_uid="test.kept.pre", sender=TimelineEntry)
        post_save.disconnect(dispatch_uid="test.kept.post", sender=TimelineEntry)


def test_a_row_with_an_expression_goes_the_orms_way(filed, alice):
    [plain_entry] = entries(filed, alice, 1)
    insert_one(plain_entry)  # the statement is kept now
    [entry] = entries(filed, alice, 1)
    entry.text = Upper(Value("laut"))
    with CaptureQueriesContext(connection) as captured:
        insert_one(entry)
    assert "UPPER" in captured.captured_queries[-1]["sql"]
    assert TimelineEntry.objects.get(pk=entry.pk).text == "LAUT"
    [event] = events(filed, alice, 1)
    event.reason = Upper(Value("grund"))
    insert_rows(CallOffEvent, [event])
    assert CallOffEvent.objects.get(pk=event.pk).reason == "GRUND"


def test_rows_it_cannot_take_go_through_bulk_create_and_save(filed, alice):
    [with_pk] = events(filed, alice, 1)
    with_pk.pk = 987_654
    insert_rows(CallOffEvent, [with_pk])
    assert CallOffEvent.objects.filter(pk=987_654).exists()
    assert insert_rows(CallOffEvent, []) == []
    [existing] = entries(filed, alice, 1)
    existing.pk = 876_543
    insert_one(existing)
    assert TimelineEntry.objects.filter(pk=876_543).exists()


def test_an_unsaved_related_object_is_refused_as_the_orm_refuses_it(filed, alice):
    from incidents.models import Incident

    [entry] = entries(filed, alice, 1)
    entry.incident = Incident(organisation=filed.organisation, title="neu")
    with pytest.raises(ValueError, match="unsaved related object"):
        insert_one(entry)
    [service] = list(filed.services.all())
    copy = CallOffService(
        calloff=filed,
        service_module=service.service_module,
        estimated_quantity=1,
        unit_price=service.unit_price,
        value=service.unit_price,
        position=9,
    )
    copy.service_module = type(service.service_module)()
    with pytest.raises(ValueError, match="unsaved related object"):
        insert_rows(CallOffService, [copy])
