"""Writes of daily health monitoring: check-ins (one code path for the residents' pages, the
grid worker's page, the API, imports and the group-commit writer), the event a worrying answer
opens, and retention.

``check_ins_save`` checks a list of entries against the registry and the actor's jurisdiction,
upserts them (a repeated check-in the same day updates the day's row, never adds one) and opens
one event per person and day through ``events.services.event_report`` when an answer shows a
fever, a listed symptom or a positive test, all in one transaction.
"""

import dataclasses
import datetime
import functools
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wangge.divisions.selectors import grid_point
from wangge.events.models import Category, Channel, Event, Priority
from wangge.events.services import event_report
from wangge.foundation.actors import Actor, actor_checked, system_actor, user_of
from wangge.foundation.codes import is_within
from wangge.foundation.permissions import Action, require
from wangge.people.models import Person

from .models import CheckIn, CheckInAlert, CheckInChannel, CheckInCount, Symptom, TestResult
from .signals import risk_inputs_changed

# The event category a worrying check-in is filed under (migration 0002 installs it).
ALERT_CATEGORY = "health-check-in"
# What a thermometer can say of a living person; anything else is a typing error.
LOWEST, HIGHEST = Decimal("34.0"), Decimal("43.0")
# The one answer to an unknown, merged or out-of-jurisdiction person: it does not tell which.
NOT_FOUND = gettext_lazy("No one with these details is registered where you may check in.")
# The lists' values, once (an enum's ``values`` is built anew at each use, and every check-in
# of a morning's burst reads them).
SYMPTOMS = tuple(Symptom.values)
TEST_RESULTS = frozenset(TestResult.values)


@dataclass(frozen=True)
class Answer:
    """What a check-in says: a temperature, symptoms from the fixed list, a test result
    (only where one is required)."""

    temperature: Decimal
    symptoms: tuple[str, ...] = ()
    test_result: str = ""


@dataclass(frozen=True)
class Entry:
    """One person's answer for a day, as entered by someone through a channel."""

    person_id: int
    answer: Answer
    entered_by: str
    channel: str
    recorder_id: int | None = None
    day: datetime.date | None = None  # today (local) when not given


@dataclass
class Saved:
    """A check-in stored: for the receipt."""

    person_id: int
    name: str
    day: datetime.date
    updated: bool  # an earlier answer of the same day was replaced
    alert: bool
    event_id: int | None = None


@dataclass
class Outcome:
    """The result of each entry of ``check_ins_save``, in order: saved, or refused."""

    saved: list[Saved | None] = field(default_factory=list)
    refused: dict[int, dict[str, list[str]]] = field(default_factory=dict)


def fever_threshold() -> Decimal:
    return Decimal(settings.WANGGE_FEVER_CELSIUS)


def test_required(grid_code: str) -> bool:
    """Whether a check-in in this grid must carry a test result (WANGGE_CHECKIN_TEST_REQUIRED)."""
    return is_within(grid_code, settings.WANGGE_CHECKIN_TEST_REQUIRED)


def answer_checked(*, temperature: Any, symptoms: Iterable[str] = (),
                   test_result: str = "") -> Answer:
    """The answer, normalised (temperature to one decimal, symptoms in the list's order), or a
    ValidationError by field."""
    errors: dict[str, list[str]] = {}
    try:
        value = Decimal(str(temperature).strip().replace("，", ".").replace(",", "."))
        if not value.is_finite():
            raise InvalidOperation
        value = value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        value = Decimal(0)
        errors["temperature"] = [_("Give the temperature in degrees Celsius, such as 36.5.")]
    else:
        if not LOWEST <= value <= HIGHEST:
            errors["temperature"] = [_("%(value)s °C cannot be right: measure again.")
                                     % {"value": value}]
    given = {str(symptom).strip() for symptom in symptoms if str(symptom).strip()}
    if unknown := given.difference(SYMPTOMS):
        errors["symptoms"] = [_("%(names)s is not on the list of symptoms.")
                              % {"names": "、".join(sorted(unknown))}]
    test_result = (test_result or "").strip()
    if test_result and test_result not in TEST_RESULTS:
        errors["test_result"] = [_("Say negative or positive.")]
    if errors:
        raise ValidationError(errors)
    ordered = tuple(symptom for symptom in SYMPTOMS if symptom in given)
    return Answer(temperature=value, symptoms=ordered, test_result=test_result)


def alert_reasons(answer: Answer) -> list[str]:
    """Why an answer needs attention (empty when it does not): a fever, listed symptoms, a
    positive test."""
    reasons = []
    if answer.temperature >= fever_threshold():
        reasons.append(_("fever (%(value)s °C)") % {"value": answer.temperature})
    reasons += [str(Symptom(symptom).label) for symptom in answer.symptoms]
    if answer.test_result == TestResult.POSITIVE:
        reasons.append(_("positive test"))
    return reasons


