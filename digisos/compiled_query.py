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

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import QuerySet
from django.db.models.query import get_related_populators


def _run_statement(using: str, compiled: dict, values: dict, *, many: bool = True) -> list:
    """Run a compiled statement with ``values`` in its slots ((position, placeholder) pairs)."""
    params = list(compiled["params"])
    for position, name in compiled["slots"]:
        params[position] = values[name]
    with connections[using].cursor() as cursor:
        cursor.execute(compiled["sql"], params)
        return cursor.fetchall() if many else [row for row in [cursor.fetchone()] if row is not None]


def _converted(row, converters: dict, connection) -> list:
    """A fetched row through the backend's converters, as the compiler's apply_converters."""
    row = list(row)
    for position, (functions, expression) in converters.items():
        value = row[position]
        for function in functions:
            value = function(value, expression, connection)
        row[position] = value
    return row


class _KeptPerConnection:
    """What a subclass compiles, kept per connection object (one per thread and alias): ``_compile(using)``
    returns the kept statement or makes it once with ``_make(connection, using)``."""

    def __init__(self):
        self._compiled: WeakKeyDictionary = WeakKeyDictionary()

    def _compile(self, using: str):
        connection = connections[using]
        compiled = self._compiled.get(connection)
        if compiled is None:
            compiled = self._compiled[connection] = self._make(connection, using)
        return compiled


