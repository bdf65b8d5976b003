"""INSERTs whose SQL Django's ``InsertQuery`` writes once per database connection, then run again with
the new rows' values (issue 19: building and compiling the query cost more CPU than the statement).

* ``insert_sql``: the INSERT … RETURNING that ``bulk_create`` would send, as SQL text and
  parameters, for a caller that sends it inside a larger statement (a data-modifying WITH on
  PostgreSQL: one round trip less).
* ``insert_rows(objs)``: ``bulk_create(objs)`` for new rows; ``insert_one(obj)``:
  ``obj.save(force_insert=True)`` (its signals sent) for a model with Django's own save.
* ``update_one(obj, fields)``: ``obj.save(update_fields=fields)`` of a row read from the database,
  its UPDATE (``UpdateQuery``'s) kept per (model, fields, which of them are NULL).

The statement is Django's own, kept per (model, returning fields, number of rows, fixed columns):
its text depends on nothing else as long as every value is a plain value (no expression, no field
with a placeholder of its own). Each row's values are still prepared as the compiler prepares
them (the field's ``pre_save`` and ``get_db_prep_save``); a row with an expression in it goes the
ORM's whole way, as before.
"""

from __future__ import annotations

import inspect
import uuid
from datetime import datetime

from django.db import DatabaseError, connections, router, transaction
from django.db.backends.base.operations import BaseDatabaseOperations
from django.db.models import Model, fields
from django.db.models.expressions import RawSQL
from django.db.models.fields.related import ForeignKey, OneToOneField
from django.db.models.query_utils import DeferredAttribute
from django.db.models.signals import post_save, pre_save
from django.db.models.sql import InsertQuery, UpdateQuery
from django.utils.functional import Promise

from digisos.compiled_query import _converted, _KeptPerConnection

#: Statements kept per connection at most (keys: models × row counts the code inserts, a few dozen).
_SIZE = 256


class _Statements(_KeptPerConnection):
    def _make(self, connection, using: str) -> dict:
        return {}


_KEPT = _Statements()


def _fields(meta) -> list:
    """The columns bulk_create writes for new rows: all but the auto id and generated ones."""
    return [f for f in meta.local_concrete_fields if not f.generated and f is not meta.auto_field]


def _compile(connection, model, objs, returning, fixed) -> tuple[str, tuple, dict | None]:
    """Django's statement for ``objs``, and what to keep of it (None: not to be kept)."""
    meta = model._meta
    fields = _fields(meta)
    saved = {}
    for attname, sql in fixed.items():
        saved[attname] = [getattr(obj, attname) for obj in objs]
        for obj in objs:
            setattr(obj, attname, RawSQL(sql, ()))  # noqa: S611  # nosec B611 - the caller's own SQL, no input
    try:
        query = InsertQuery(model)
        query.insert_values(fields, objs)
        compiler = query.get_compiler(connection=connection)
        compiler.returning_fields = returning
        [(sql, params)] = compiler.as_sql()
    finally:
        for attname, values in saved.items():
            for obj, value in zip(objs, values, strict=True):
                setattr(obj, attname, value)
    bound = [f for f in fields if f.attname not in fixed]
    keep = None
    plain = not any(hasattr(f, "get_placeholder") for f in fields) and not compiler.returning_params
    if plain and not any(_has_expression(obj, bound) for obj in objs):
        rows, width = len(objs), len(bound)
        if len(params) == rows * width:
            layout = "flat"
        elif rows > 1 and len(params) == width and all(isinstance(p, list) for p in params):
            layout = "columns"  # PostgreSQL's UNNEST of one array per column
        else:
            layout = None
        if layout:
            keep = {
                "sql": sql,
                "layout": layout,
                "converters": _converters(connection, model, returning),
                "plan": [_Column(field, connection, model) for field in bound],
            }
    return sql, tuple(params), keep


def _converters(connection, model, returning) -> dict:
    """The backend's converters of the returned columns, as the insert compiler applies them."""
    compiler = InsertQuery(model).get_compiler(connection=connection)
    return compiler.get_converters([f.get_col(model._meta.db_table) for f in returning])


def _has_expression(obj, fields) -> bool:
    return any(hasattr(getattr(obj, f.attname), "resolve_expression") for f in fields)


#: Field classes (exactly these, no subclass) whose get_db_prep_save gives back a str value itself.
_TEXT = frozenset({fields.CharField, fields.TextField, fields.EmailField, fields.URLField, fields.SlugField})
_INTEGER = frozenset({fields.IntegerField, fields.BigIntegerField, fields.SmallIntegerField})
_INTEGER |= {fields.PositiveIntegerField, fields.PositiveBigIntegerField, fields.PositiveSmallIntegerField}
_AUTO = frozenset({fields.AutoField, fields.BigAutoField, fields.SmallAutoField})
#: A datetime that is its own prepared value only if aware (a naive one is warned about and made aware).
_AWARE = "aware"