def needs_attention(answer: Answer) -> bool:
    """Whether ``alert_reasons`` would name anything (without translating it)."""
    return bool(answer.temperature >= fever_threshold() or answer.symptoms
                or answer.test_result == TestResult.POSITIVE)


def _priority(answer: Answer) -> str:
    if answer.test_result == TestResult.POSITIVE:
        return Priority.URGENT
    return Priority.HIGH if answer.temperature >= fever_threshold() else Priority.NORMAL


def today() -> datetime.date:
    return timezone.localdate()


def _refusal(entry: Entry, person: Any, by: Actor, day: datetime.date,
             days: tuple[datetime.date, datetime.date]) -> dict[str, list[str]] | None:
    """Why an entry cannot be stored, by field; ``days`` are the first and last day a
    check-in may be for."""
    if person is None or not is_within(person.grid_code, by.scope_prefixes):
        return {"person": [str(NOT_FOUND)]}
    if not days[0] <= day <= days[1]:
        return {"day": [_("A check-in is for today or a recent day, not %(day)s.")
                        % {"day": day}]}
    required = bool(settings.WANGGE_CHECKIN_TEST_REQUIRED) and test_required(person.grid_code)
    if required and not entry.answer.test_result:
        return {"test_result": [_("A test result is required here: say negative or "
                                  "positive.")]}
    if entry.answer.test_result and not required:
        return {"test_result": [_("No test result is asked for here.")]}
    return None


def _risk_inputs_announce(persons: set[int]) -> None:
    if persons:
        risk_inputs_changed.send(sender=CheckIn, persons=persons, buildings=set(), venues=set())


def check_ins_save(*, entries: Sequence[Entry], by: Actor, partial: bool = True) -> Outcome:
    """Store ``entries`` for ``by`` (a user who may record check-ins, or the system acting for
    a resident's page within its reach). Each is checked: the person must be registered (not
    merged into another record) within ``by``'s jurisdiction, the day today or recent, the test
    result given exactly where required. With ``partial`` the others are stored and the
    refused are named in the outcome by their position; without it, one refused entry refuses
    all (a ValidationError keyed ``entries.N.field``) and nothing is stored.

    A repeated entry for a person and day replaces the earlier answer. An answer that needs
    attention opens an event, once per person and day."""
    require(actor_checked(by), Action.RECORD_CHECK_INS)
    recorder = user_of(by)
    if recorder is not None:  # a user entering check-ins is their recorder
        entries = [entry if entry.recorder_id is not None
                   else dataclasses.replace(entry, recorder_id=recorder.pk) for entry in entries]
    outcome = Outcome(saved=[None] * len(entries))
    persons = _persons({entry.person_id for entry in entries})
    rows: dict[tuple[int, datetime.date], tuple[int, Entry]] = {}
    last = today()
    days = (last - datetime.timedelta(days=settings.WANGGE_CHECKIN_RETENTION_DAYS - 1), last)
    for position, entry in enumerate(entries):
        day = entry.day or last
        person = persons.get(entry.person_id)
        refusal = _refusal(entry, person, by, day, days)
        if refusal:
            outcome.refused[position] = refusal
        else:
            rows[(entry.person_id, day)] = (position, entry)  # the last answer counts
    if outcome.refused and not partial:
        raise ValidationError({f"entries.{position}.{name}": messages
                               for position, problems in outcome.refused.items()
                               for name, messages in problems.items()})
    if not rows:
        return outcome
    upserted = [(key, entry, persons[key[0]].grid_code)
                for key, (_position, entry) in rows.items()]
    worrying = [key for key, (_position, entry) in rows.items()
                if needs_attention(entry.answer)]
    now = timezone.now()
    if partial and not worrying and len(upserted) <= _ROWS_PER_STATEMENT:
        # The morning's usual check-in: a first answer of the day that needs no attention.
        # Those are inserted by one statement, a transaction of its own (committed, durable,
        # when it returns) without the round trips of BEGIN and COMMIT; an answer that
        # replaces one of the same day is left to the transaction below.
        inserted = _upsert(upserted, now, replace=False)
        upserted = [row for row in upserted if row[0] not in inserted]
    earlier: set[tuple[int, datetime.date]] = set()
    events: dict[tuple[int, datetime.date], int] = {}
    if upserted:
        with transaction.atomic():
            earlier = _upsert(upserted, now)
            events = _alerts_open([(key, rows[key][1]) for key in worrying])
            # The risk grades follow a worrying answer, and one that replaces an earlier
            # answer (which may have been worrying), in this transaction.
            _risk_inputs_announce({key[0] for key in worrying} | {key[0] for key in earlier})
    for key, (position, entry) in rows.items():
        person_id, day = key
        outcome.saved[position] = Saved(
            person_id=person_id, name=persons[person_id].name, day=day,
            updated=key in earlier, alert=needs_attention(entry.answer),
            event_id=events.get(key))
    # An entry repeated in the list (the same person and day) is saved as its last answer.
    for position, entry in enumerate(entries):
        if outcome.saved[position] is None and position not in outcome.refused:
            outcome.saved[position] = outcome.saved[rows[(entry.person_id,
                                                          entry.day or last)][0]]
    return outcome


