"""digisos.insert_sql: the INSERT kept per connection is the one Django writes, with each new row's
values; insert_rows writes what bulk_create writes, insert_one what save(force_insert=True) writes."""

from __future__ import annotations

import uuid
import warnings
from datetime import timedelta
from decimal import Decimal
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.db import connection
from django.db.models import Field, ForeignKey, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Upper
from django.db.models.signals import post_save, pre_save
from django.db.models.sql import InsertQuery
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.translation import gettext_lazy

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


def _row(model, field, value):
    """A new row of ``model`` holding ``value`` in ``field``."""
    row = model()
    setattr(row, field.attname, value)
    return row


#: Values of every kind a row may hold: None, text (plain, empty, a choices member, lazy, a str
#: subclass), numbers, booleans, aware and naive datetimes, dates, UUIDs (and as text), JSON.
_VALUES = [
    None,
    "",
    "Text",
    "123",
    EventKind.NOTE,
    gettext_lazy("Abruf"),
    type("Sub", (str,), {})("sub"),
    0,
    7,
    2**40,
    -1,
    True,
    False,
    1.5,
    Decimal("2.50"),
    AT,
    AT.astimezone(ZoneInfo("Europe/Berlin")),
    AT.replace(tzinfo=None),
    AT.date(),
    uuid.UUID("12345678-1234-5678-1234-567812345678"),
    "12345678-1234-5678-1234-567812345678",
    {"a": [1, "zwei"]},
    [1, 2],
]


def _prepared(prepare):
    """``prepare()``'s value (comparable: JSON adapters unwrapped) with the warnings it gives, or the
    class of the error it raises."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            value = prepare()
        except Exception as exc:  # noqa: BLE001 - compared: both ways raise the same
            return ("raised", type(exc))
    [[value]] = value
    value = getattr(value, "adapted", value)
    return (type(value), value, [(w.category, str(w.message)) for w in caught])


def test_every_columns_values_are_prepared_as_the_fields_prepare_them():
    """The kept statement's columns (_Column: the attribute read, values used as they are) against the
    field's own pre_save and get_db_prep_save: every concrete field of every model, every kind of value,
    on this database's backend."""
    checked = fast = direct = 0
    with mock.patch("django.utils.timezone.now", return_value=AT):
        for model in apps.get_models():
            for field in model._meta.local_concrete_fields:
                for value in _VALUES:
                    column = kept._Column(field, connection, model)
                    for _twice in range(2):  # the value's class first seen, then known

                        def ours(model=model, field=field, value=value, column=column):
                            return kept._prepared_rows(connection, [_row(model, field, value)], [column])

                        def djangos_value(model=model, field=field, value=value):
                            prepared = field.pre_save(_row(model, field, value), True)
                            return [[field.get_db_prep_save(prepared, connection=connection)]]

                        assert _prepared(ours) == _prepared(djangos_value), (model, field.name, value)
                    for add in (True, False):  # a column read directly: its pre_save only reads it
                        if kept._Column(field, connection, model, add=add).pre_save is None:
                            row = _row(model, field, value)
                            assert field.pre_save(row, add) is row.__dict__[field.attname], (model, field.name, add)
                    checked += 1
                    fast += bool(column.same or column.aware)
                    direct += column.direct
    assert checked > 5000 and fast > 1000 and direct > 1000


