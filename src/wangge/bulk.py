"""Fast inserts for large tables (the demo, imports), with their simple-history rows.

``bulk_create`` spends most of its time compiling SQL value by value (about 40 µs a row for
a person on SQLite). Here the rows go as plain tuples: PostgreSQL's COPY, or SQLite's
``executemany`` with one prepared statement. Records must carry their primary keys (see
``Keys``) and be valid already; the history row of each is what ``bulk_create_with_history``
would write: type ``+``, the user, and the record's own ``_change_reason`` or the reason.
"""

import functools
import json
import operator
from collections.abc import Callable, Sequence
from typing import Any, cast

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.color import no_style
from django.db import connection, models
from django.db.models import Lookup, Max
from django.db.models.lookups import In
from django.utils import timezone

Convert = Callable[[Any], Any]


def _converter(field: models.Field) -> Convert | None:
    """How a value of ``field`` must be turned into what the driver accepts, if at all."""
    kind = field.get_internal_type()
    if kind == "JSONField":
        return lambda value: "[]" if value == [] else json.dumps(value)  # [] is most common
    if kind == "DateField":
        # As ISO text, which COPY and SQLite take: the driver's formatting of a date object
        # costs more than the rest of a row.
        return lambda value: value if isinstance(value, str) else value.isoformat()
    if kind == "DateTimeField":
        # As text too, made aware first; one timestamp per batch, formatted once.
        def as_text(value: Any) -> str:
            value = field.get_db_prep_save(value, connection)
            return value if isinstance(value, str) else value.isoformat()

        return functools.lru_cache(maxsize=1024)(as_text)
    return None


class AnyOf(Lookup):
    """``filter(AnyOf(F("field"), values))``: on PostgreSQL ``field = ANY(%s)`` with the values
    as one array parameter (Django compiles an ``__in``'s values one by one, about 10 µs each);
    elsewhere the plain ``IN``. The values go as given, not through the field's preparation:
    plain strings or numbers."""

    prepare_rhs = False

    def resolve_expression(self, *args: Any, **kwargs: Any) -> "AnyOf":
        resolved = super().resolve_expression(*args, **kwargs)
        # What the field allows for an IN holds here too (an encrypted field allows none).
        resolved.lhs.output_field.get_lookup("in")
        return resolved

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list]:
        return In(self.lhs, self.rhs).as_sql(compiler, connection)

    def as_postgresql(self, compiler: Any, connection: Any) -> tuple[str, list]:
        column, params = self.process_lhs(compiler, connection)
        return f"{column} = ANY(%s)", [*params, list(self.rhs)]