@dataclass(frozen=True)
class _Person:
    pk: int
    name: str
    grid_code: str


def _persons(ids: set[int]) -> dict[int, _Person]:
    """The registered persons among ``ids`` (not merged into another record): one plain
    query, since a morning's group commits each run it (the ORM's compiling cost more)."""
    if not ids:
        return {}
    table = Person._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # one text for any number (parsed once)
            cursor.execute(f"SELECT id, name, grid_code FROM {table} "
                           f"WHERE merged_into_id IS NULL AND id = ANY(%s)", [list(ids)])
        else:
            marks = ", ".join(["%s"] * len(ids))
            cursor.execute(f"SELECT id, name, grid_code FROM {table} "
                           f"WHERE merged_into_id IS NULL AND id IN ({marks})", list(ids))
        return {row[0]: _Person(*row) for row in cursor.fetchall()}


_COLUMNS = ("person_id", "day", "grid_code", "temperature", "symptoms", "test_result", "alert",
            "entered_by", "channel", "recorder_id", "at", "revisions")
# Rows per statement: well under SQLite's limit of bound parameters (32,766).
_ROWS_PER_STATEMENT = 500


def _upsert(rows: list[tuple[tuple[int, datetime.date], Entry, str]],
            now: datetime.datetime, *, replace: bool = True) -> set[tuple[int, datetime.date]]:
    """Insert each day's check-in, or replace the answer of the one already there and count
    the answer (``revisions``), in one statement per 500 rows; which of them replaced an
    earlier answer (their count of answers comes back above one). Without ``replace`` a row
    already there is left as it is, and which of them were inserted comes back.

    On PostgreSQL the rows travel as one JSON document (``jsonb_array_elements``), so the
    statement's text is the same for any number of rows: the driver parses it once per
    process, where a VALUES list of a new length was parsed again each time (a fifth of a
    busy worker's time). SQLite gets the VALUES list."""
    table = CheckIn._meta.db_table
    replaced = [column for column in _COLUMNS
                if column not in ("person_id", "day", "revisions")]
    conflict = (" ON CONFLICT (person_id, day) DO UPDATE SET "
                + ", ".join(f"{column} = excluded.{column}" for column in replaced)
                + f", revisions = {table}.revisions + 1 RETURNING person_id, day, revisions"
                if replace else
                " ON CONFLICT (person_id, day) DO NOTHING RETURNING person_id, day, revisions")
    postgresql = connection.vendor == "postgresql"
    operations = connection.ops
    at = operations.adapt_datetimefield_value(now)
    updated = set()
    for start in range(0, len(rows), _ROWS_PER_STATEMENT):
        chunk = rows[start:start + _ROWS_PER_STATEMENT]
        params: list[Any]
        if postgresql:
            sql, params = _rows_document(table), [at, json.dumps([
                [person_id, day.isoformat(), grid_code, str(entry.answer.temperature),
                 list(entry.answer.symptoms), entry.answer.test_result,
                 needs_attention(entry.answer), entry.entered_by, entry.channel,
                 entry.recorder_id]
                for (person_id, day), entry, grid_code in chunk])]
        else:
            sql, params = _rows_values(table, len(chunk)), []
            for (person_id, day), entry, grid_code in chunk:
                params += (person_id, operations.adapt_datefield_value(day), grid_code,
                           operations.adapt_decimalfield_value(entry.answer.temperature, 3, 1),
                           json.dumps(list(entry.answer.symptoms)), entry.answer.test_result,
                           needs_attention(entry.answer), entry.entered_by, entry.channel,
                           entry.recorder_id, at, 1)
        with connection.cursor() as cursor:
            cursor.execute(sql + conflict, params)
            updated |= {(person_id, str(day)) for person_id, day, revisions in cursor.fetchall()
                        if revisions > 1 or not replace}
    return {(person_id, day) for (person_id, day), _entry, _grid in rows
            if (person_id, str(day)) in updated}


@functools.cache
def _rows_document(table: str) -> str:
    """The rows as one JSON array of arrays (in _COLUMNS' order, without ``at`` and
    ``revisions``), taken apart by PostgreSQL."""
    picked = ", ".join(f"(r->>{index})::{kind}" if kind != "jsonb" else f"r->{index}"
                       for index, kind in enumerate(_DOCUMENT_TYPES))
    return (f"INSERT INTO {table} ({', '.join(_COLUMNS)}) SELECT {picked}, %s, 1 "
            f"FROM jsonb_array_elements(%s::jsonb) AS r")