def _datetimes_as_they_are(connection) -> bool:
    """Whether the backend hands datetimes to its driver as they are (PostgreSQL's adapt_datetimefield_value)."""
    if connection.vendor != "postgresql":
        return False
    from django.db.backends.postgresql.operations import DatabaseOperations

    return type(connection.ops).adapt_datetimefield_value is DatabaseOperations.adapt_datetimefield_value


def _kind(field, connection):
    """What values ``field.get_db_prep_save(value, connection)`` gives back unchanged, as Django 5.2's
    code for the field's class (exactly that class) and the backend's operations read: "text" (any
    str), a type (exactly that type), _AWARE (aware datetimes); None if not known (always asked)."""
    cls, ops = type(field), type(connection.ops)
    if cls in _TEXT:  # to_python: a str as it is
        return "text"
    if cls is fields.BooleanField:  # to_python: bool(value)
        return bool
    if cls in _INTEGER and ops.adapt_integerfield_value is BaseDatabaseOperations.adapt_integerfield_value:
        return int  # int(value); psycopg 3 would wrap it (its adapt_integerfield_value)
    if cls in _AUTO and ops.validate_autopk_value is BaseDatabaseOperations.validate_autopk_value:
        return int
    if cls is fields.UUIDField and connection.features.has_native_uuid_field:
        return uuid.UUID
    if cls is fields.DateTimeField and _datetimes_as_they_are(connection):
        return _AWARE
    if cls in (ForeignKey, OneToOneField):  # None, or the target's prepared value ("" is special: not text)
        target = _kind(field.target_field, connection)
        return target if isinstance(target, type) else None
    return None


def _as_it_is(kind, cls: type):
    """True if a value of class ``cls`` comes out of get_db_prep_save unchanged (for ``kind``), _AWARE
    if so when it is aware, False if it is to be prepared by the field."""
    if kind is None:
        return False
    if cls is type(None):  # None for every kind above
        return True
    if kind == "text":
        expression = hasattr(cls, "as_sql") or hasattr(cls, "resolve_expression")
        return issubclass(cls, str) and not issubclass(cls, Promise) and not expression
    if kind is _AWARE:
        return _AWARE if cls is datetime else False
    return cls is kind


class _Column:
    """How one column's value is taken from a row and prepared, as the compiler does it: ``pre_save(obj,
    add)`` (add: an INSERT's new row; False for an UPDATE), then ``get_db_prep_save``. The attribute is
    read from the row's __dict__ where the field's pre_save only reads it through Django's own
    descriptor, and the value used as it is where get_db_prep_save would give it back unchanged (see
    _kind; tests/test_insert_sql.py compares with the field's own methods for every field and value)."""

    __slots__ = ("attname", "field", "pre_save", "direct", "kind", "known", "same", "aware")

    def __init__(self, field, connection, model=None, *, add: bool = True):
        pre_save = type(field).pre_save
        reads = pre_save is fields.Field.pre_save or (
            pre_save in (fields.DateField.pre_save, fields.DateTimeField.pre_save)
            and not field.auto_now
            and not (field.auto_now_add and add)
        )
        self.attname, self.field = field.attname, field
        self.pre_save = None if reads else field.pre_save
        # getattr(obj, attname) is obj.__dict__[attname] when that is there and Django's DeferredAttribute
        # (ForeignKeyDeferredAttribute: its __get__) is what the class has for it.
        descriptor = inspect.getattr_static(model, field.attname, None) if model is not None else None
        self.direct = (
            reads
            and model.__getattribute__ is object.__getattribute__
            and getattr(type(descriptor), "__get__", None) is DeferredAttribute.__get__
        )
        self.kind = _kind(field, connection)
        self.known: set[type] = set()  # value classes seen: each in one of
        self.same: set[type] = set()  # used as they are
        self.aware: set[type] = set()  # used as they are when aware (else prepared by the field)

    def learn(self, cls: type) -> None:
        same = _as_it_is(self.kind, cls)
        if same is True:
            self.same.add(cls)
        elif same is _AWARE:
            self.aware.add(cls)
        self.known.add(cls)