def _write(writes: list[tuple[str, list[str], list[tuple]]]) -> None:
    """Insert each (table, columns, rows) in turn."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table, columns, rows in writes:
            names = ", ".join(map(quote, columns))
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {quote(table)} ({names}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                placeholders = ", ".join(["%s"] * len(columns))
                cursor.executemany(
                    f"INSERT INTO {quote(table)} ({names}) VALUES ({placeholders})", rows)


def _column_converter(field: models.Field) -> Callable[[Sequence[Any]], Sequence[Any]] | None:
    """How a column of ``field``'s values is made ready, if at all: a field that encrypts or
    digests (crypto.py) does a whole column at once (``bulk_column``), which costs far less
    than a call per value."""
    if bulk_column := getattr(field, "bulk_column", None):
        return bulk_column
    if convert := _converter(field):
        return lambda values: [None if value is None else convert(value) for value in values]
    return None


def _rows(fields: Sequence[models.Field], records: Sequence[models.Model]) -> list[tuple]:
    """Each record's values of ``fields`` as a tuple. One attrgetter reads a record's values at
    C speed; only the columns that need converting are touched again. A field derived from
    another (a blind index) is read as its source (``bulk_source``) and converted from it."""
    rows = list(map(operator.attrgetter(
        *(getattr(field, "bulk_source", field.attname) for field in fields)), records))
    converted = [(index, convert) for index, field in enumerate(fields)
                 if (convert := _column_converter(field))]
    if not converted:
        return rows
    columns = list(zip(*rows, strict=True))
    for index, convert in converted:
        columns[index] = convert(columns[index])
    return list(zip(*columns, strict=True))


def insert_with_history(model: type[models.Model], records: Sequence[models.Model],
                        *, reason: str, user_id: int | None = None) -> None:
    """Insert ``records`` (with their own primary keys) and one history row each."""
    if not records:
        return
    now = timezone.now()
    stamped = {field.attname: now for field in model._meta.concrete_fields
               if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)}
    for record in records:
        for attname, value in stamped.items():
            setattr(record, attname, value)
    fields = model._meta.concrete_fields
    columns = [field.column for field in fields]
    rows = _rows(fields, records)
    writes = [(model._meta.db_table, columns, rows)]
    if getattr(settings, "SIMPLE_HISTORY_ENABLED", True):  # as bulk_history_create does
        # A history row is the record's row (less the fields the history leaves out) followed
        # by what the history adds to it.
        history = model.history.model
        copied = {field.column for field in history._meta.concrete_fields}
        kept = [index for index, column in enumerate(columns) if column in copied]
        history_columns = [*(columns[index] for index in kept), "history_date", "history_type",
                           "history_user_id", "history_change_reason"]
        if copied != {*history_columns, history._meta.pk.column}:
            raise ImproperlyConfigured(f"{history.__name__} has columns that "
                                       "insert_with_history does not know how to fill.")
        copy = (operator.itemgetter(*kept) if len(kept) < len(columns)
                else lambda row: row)
        stamp = _converter(history._meta.get_field("history_date"))(now)
        writes.append((history._meta.db_table, history_columns, [
            (*copy(row), stamp, "+", user_id, getattr(record, "_change_reason", None) or reason)
            for row, record in zip(rows, records, strict=True)]))
    _write(writes)


class Keys:
    """Primary keys handed out before insert (COPY returns none), counting on from the
    largest key each table holds; ``close`` moves PostgreSQL's sequences past them. Only for
    a writer that holds the tables alone (the demo build)."""

    def __init__(self, *keyed: type[models.Model]) -> None:
        self._next = {model: (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1
                      for model in keyed}

    def assign(self, *records: models.Model) -> None:
        for record in records:
            model = type(record)
            record.pk = self._next[model]
            self._next[model] += 1

    def close(self) -> None:
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), list(self._next)):
                cursor.execute(statement)


def assign_keys(records: Sequence[models.Model]) -> None:
    """Give ``records`` primary keys no concurrent writer can take: drawn from PostgreSQL's
    sequence, or on SQLite (one writer at a time, inside the caller's transaction) counted on
    from the largest key."""
    if not records:
        return
    model = type(records[0])
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) "
                           "FROM generate_series(1, %s)",
                           [model._meta.db_table, model._meta.pk.column, len(records)])
            keys = [key for (key,) in cursor.fetchall()]
        else:
            start = (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1
            keys = range(start, start + len(records))
    for record, key in zip(records, keys, strict=True):
        record.pk = key


def insert_from(model: type[models.Model], fields: Sequence[str], rows: models.QuerySet) -> int:
    """``INSERT INTO <model's table> (fields) SELECT …``: the rows of ``rows`` (a
    ``values_list`` with one value per field, in order; constants as ``Value``) are written
    by the database from its own query, never through Python, however many (a notice to a
    district's residents). Returns how many were inserted."""
    sql, params = rows.order_by().query.sql_with_params()
    quote = connection.ops.quote_name
    columns = ", ".join(quote(cast(models.Field, model._meta.get_field(name)).column)
                        for name in fields)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {quote(model._meta.db_table)} ({columns}) {sql}", params)
        return cursor.rowcount