@pytest.mark.skipif(connection.vendor != "postgresql", reason="what psycopg2 takes as it is")
def test_an_outbox_rows_values_are_used_as_they_are_on_postgresql(filed):
    """The point of _Column: of an outbox row (the accept writes three) only the JSON payload is
    prepared by its field; the rest is used as it is, and comes out as the fields prepare it."""
    from notifications.models import Audience, Channel, Notification

    row = Notification(
        organisation=filed.organisation,
        event_type="calloff.accepted",
        audience=Audience.BODY,
        channel=Channel.EMAIL,
        recipient="it@example.org",
        subject="Betreff",
        body="Text",
        payload={"a": 1},
    )
    columns = kept._fields(Notification._meta)
    with mock.patch("django.utils.timezone.now", return_value=AT):
        expected = [c.get_db_prep_save(c.pre_save(row, True), connection=connection) for c in columns]
        asked = []

        def spy(real):
            return lambda field, value, connection: asked.append(field.name) or real(field, value, connection)

        with (
            mock.patch.object(Field, "get_db_prep_save", spy(Field.get_db_prep_save)),
            mock.patch.object(ForeignKey, "get_db_prep_save", spy(ForeignKey.get_db_prep_save)),
        ):
            plan = [kept._Column(c, connection, Notification) for c in columns]
            [got] = kept._prepared_rows(connection, [row], plan)
    assert asked == ["payload"]
    assert [c.attname for c in plan if not c.direct] == ["updated_at"]  # auto_now: its pre_save sets it
    assert plain(got) == plain(expected)


def test_an_event_goes_in_as_its_own_save_puts_it(filed, alice):
    """record_event's insert_one(event, save_guards_only=True) against CallOffEvent.save(force_insert=True)
    (which only refuses a row that is not new): the same statement, row and signals; still immutable."""
    from calloffs.errors import ImmutableRecord

    seen = []

    def before(sender, instance, **kwargs):
        seen.append(("pre", instance.pk, kwargs["raw"], kwargs["update_fields"], kwargs["using"]))

    def after(sender, instance, created, **kwargs):
        seen.append(("post", instance.pk is not None, created, kwargs["raw"], kwargs["using"]))

    pre_save.connect(before, sender=CallOffEvent, dispatch_uid="test.kept.event.pre")
    post_save.connect(after, sender=CallOffEvent, dispatch_uid="test.kept.event.post")
    try:
        for reason in ("eins", "zwei"):  # compiled, then kept
            [ours] = events(filed, alice, 1, reason=reason)
            [theirs] = events(filed, alice, 1, reason=reason)
            with CaptureQueriesContext(connection) as ours_sql:
                assert insert_one(ours, save_guards_only=True) is ours
            ours_seen = seen[:]
            del seen[:]
            with CaptureQueriesContext(connection) as theirs_sql:
                theirs.save(force_insert=True)
            assert ours_seen == seen
            del seen[:]
            assert [q["sql"] for q in ours_sql.captured_queries] == [q["sql"] for q in theirs_sql.captured_queries]
            a = CallOffEvent.objects.filter(pk=ours.pk).values().get()
            b = CallOffEvent.objects.filter(pk=theirs.pk).values().get()
            assert {**a, "id": None} == {**b, "id": None}
            states = [(event._state.adding, event._state.db) for event in (ours, theirs)]
            assert states == [(False, "default")] * 2
            with pytest.raises(ImmutableRecord):
                ours.save()
            with pytest.raises(ImmutableRecord):  # not new: through its own save, which refuses it
                insert_one(ours, save_guards_only=True)
    finally:
        pre_save.disconnect(dispatch_uid="test.kept.event.pre", sender=CallOffEvent)
        post_save.disconnect(dispatch_uid="test.kept.event.post", sender=CallOffEvent)