# The type of each column of _COLUMNS (less ``at`` and ``revisions``) in the document.
_DOCUMENT_TYPES = ("bigint", "date", "text", "numeric", "jsonb", "text", "boolean", "text",
                   "text", "bigint")


def _rows_values(table: str, count: int) -> str:
    row = "(" + ", ".join(["%s"] * len(_COLUMNS)) + ")"
    return f"INSERT INTO {table} ({', '.join(_COLUMNS)}) VALUES " + ", ".join([row] * count)


def _alerts_open(rows: list[tuple[tuple[int, datetime.date], Entry]]
                 ) -> dict[tuple[int, datetime.date], int]:
    """The event of each worrying answer: the one opened earlier that day, or a new one."""
    if not rows:
        return {}
    opened = {(person_id, day): event_id for person_id, day, event_id in
              CheckInAlert.objects.filter(
                  person_id__in={key[0] for key, _entry in rows},
                  day__in={key[1] for key, _entry in rows},
              ).values_list("person_id", "day", "event_id")}
    persons = Person.objects.select_related("dwelling").in_bulk([key[0] for key, _ in rows])
    category = Category.objects.get(code=ALERT_CATEGORY)
    for key, entry in rows:
        person = persons[key[0]]
        if key in opened:
            continue
        try:
            # A savepoint: another process may open the same person's event at the same
            # moment; the constraint keeps one, and this one's event goes with the savepoint.
            with transaction.atomic():
                opened[key] = _alert_open(person, key[1], entry, category).pk
        except IntegrityError:
            opened[key] = CheckInAlert.objects.get(person_id=key[0], day=key[1]).event_id
    return opened


def _alert_open(person: Person, day: datetime.date, entry: Entry, category: Category) -> Event:
    description = _("Health check-in of %(name)s needs attention: %(reasons)s.") % {
        "name": person.name, "reasons": "、".join(alert_reasons(entry.answer))}
    place: dict[str, Any] = {}
    if person.dwelling_id is not None:
        place["dwelling"] = person.dwelling
    else:
        point = grid_point(person.grid_code)
        if point is not None:
            place["longitude"], place["latitude"] = point
    channel = Channel.API if entry.channel in (CheckInChannel.API, CheckInChannel.IMPORT) \
        else Channel.WEB
    event = event_report(
        category=category, description=description, priority=_priority(entry.answer),
        channel=channel, by=system_actor("health check-in", scope_prefixes=(person.grid_code,)),
        **place)
    CheckInAlert.objects.create(person=person, day=day, grid_code=person.grid_code, event=event)
    return event


def check_in_record(*, person: Person, answer: Answer, entered_by: str, channel: str,
                    by: Actor, recorder_id: int | None = None) -> Saved:
    """One person's check-in for today, refused with a ValidationError like any entry."""
    outcome = check_ins_save(entries=[Entry(person_id=person.pk, answer=answer,
                                            entered_by=entered_by, channel=channel,
                                            recorder_id=recorder_id)], by=by, partial=False)
    saved = outcome.saved[0]
    assert saved is not None
    return saved


def check_ins_purge(now: datetime.datetime | None = None) -> int:
    """Reduce check-ins older than WANGGE_CHECKIN_RETENTION_DAYS to counts per grid and day
    (``CheckInCount``) and delete them, with the alerts of those days (their events stay, to
    be handled and closed like any other). Returns how many check-ins were deleted."""
    cutoff = timezone.localdate(now) - datetime.timedelta(
        days=settings.WANGGE_CHECKIN_RETENTION_DAYS)
    old = CheckIn.objects.filter(day__lt=cutoff)
    with transaction.atomic():
        counted = (old.order_by().values("grid_code", "day").annotate(
            checked_in=Count("pk"),
            fever=Count("pk", filter=Q(temperature__gte=fever_threshold())),
            symptoms=Count("pk", filter=~Q(symptoms=[])),
            positive=Count("pk", filter=Q(test_result=TestResult.POSITIVE)),
            alerts=Count("pk", filter=Q(alert=True))))
        for row in counted:
            numbers = {"checked_in": row["checked_in"], "fever": row["fever"],
                       "symptoms": row["symptoms"], "positive": row["positive"],
                       "alerts": row["alerts"]}
            count, created = CheckInCount.objects.get_or_create(
                grid_code=row["grid_code"], day=row["day"], defaults=numbers)
            if not created:  # a late check-in of a day already counted
                CheckInCount.objects.filter(pk=count.pk).update(
                    **{name: F(name) + value for name, value in numbers.items()})
        CheckInAlert.objects.filter(day__lt=cutoff).delete()
        deleted, _kinds = old.delete()
    return deleted

