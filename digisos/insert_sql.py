"""The INSERT … RETURNING that ``Model.save`` / ``bulk_create`` would send, as SQL text and parameters,
for a caller that sends it inside a larger statement (a data-modifying WITH on PostgreSQL: one round
trip less, issue 19). Compiled by Django's own ``InsertQuery``, so the fields' ``pre_save`` and the
backend's value preparation are the ORM's."""

from __future__ import annotations

from django.db.models.sql import InsertQuery


def insert_sql(connection, model, objs, *, returning) -> tuple[str, tuple]:
    """One INSERT of ``objs`` (all columns but the auto id and generated ones, as bulk_create writes
    them) with RETURNING ``returning`` (fields)."""
    meta = model._meta
    fields = [f for f in meta.local_concrete_fields if not f.generated and f is not meta.auto_field]
    query = InsertQuery(model)
    query.insert_values(fields, objs)
    compiler = query.get_compiler(connection=connection)
    compiler.returning_fields = returning
    [(sql, params)] = compiler.as_sql()
    return sql, tuple(params)