def test_update_one_saves_as_save_does_with_its_signals(file_calloff):
    """update_one(calloff, fields) against calloff.save(update_fields=fields), as offer_accept saves:
    the same statement (NULLs and values, compiled then kept), signals, rows; auto_now asked."""
    from calloffs.models import CallOff, Provider

    ours, theirs = file_calloff(), file_calloff()
    provider = Provider.objects.order_by("pk").first()
    fields = ["state", "provider", "lead_name", "eta_remote", "accept_note", "accepted_at", "updated_at"]
    seen = []

    def before(sender, instance, **kwargs):
        seen.append(("pre", kwargs["raw"], kwargs["update_fields"], kwargs["using"]))

    def after(sender, instance, created, **kwargs):
        seen.append(("post", created, kwargs["raw"], kwargs["update_fields"], kwargs["using"]))

    pre_save.connect(before, sender=CallOff, dispatch_uid="test.kept.update.pre")
    post_save.connect(after, sender=CallOff, dispatch_uid="test.kept.update.post")
    # Start with nothing kept: statements of earlier tests in this process would fill the cache, and one at its
    # size limit would empty it in the middle of this test.
    kept._KEPT._compile(connection.alias).clear()
    changes = [
        {"state": "accepted", "provider": provider, "lead_name": "Erika", "eta_remote": None, "accepted_at": AT},
        {"state": ours.state, "provider": None, "lead_name": "Max", "eta_remote": AT + timedelta(hours=1)},
        {"state": "accepted", "provider": provider, "eta_remote": AT + timedelta(hours=2), "accept_note": "N"},
        {"eta_remote": None},
    ]
    try:
        for change in changes:
            for call_off in (ours, theirs):
                for name, value in change.items():
                    setattr(call_off, name, value)
            with mock.patch("django.utils.timezone.now", return_value=AT + timedelta(seconds=len(seen))):
                with CaptureQueriesContext(connection) as ours_sql:
                    kept.update_one(ours, fields)
                ours_seen = seen[:]
                del seen[:]
                with CaptureQueriesContext(connection) as theirs_sql:
                    theirs.save(update_fields=fields)
            assert ours_seen == seen and [s[0] for s in seen] == ["pre", "post"] and seen[0][2] == frozenset(fields)
            del seen[:]
            [ours_query], [theirs_query] = ours_sql.captured_queries, theirs_sql.captured_queries
            where = '"calloffs_calloff"."id" = '
            assert ours_query["sql"].endswith(f"{where}{ours.pk}")
            assert theirs_query["sql"].endswith(f"{where}{theirs.pk}")
            assert ours_query["sql"].rsplit(where, 1)[0] == theirs_query["sql"].rsplit(where, 1)[0]
            a, b = (CallOff.objects.filter(pk=c.pk).values(*fields).get() for c in (ours, theirs))
            assert a == b and a["lead_name"] == ours.lead_name and ours.updated_at == theirs.updated_at
        names = {CallOff._meta.get_field(name).attname for name in fields}
        mine = [key for key in kept._KEPT._compile(connection.alias) if key[:2] == ("update", CallOff)]
        assert all(set(key[2]) == names for key in mine)
        assert len(mine) == 3  # by what is NULL: eta_remote (first and last change), provider (second), neither
    finally:
        pre_save.disconnect(dispatch_uid="test.kept.update.pre", sender=CallOff)
        post_save.disconnect(dispatch_uid="test.kept.update.post", sender=CallOff)


def test_update_one_refuses_and_falls_back_as_save_does(file_calloff):
    from django.db import DatabaseError, transaction

    from calloffs.models import CallOff

    call_off = file_calloff()
    kept.update_one(call_off, ["lead_name", "updated_at"])  # kept now
    call_off.lead_name = Upper(Value("laut"))  # an expression: Django's own UPDATE
    kept.update_one(call_off, ["lead_name"])
    assert CallOff.objects.get(pk=call_off.pk).lead_name == "LAUT"
    with pytest.raises(ValueError, match="do not exist"):
        kept.update_one(call_off, ["no_such_field"])
    gone = CallOff.objects.get(pk=call_off.pk)
    gone.pk = gone.id = 987_654_321
    for update in (kept.update_one, lambda obj, names: obj.save(update_fields=names)):
        with transaction.atomic(), pytest.raises(DatabaseError, match="did not affect any rows"):
            update(gone, ["lead_name", "updated_at"])
    with mock.patch.object(kept, "_update_statement", side_effect=AssertionError("not asked")):
        kept.update_one(call_off, [])  # nothing to save: as save(), nothing happens
