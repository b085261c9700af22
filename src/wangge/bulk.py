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
from typing import Any

from django.conf import settings
from django.core.management.color import no_style
from django.db import connection, models
from django.db.models import Max
from django.utils import timezone

Convert = Callable[[Any], Any]


def _converter(field: models.Field) -> Convert | None:
    """How a value of ``field`` must be turned into what the driver accepts, if at all."""
    kind = field.get_internal_type()
    if kind == "JSONField":
        return json.dumps
    if kind in ("DateField", "DateTimeField") and connection.vendor == "sqlite":
        # Few distinct values (birth dates, one timestamp per batch): convert each once.
        return functools.lru_cache(maxsize=100_000)(
            lambda value: field.get_db_prep_save(value, connection))
    return None


def _write(table: str, columns: list[str], rows: list[tuple]) -> None:
    quote = connection.ops.quote_name
    names = ", ".join(quote(column) for column in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {quote(table)} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            placeholders = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {quote(table)} ({names}) VALUES ({placeholders})",
                               rows)


def _rows(fields: Sequence[models.Field], records: Sequence[models.Model],
          fixed: dict[str, Any], renamed: dict[str, str] | None = None) -> list[tuple]:
    """Each record's values of ``fields`` as a tuple: ``fixed`` gives some by attname, and
    ``renamed`` reads some from another attribute. One attrgetter reads a record's values at
    C speed; only the fields that need converting are touched again."""
    renamed = renamed or {}
    own = [field for field in fields if field.attname not in fixed]
    read = operator.attrgetter(*(renamed.get(field.attname, field.attname) for field in own))
    values = [read(record) for record in records] if len(own) > 1 else [
        (read(record),) for record in records]
    if converted := [(index, convert) for index, field in enumerate(own)
                     if (convert := _converter(field))]:
        values = [list(row) for row in values]
        for row in values:
            for index, convert in converted:
                if row[index] is not None:
                    row[index] = convert(row[index])
    if not fixed:
        return [tuple(row) for row in values] if converted else values
    place = {field.attname: index for index, field in enumerate(own)}
    order = [(True, fixed[field.attname]) if field.attname in fixed
             else (False, place[field.attname]) for field in fields]
    return [tuple(value if is_fixed else row[value] for is_fixed, value in order)
            for row in values]


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
    _write(model._meta.db_table, [field.column for field in fields], _rows(fields, records, {}))
    if not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):  # as bulk_history_create does
        return
    history = model.history.model
    history_fields = [field for field in history._meta.concrete_fields
                      if field.attname != "history_id"]
    for record in records:
        if getattr(record, "_change_reason", None) is None:
            record._change_reason = reason
    fixed = {"history_date": now, "history_type": "+", "history_user_id": user_id}
    rows = _rows(history_fields, records, fixed, {"history_change_reason": "_change_reason"})
    _write(history._meta.db_table, [field.column for field in history_fields], rows)


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
