"""INSERTs whose SQL Django's ``InsertQuery`` writes once per database connection, then run again with
the new rows' values (issue 19: building and compiling the query cost more CPU than the statement).

* ``insert_sql``: the INSERT … RETURNING that ``bulk_create`` would send, as SQL text and
  parameters, for a caller that sends it inside a larger statement (a data-modifying WITH on
  PostgreSQL: one round trip less).
* ``insert_rows(objs)``: ``bulk_create(objs)`` for new rows; ``insert_one(obj)``:
  ``obj.save(force_insert=True)`` (its signals sent) for a model with Django's own save.

The statement is Django's own, kept per (model, returning fields, number of rows, fixed columns):
its text depends on nothing else as long as every value is a plain value (no expression, no field
with a placeholder of its own). Each row's values are still prepared as the compiler prepares
them (the field's ``pre_save`` and ``get_db_prep_save``); a row with an expression in it goes the
ORM's whole way, as before.
"""

from __future__ import annotations

from django.db import connections, router, transaction
from django.db.models import Model
from django.db.models.expressions import RawSQL
from django.db.models.signals import post_save, pre_save
from django.db.models.sql import InsertQuery

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
                "fields": bound,
                "layout": layout,
                "converters": _converters(connection, model, returning),
            }
    return sql, tuple(params), keep


def _converters(connection, model, returning) -> dict:
    """The backend's converters of the returned columns, as the insert compiler applies them."""
    compiler = InsertQuery(model).get_compiler(connection=connection)
    return compiler.get_converters([f.get_col(model._meta.db_table) for f in returning])


def _has_expression(obj, fields) -> bool:
    return any(hasattr(getattr(obj, f.attname), "resolve_expression") for f in fields)


def _prepared_rows(connection, objs, fields) -> list[list] | None:
    """Each row's values as the compiler prepares them (pre_save_val, prepare_value); None if a
    value is an expression (the ORM compiles those into the statement)."""
    rows = []
    for obj in objs:
        row = []
        for field in fields:
            value = field.pre_save(obj, True)
            if hasattr(value, "resolve_expression"):
                return None
            row.append(field.get_db_prep_save(value, connection=connection))
        rows.append(row)
    return rows


def _statement(connection, model, objs, returning, fixed) -> tuple[str, tuple, dict | None]:
    """The SQL and parameters for ``objs``, from the kept statement when there is one."""
    key = (model, tuple(f.attname for f in returning), len(objs), tuple(sorted(fixed.items())))
    kept = _KEPT._compile(connection.alias)
    compiled = kept.get(key)
    if compiled is not None:
        rows = _prepared_rows(connection, objs, compiled["fields"])
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


def insert_one(obj: Model) -> Model:
    """``obj.save(force_insert=True)`` of a new row (pre_save and post_save sent), through a kept statement."""
    model = type(obj)
    using = router.db_for_write(model, instance=obj)
    connection = connections[using]
    if model.save is not Model.save or model.save_base is not Model.save_base or not _fast(model, [obj], connection):
        obj.save(force_insert=True, using=using)
        return obj
    obj._prepare_related_fields_for_save(operation_name="save")
    pre_save.send(sender=model, instance=obj, raw=False, using=using, update_fields=None)
    _run(connection, model, [obj])
    post_save.send(sender=model, instance=obj, created=True, update_fields=None, raw=False, using=using)
    return obj