def _read(connection, obj, plan: list[_Column], add: bool) -> tuple[list, list | None]:
    """``obj``'s values for the columns of ``plan`` as their pre_save gives them (for an UPDATE; not
    collected for an INSERT), and prepared as get_db_prep_save prepares them; None for the latter if one
    is for the ORM to compile into the statement (an expression; for an UPDATE also a model instance,
    or a prepared value with SQL)."""
    values, prepared = [], []
    attributes = obj.__dict__
    for column in plan:
        if column.direct and column.attname in attributes:
            value = attributes[column.attname]
        elif column.pre_save is None:
            value = getattr(obj, column.attname)
        else:
            value = column.pre_save(obj, add)
        if not add:
            values.append(value)
        cls = type(value)
        if cls not in column.known:
            column.learn(cls)
        if prepared is None:
            continue
        if cls in column.same or (cls in column.aware and value.utcoffset() is not None):
            prepared.append(value)
        elif hasattr(value, "resolve_expression") or (not add and hasattr(value, "prepare_database_save")):
            prepared = None
        else:
            value = column.field.get_db_prep_save(value, connection=connection)
            prepared = None if not add and hasattr(value, "as_sql") else prepared
            if prepared is not None:
                prepared.append(value)
    return values, prepared


def _prepared_rows(connection, objs, plan: list[_Column]) -> list[list] | None:
    """Each row's values as the compiler prepares them (pre_save_val, prepare_value); None if a
    value is an expression (the ORM compiles those into the statement)."""
    rows = []
    for obj in objs:
        _values, prepared = _read(connection, obj, plan, True)
        if prepared is None:
            return None
        rows.append(prepared)
    return rows


def _statement(connection, model, objs, returning, fixed) -> tuple[str, tuple, dict | None]:
    """The SQL and parameters for ``objs``, from the kept statement when there is one."""
    key = (model, tuple(f.attname for f in returning), len(objs), tuple(sorted(fixed.items())))
    kept = _KEPT._compile(connection.alias)
    compiled = kept.get(key)
    if compiled is not None:
        rows = _prepared_rows(connection, objs, compiled["plan"])
        if rows is not None:
            if compiled["layout"] == "flat":
                params = tuple(value for row in rows for value in row)
            else:
                params = tuple(list(column) for column in zip(*rows, strict=True))
            return compiled["sql"], params, compiled
    sql, params, compiled = _compile(connection, model, objs, returning, fixed)
    if compiled is not None:
        if len(kept) >= _SIZE:
            kept.clear()
        kept[key] = compiled
    return sql, params, compiled


def insert_sql(connection, model, objs, *, returning, fixed: dict[str, str] | None = None) -> tuple[str, tuple]:
    """One INSERT of ``objs`` (all columns but the auto id and generated ones, as bulk_create writes
    them) with RETURNING ``returning`` (fields). ``fixed``: attname → SQL (without parameters) that
    stands in that column of every row instead of the object's value (as a RawSQL value would)."""
    sql, params, _compiled = _statement(connection, model, objs, returning, fixed or {})
    return sql, params


def _fast(model, objs, connection) -> bool:
    """Whether ``objs`` can go in as one kept statement: new rows of a concrete model without
    parents, an auto id and Django's own save, few enough for one batch, ids returned."""
    meta = model._meta
    return (
        bool(objs)
        and meta.auto_field is not None
        and meta.pk is meta.auto_field
        and not meta.parents
        and not meta.proxy
        and not meta.order_with_respect_to
        and connection.features.can_return_rows_from_bulk_insert
        and all(type(obj) is model and obj.pk is None and obj._state.adding for obj in objs)
        and connection.ops.bulk_batch_size(_fields(meta), objs) >= len(objs)
    )


def _run(connection, model, objs) -> None:
    meta = model._meta
    returning = meta.db_returning_fields
    sql, params, compiled = _statement(connection, model, objs, returning, {})
    with transaction.mark_for_rollback_on_error(using=connection.alias), connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if len(rows) != len(objs):
        raise RuntimeError(f"the INSERT of {meta.label} returned {len(rows)} rows for {len(objs)}")
    converters = compiled["converters"] if compiled is not None else _converters(connection, model, returning)
    if converters:
        rows = [_converted(row, converters, connection) for row in rows]
    for obj, row in zip(objs, rows, strict=True):
        for value, field in zip(row, returning, strict=True):
            setattr(obj, field.attname, value)
        obj._state.adding = False
        obj._state.db = connection.alias


def insert_rows(model, objs: list) -> list:
    """``model.objects.bulk_create(objs)`` for new rows (no signals, ids set), through a kept statement."""
    using = router.db_for_write(model)
    connection = connections[using]
    if not _fast(model, objs, connection):
        return model._base_manager.using(using).bulk_create(objs)
    for obj in objs:
        obj._prepare_related_fields_for_save(operation_name="bulk_create")
    _run(connection, model, objs)
    return objs