class CompiledQuery(_KeptPerConnection):
    """``build(**placeholders)`` returns the queryset (model instances, not values()); ``first(**values)``
    runs its compiled SQL with ``values`` in place of the placeholders and returns the first object or None.

    ``samples`` gives, per placeholder name, a value of the right type that no real value equals
    (it finds the parameter's position in the compiled statement). The values given to ``first`` go
    to the database adapter as they are: plain strings and numbers, as the field would prepare them.
    """

    def __init__(self, build: Callable[..., QuerySet], *, many: bool = False, **samples):
        super().__init__()  # per connection: its statement, converters and columns
        self._build = build
        self._many = many
        self._samples = samples

    def _make(self, connection, using: str) -> dict:
        queryset = self._build(**self._samples)
        if not self._many:
            queryset = queryset[:1]
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
        return {
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

    def _run(self, using: str, values: dict, *, many: bool) -> list:
        compiled = self._compile(using)
        fetched = _run_statement(using, compiled, values, many=many)
        connection = connections[using]
        converters = compiled["converters"]
        start, end = compiled["range"]
        model, init_list = compiled["model"], compiled["init_list"]
        populators, annotations = compiled["populators"], compiled["annotations"]
        out = []
        for row in fetched:
            if converters:
                row = _converted(row, converters, connection)
            obj = model.from_db(using, init_list, row[start:end])
            for populator in populators:
                populator.populate(row, obj)
            for name, position in annotations.items():
                setattr(obj, name, row[position])
            out.append(obj)
        return out

    def first(self, *, using: str = "default", **values):
        """The first object (the statement is limited to one row), or None; not for ``many``."""
        if self._many:
            raise TypeError("CompiledQuery(many=True): use all()")
        found = self._run(using, values, many=False)
        return found[0] if found else None

    def all(self, *, using: str = "default", **values) -> list:
        """All objects of the statement (built with ``many=True``: not limited), in its order."""
        if not self._many:
            raise TypeError("CompiledQuery: all() needs many=True")
        return self._run(using, values, many=True)


class CompiledPages(_KeptPerConnection):
    """The SQL of a values() queryset's first page, compiled once per database connection and per
    ``key``, then run again as it is; at most one parameter (``slot_value``, prepared for the
    database as the queryset prepared it) may differ between runs with the same key.

    The key must name everything the SQL text and its other parameters depend on (who asks, their
    scope, the filters): a hit runs exactly the statement that the queryset built for that key
    wrote, with the new value in its slot. Only SQL is kept, never a row.
    """

    def __init__(self, *, size: int = 256):
        super().__init__()  # per connection: its statements by key
        self._size = size

    def _make(self, connection, using: str) -> dict:
        return {}

    def _entries(self, using: str) -> dict:
        return self._compile(using)

    def get(self, key, *, using: str = "default"):
        return self._entries(using).get(key)

    def compile(self, key, queryset: QuerySet, *, slot_value=None, using: str = "default"):
        """Compile ``queryset`` (a values() queryset, already sliced) for ``key``; None (nothing kept)
        when ``slot_value`` is not exactly one parameter of its statement."""
        compiler = queryset.query.get_compiler(using=using)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:  # a queryset that matches nothing (none()): no statement to keep
            return None
        slot = None
        if slot_value is not None:
            positions = [position for position, param in enumerate(params) if param == slot_value]
            if len(positions) != 1:
                return None
            slot = positions[0]
        query = queryset.query
        names = [*query.extra_select, *query.values_select, *query.annotation_select]
        converters = compiler.get_converters([column[0] for column in compiler.select])
        if len(names) != len(compiler.select):
            return None
        entries = self._entries(using)
        if len(entries) >= self._size:
            entries.clear()
        compiled = entries[key] = {
            "sql": sql,
            "params": list(params),
            "slot": slot,
            "names": names,
            "converters": converters,
        }
        return compiled

    @staticmethod
    def rows(compiled: dict, *, slot_value=None, using: str = "default") -> list[dict]:
        """Run a compiled first page: its rows as dicts, as values() gives them."""
        params = list(compiled["params"])
        if compiled["slot"] is not None:
            params[compiled["slot"]] = slot_value
        connection = connections[using]
        with connection.cursor() as cursor:
            cursor.execute(compiled["sql"], params)
            fetched = cursor.fetchall()
        names = compiled["names"]
        converters = compiled["converters"]
        out = []
        for row in fetched:
            if converters:
                row = _converted(row, converters, connection)
            out.append(dict(zip(names, row, strict=True)))
        return out


class CompiledRows(_KeptPerConnection):
    """A ``values_list()`` queryset (unions too) whose SQL is compiled once per database connection;
    ``all(**values)`` runs it with ``values`` in place of the placeholders and returns its rows as
    ``list(queryset)`` would (as results_iter: tuples of the select, which Django 5.2 orders as
    values_list() asks, through the backend's converters).

    ``samples`` as for ``CompiledQuery``: per placeholder a value no real value equals. A placeholder
    may stand at several places of the statement (each part of a union filters by it); every
    parameter equal to its sample is replaced, and each sample must appear at least once.
    """

    def __init__(self, build: Callable[..., QuerySet], **samples):
        super().__init__()
        self._build = build
        self._samples = samples

    def _make(self, connection, using: str) -> dict:
        queryset = self._build(**self._samples)
        query = queryset.query
        compiler = query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        slots = []
        for position, param in enumerate(params):
            names = [
                name
                for name, sample in self._samples.items()
                if type(param) is type(sample) and param == sample  # noqa: E721 - True is not 1 here
            ]
            if names:
                slots.append((position, names[0]))
        if {name for _, name in slots} != set(self._samples):
            raise ValueError("CompiledRows: each placeholder must be a parameter of the statement")
        converters = compiler.get_converters([column[0] for column in compiler.select[: compiler.col_count]])
        return {
            "sql": sql,
            "params": list(params),
            "slots": slots,
            "converters": converters,
            "count": compiler.col_count,
            "trim": compiler.has_extra_select,
        }

    def all(self, *, using: str = "default", **values) -> list[tuple]:
        compiled = self._compile(using)
        fetched = _run_statement(using, compiled, values)
        converters, count = compiled["converters"], compiled["count"]
        if compiled["trim"]:
            fetched = [row[:count] for row in fetched]
        if not converters:
            return [tuple(row) for row in fetched]
        connection = connections[using]
        return [tuple(_converted(row, converters, connection)) for row in fetched]
