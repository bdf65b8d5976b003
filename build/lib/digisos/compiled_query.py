"""A queryset whose SQL the ORM compiles once per database connection, run again with new values.

The provider API asks the same few questions on every request (which key is this bearer token?).
Building and compiling the queryset costs more CPU than PostgreSQL needs to answer it. A
``CompiledQuery`` lets the ORM write the statement once, with a placeholder value for each
parameter that varies, and then runs that statement with the request's values: the same SQL, the
same row-to-instance mapping (select_related, annotations, the backend's converters) as the
queryset itself, without building it again.

Only for a queryset whose SQL text does not depend on the values (no ``__in`` lists, no None
that turns ``=`` into ``IS NULL``): each placeholder must come out as exactly one parameter of the
statement, or ``CompiledQuery`` refuses to compile it.
"""

from __future__ import annotations

from collections.abc import Callable
from weakref import WeakKeyDictionary

from django.db import connections
from django.db.models import QuerySet
from django.db.models.query import get_related_populators


class CompiledQuery:
    """``build(**placeholders)`` returns the queryset (model instances, not values()); ``first(**values)``
    runs its compiled SQL with ``values`` in place of the placeholders and returns the first object or None.

    ``samples`` gives, per placeholder name, a value of the right type that no real value equals
    (it finds the parameter's position in the compiled statement). The values given to ``first`` go
    to the database adapter as they are: plain strings and numbers, as the field would prepare them.
    """

    def __init__(self, build: Callable[..., QuerySet], **samples):
        self._build = build
        self._samples = samples
        # Per connection object (one per thread and alias): its statement, converters and columns.
        self._compiled: WeakKeyDictionary = WeakKeyDictionary()

    def _compile(self, using: str):
        connection = connections[using]
        compiled = self._compiled.get(connection)
        if compiled is not None:
            return compiled
        queryset = self._build(**self._samples)[:1]
        compiler = queryset.query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        slots = []
        for position, param in enumerate(params):
            names = [name for name, sample in self._samples.items() if param == sample]
            if names:
                slots.append((position, names[0]))
        if sorted(name for _, name in slots) != sorted(self._samples):
            raise ValueError("CompiledQuery: each placeholder must be exactly one parameter of the statement")
        select = compiler.select
        converters = compiler.get_converters([column[0] for column in select])
        klass_info = compiler.klass_info
        select_fields = klass_info["select_fields"]
        start, end = select_fields[0], select_fields[-1] + 1
        compiled = {
            "sql": sql,
            "params": list(params),
            "slots": slots,
            "converters": converters,
            "model": klass_info["model"],
            "range": (start, end),
            "init_list": [column[0].target.attname for column in select[start:end]],
            "populators": get_related_populators(klass_info, select, using),
            "annotations": dict(compiler.annotation_col_map),
        }
        self._compiled[connection] = compiled
        return compiled

    def first(self, *, using: str = "default", **values):
        compiled = self._compile(using)
        params = list(compiled["params"])
        for position, name in compiled["slots"]:
            params[position] = values[name]
        connection = connections[using]
        with connection.cursor() as cursor:
            cursor.execute(compiled["sql"], params)
            row = cursor.fetchone()
        if row is None:
            return None
        if compiled["converters"]:
            row = list(row)
            for position, (functions, expression) in compiled["converters"].items():
                value = row[position]
                for function in functions:
                    value = function(value, expression, connection)
                row[position] = value
        start, end = compiled["range"]
        obj = compiled["model"].from_db(using, compiled["init_list"], row[start:end])
        for populator in compiled["populators"]:
            populator.populate(row, obj)
        for name, position in compiled["annotations"].items():
            setattr(obj, name, row[position])
        return obj