def insert_one(obj: Model, *, save_guards_only: bool = False) -> Model:
    """``obj.save(force_insert=True)`` of a new row (pre_save and post_save sent), through a kept statement.
    A model with a save() of its own goes through it, unless the caller says ``save_guards_only``: that
    save only refuses a row that is not new and is Model.save for a new one (an append-only record's)."""
    model = type(obj)
    using = router.db_for_write(model, instance=obj)
    connection = connections[using]
    own_save = model.save is not Model.save and not save_guards_only
    if own_save or model.save_base is not Model.save_base or not _fast(model, [obj], connection):
        obj.save(force_insert=True, using=using)
        return obj
    obj._prepare_related_fields_for_save(operation_name="save")
    pre_save.send(sender=model, instance=obj, raw=False, using=using, update_fields=None)
    _run(connection, model, [obj])
    post_save.send(sender=model, instance=obj, created=True, update_fields=None, raw=False, using=using)
    return obj


def _update_statement(connection, obj, fields, values, prepared) -> tuple[str, list] | None:
    """The SQL and parameters of Django's UPDATE of ``fields`` (their ``values``, as pre_save gave
    them) for the row of ``obj``, kept when they are laid out as expected (each non-NULL prepared value
    one parameter, then the pk's): (sql, params), or None if Django's is to be run as it is."""
    model, meta = type(obj), type(obj)._meta
    pk_value = obj._get_pk_val(meta)
    key = ("update", model, tuple(f.attname for f in fields), tuple(value is None for value in prepared))
    kept = _KEPT._compile(connection.alias)
    sql = kept.get(key)
    where = meta.pk.get_db_prep_value(meta.pk.get_prep_value(pk_value), connection, prepared=True)
    params = [value for value in prepared if value is not None] + [where]
    if sql is not None:
        return sql, params
    # As Model._do_update: base_qs.filter(pk=…)._update(values), compiled here.
    query = model._base_manager.using(connection.alias).filter(pk=pk_value).query.chain(UpdateQuery)
    query.add_update_fields([(field, None, value) for field, value in zip(fields, values, strict=True)])
    query.annotations = {}
    sql, compiled_params = query.get_compiler(connection.alias).as_sql()
    if list(compiled_params) != params or any(hasattr(f, "get_placeholder") for f in fields):
        return None
    if len(kept) >= _SIZE:
        kept.clear()
    kept[key] = sql
    return sql, params


def _update_columns(connection, model, update_fields: frozenset) -> list[_Column]:
    """The columns Model._save_table updates for ``update_fields`` (its non_pks_non_generated), kept."""
    kept = _KEPT._compile(connection.alias)
    key = ("update columns", model, update_fields)
    columns = kept.get(key)
    if columns is None:
        meta = model._meta
        columns = [
            _Column(f, connection, model, add=False)
            for f in meta.local_concrete_fields
            if f not in meta.pk_fields and not f.generated and (f.name in update_fields or f.attname in update_fields)
        ]
        if len(kept) >= _SIZE:
            kept.clear()
        kept[key] = columns
    return columns


def update_one(obj: Model, update_fields) -> None:
    """``obj.save(update_fields=update_fields)`` of a row read from the database, for a model with
    Django's own save (no parents, not a proxy, select_on_save off): pre_save and post_save sent with
    the same arguments, the fields' pre_save (auto_now) asked, the UPDATE Django's (kept), its row
    count checked as Django checks it. Anything else, or a value that is an expression or a model
    instance, goes through save() (or Django's UPDATE) as it is."""
    model = type(obj)
    meta = model._meta
    update_fields = frozenset(update_fields)
    if (
        model.save is not Model.save
        or model.save_base is not Model.save_base
        or model._save_table is not Model._save_table
        or model._do_update is not Model._do_update
        or meta.parents
        or meta.proxy
        or meta.auto_created
        or meta.select_on_save
        or obj._state.adding
        or not update_fields
        or not update_fields <= meta._non_pk_concrete_field_names
        or not obj._is_pk_set(meta)
    ):
        obj.save(update_fields=update_fields)
        return
    obj._prepare_related_fields_for_save(operation_name="save")
    using = router.db_for_write(model, instance=obj)
    connection = connections[using]
    pre_save.send(sender=model, instance=obj, raw=False, using=using, update_fields=update_fields)
    with transaction.mark_for_rollback_on_error(using=using):
        columns = _update_columns(connection, model, update_fields)
        values, prepared = _read(connection, obj, columns, False)
        fields = [column.field for column in columns]
        statement = _update_statement(connection, obj, fields, values, prepared) if prepared is not None else None
        if statement is None:  # Django's own, as _do_update runs it
            filtered = model._base_manager.using(using).filter(pk=obj._get_pk_val(meta))
            updated = filtered._update([(field, None, value) for field, value in zip(fields, values, strict=True)]) > 0
        else:
            with connection.cursor() as cursor:
                cursor.execute(*statement)
                updated = cursor.rowcount > 0
        if not updated:
            raise DatabaseError("Save with update_fields did not affect any rows.")
    obj._state.db = using
    obj._state.adding = False
    post_save.send(sender=model, instance=obj, created=False, update_fields=update_fields, raw=False, using=using)
