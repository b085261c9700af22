"""Writes of the risk grades: re-grade (everything, or what a change touched), expire what
time has ended, and the rule sets' life: a draft, its preview, putting it in force.

Grades follow the facts inside the writer's transaction: the writers of cases, exposures and
check-ins send ``health.signals.risk_inputs_changed`` with the persons, buildings and venues
they touched, and ``grades_refresh`` re-grades those and whatever holds them (person → their
building → its grid → its community), now and before a move. Time ends grades too (14 days
after a case its building is low again): ``grades_expire`` (``wangge risk-grades --refresh``,
daily) re-grades the subjects whose reasons ran out. ``grades_recompute`` grades everything
from scratch; both write only the differences, and a change of level writes a
``GradeChange`` with the rule set that made it.
"""

import datetime
import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from wangge.foundation.actors import Actor, system_actor, user_of
from wangge.foundation.codes import is_within
from wangge.foundation.permissions import Action, require
from wangge.people.models import Person, PersonMove
from wangge.places.models import Building
from wangge.risk.engine import Graded, Grades, Touched, among, evaluate
from wangge.risk.models import Grade, GradeChange, Level, RuleSet, RuleSetStatus, SubjectKind
from wangge.risk.rules import SUBJECT_ORDER, Rule, rules_checked

RISK = system_actor("risk grades")
MAX_PREVIEW_CHANGES = 200

_checked: dict[tuple[int, str], list[Rule]] = {}


def rule_set_in_force() -> RuleSet | None:
    return RuleSet.objects.filter(status=RuleSetStatus.IN_FORCE).first()


def rules_of(rule_set: RuleSet) -> list[Rule]:
    """The checked rules of a stored set (kept per process: a stored set is never edited)."""
    cache_key = (rule_set.pk, repr(rule_set.rules))
    if cache_key not in _checked:
        if len(_checked) > 20:
            _checked.clear()
        _checked[cache_key] = rules_checked(rule_set.rules)
    return _checked[cache_key]


@dataclass
class Summary:
    """What a re-grading changed: subjects raised and lowered, per kind."""

    raised: Counter = field(default_factory=Counter)
    lowered: Counter = field(default_factory=Counter)
    regraded: int = 0

    def __str__(self) -> str:
        parts = [f"{kind}: +{self.raised[kind]} −{self.lowered[kind]}" for kind in SUBJECT_ORDER
                 if self.raised[kind] or self.lowered[kind]]
        return "; ".join(parts) or "no change"


class _Stored(NamedTuple):
    pk: int
    level: int
    reasons: list[dict[str, Any]]
    grid_code: str
    since: datetime.datetime


def _store(grades: Grades, touched: Touched | None, rule_set: RuleSet,
           now: datetime.datetime) -> Summary:
    """Write the differences between ``grades`` and the stored grades of the subjects
    re-graded (all when ``touched`` is None), with a change row for each change of level.
    Rows go as tuples (``_GRADE_COLUMNS``, ``_CHANGE_COLUMNS``): model instances would cost
    more than the database for a batch of 10,000."""
    summary = Summary()
    changes: list[tuple] = []
    for kind in SUBJECT_ORDER:
        fresh = grades[kind]
        stored_rows = Grade.objects.filter(kind=kind).order_by().values_list(
            "key", "pk", "level", "reasons", "grid_code", "since")
        if touched is None:
            found: Iterable[tuple] = stored_rows.iterator(chunk_size=5000)
        else:
            keys = touched.keys(kind)
            summary.regraded += len(keys)
            found = among(stored_rows, "key", sorted(keys))
        stored = {row[0]: _Stored(*row[1:]) for row in found}
        written, removed = [], []
        for key, new in fresh.items():
            old = stored.pop(key, None)
            before = Level.LOW if old is None else old.level
            if old is not None and (old.level, old.reasons, old.grid_code) == (
                    new.level, new.reasons, new.grid_code):
                continue
            since = old.since if old is not None and before == new.level else now
            written.append((kind, key, new.grid_code, new.level, new.reasons, since))
            if before != new.level:
                changes.append((kind, key, new.grid_code, before, new.level, new.reasons,
                                rule_set.pk, now))
                (summary.raised if new.level > before else summary.lowered)[kind] += 1
        for key, old in stored.items():
            removed.append(old.pk)
            changes.append((kind, key, old.grid_code, old.level, Level.LOW, [], rule_set.pk,
                            now))
            summary.lowered[kind] += 1
        _upsert(written)
        for batch in _batches(removed):
            Grade.objects.filter(pk__in=batch).delete()
        if touched is None:
            summary.regraded += len(fresh) + len(removed)
    _changes_insert(changes)
    return summary


_GRADE_COLUMNS = ["kind", "key", "grid_code", "level", "reasons", "since"]
# Below this many rows Django's own statements are quicker than a COPY's round trips.
_COPY_FROM = 200


def _copied(table: str, columns: list[str], rows: list[tuple]) -> None:
    with connection.cursor() as cursor, cursor.cursor.copy(
            f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _upsert(rows: list[tuple]) -> None:
    """Write these grades (``_GRADE_COLUMNS``), new or changed, on their subject (``kind``,
    ``key``): an insert that updates the row a concurrent writer may have inserted
    meanwhile. Many at once go through COPY into a scratch table (``bulk_create`` spends
    seconds adapting 10,000 reasons)."""
    if not rows:
        return
    if len(rows) < _COPY_FROM or connection.vendor != "postgresql":
        Grade.objects.bulk_create(
            [Grade(**dict(zip(_GRADE_COLUMNS, row, strict=True))) for row in rows],
            batch_size=2000, update_conflicts=True, unique_fields=["kind", "key"],
            update_fields=["level", "reasons", "grid_code", "since"])
        return
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE IF NOT EXISTS risk_grade_in (kind varchar(10), "
                       "key varchar(20), grid_code varchar(15), level smallint, reasons jsonb, "
                       "since timestamptz) ON COMMIT DELETE ROWS")
        cursor.execute("TRUNCATE risk_grade_in")
    _copied("risk_grade_in", _GRADE_COLUMNS, [
        (*row[:4], json.dumps(row[4]), row[5].isoformat()) for row in rows])
    columns = ", ".join(_GRADE_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO risk_grade ({columns}) SELECT {columns} FROM risk_grade_in "
                       "ON CONFLICT (kind, key) DO UPDATE SET level = EXCLUDED.level, "
                       "reasons = EXCLUDED.reasons, grid_code = EXCLUDED.grid_code, "
                       "since = EXCLUDED.since")


_CHANGE_COLUMNS = ["kind", "key", "grid_code", "before", "after", "reasons", "rule_set_id",
                   "at"]


def _changes_insert(rows: list[tuple]) -> None:
    if len(rows) < _COPY_FROM or connection.vendor != "postgresql":
        GradeChange.objects.bulk_create(
            [GradeChange(**dict(zip(_CHANGE_COLUMNS, row, strict=True))) for row in rows],
            batch_size=2000)
        return
    _copied("risk_gradechange", _CHANGE_COLUMNS, [
        (*row[:5], json.dumps(row[5]), row[6], row[7].isoformat()) for row in rows])


def _batches(values: list[Any], size: int = 5000) -> list[list[Any]]:
    return [values[start:start + size] for start in range(0, len(values), size)]


def grades_recompute(*, by: Actor, today: datetime.date | None = None,
                     rule_set: RuleSet | None = None) -> Summary:
    """Grade every subject from scratch under the rules in force (or ``rule_set``)."""
    require(by, Action.EDIT_RISK_RULES)
    rule_set = rule_set or rule_set_in_force()
    if rule_set is None:
        return Summary()
    today = today or timezone.localdate()
    with transaction.atomic():
        _lock_areas(None)
        grades = evaluate(rules_of(rule_set), today=today)
        return _store(grades, None, rule_set, timezone.now())


def _lock_areas(communities: set[str] | None) -> None:
    """Serialise the gradings of the same communities (every one for ``None``) until the
    transaction ends. Two writers grading one building at once would each see only their own
    new case and store a count of one; with the lock, the second waits for the first to
    commit, and its next statements see both (PostgreSQL's READ COMMITTED). Communities are
    locked in order, so two writers never wait on each other; a full recompute waits for
    every refresh and they for it. SQLite has one writer at a time already."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        if communities is None:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('wangge risk'))")
            return
        cursor.execute("SELECT pg_advisory_xact_lock_shared(hashtext('wangge risk'))")
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext('wangge risk ' || code)) "
                       "FROM (SELECT code FROM unnest(%s::text[]) AS code ORDER BY code) AS sorted",
                       [sorted(communities)])


def touched_expanded(*, persons: set[int], buildings: set[int], grids: set[str],
                     communities: set[str]) -> Touched:
    """What a change to these subjects may re-grade: each person's building and grid, now
    and before their moves; each building's grid; each grid's community."""
    touched = Touched(set(persons), set(buildings), set(grids), set(communities))
    if persons:
        homes = Person.objects.order_by().values_list("grid_code", "dwelling__building_id")
        for grid_code, building_id in among(homes, "id", sorted(persons)):
            touched.grids.add(grid_code)
            if building_id is not None:
                touched.buildings.add(building_id)
        moves = PersonMove.objects.order_by().values_list(
            "from_grid_code", "to_grid_code", "from_dwelling__building_id",
            "to_dwelling__building_id")
        for *codes, left, came in among(moves, "person_id", sorted(persons)):
            touched.grids.update(code for code in codes if code)
            touched.buildings.update(building for building in (left, came) if building)
    if touched.buildings:
        places = Building.objects.order_by().values_list("grid_code", flat=True)
        touched.grids.update(among(places, "id", sorted(touched.buildings)))
    for kind, keys in ((SubjectKind.PERSON, touched.persons),
                       (SubjectKind.BUILDING, touched.buildings)):
        if keys:
            stored = Grade.objects.filter(kind=kind).values_list("grid_code", flat=True)
            touched.grids.update(among(stored, "key", sorted(str(key) for key in keys)))
    touched.communities.update(code[:12] for code in touched.grids)
    return touched


def grades_refresh(*, by: Actor, persons: Any = (), buildings: Any = (), venues: Any = (),
                   grids: Any = (), communities: Any = (),
                   today: datetime.date | None = None) -> Summary:
    """Re-grade what a change touched and what holds it, under the rules in force.

    ``venues`` are accepted as the signal sends them; no rule grades a venue or reads a
    visit (an exposure through a venue names its persons, who are sent with it)."""
    require(by, Action.VIEW_RISK)
    rule_set = rule_set_in_force()
    if rule_set is None or not (persons or buildings or grids or communities):
        return Summary()
    today = today or timezone.localdate()
    with transaction.atomic():
        touched = touched_expanded(
            persons={int(person) for person in persons},
            buildings={int(building) for building in buildings},
            grids={str(grid) for grid in grids}, communities={str(code) for code in communities})
        _lock_areas(touched.communities)
        grades = evaluate(rules_of(rule_set), today=today, touched=touched)
        return _store(grades, touched, rule_set, timezone.now())


def grades_expire(*, by: Actor, today: datetime.date | None = None) -> Summary:
    """Re-grade every subject with a reason whose facts ran out before ``today`` (a case
    left its window): ``wangge risk-grades --refresh``, daily."""
    require(by, Action.VIEW_RISK)
    today = today or timezone.localdate()
    expired: dict[str, set[str]] = {kind: set() for kind in SUBJECT_ORDER}
    for kind, key, reasons in Grade.objects.values_list("kind", "key", "reasons").iterator(
            chunk_size=5000):
        if any(reason.get("facts", {}).get("until", "9999") < today.isoformat()
               for reason in reasons):
            expired[kind].add(key)
    return grades_refresh(
        by=by, today=today, persons={int(key) for key in expired[SubjectKind.PERSON]},
        buildings={int(key) for key in expired[SubjectKind.BUILDING]},
        grids=expired[SubjectKind.GRID], communities=expired[SubjectKind.COMMUNITY])


def stored_grades() -> Grades:
    grades: Grades = {kind: {} for kind in SUBJECT_ORDER}
    for kind, key, level, reasons, grid_code in Grade.objects.values_list(
            "kind", "key", "level", "reasons", "grid_code").iterator(chunk_size=5000):
        grades[kind][key] = Graded(level, reasons, grid_code)
    return grades


def grades_differences(*, today: datetime.date | None = None) -> list[str]:
    """Where the stored grades differ from a full recompute under the rules in force (one
    line per subject; empty when they agree): ``wangge risk-grades --check``."""
    rule_set = rule_set_in_force()
    if rule_set is None:
        return []
    full = evaluate(rules_of(rule_set), today=today or timezone.localdate())
    stored = stored_grades()
    lines = []
    for kind in SUBJECT_ORDER:
        for key in sorted(set(full[kind]) | set(stored[kind])):
            if full[kind].get(key) != stored[kind].get(key):
                old, new = stored[kind].get(key), full[kind].get(key)
                lines.append(f"{kind} {key}: stored {old.level if old else 0}, "
                             f"recomputed {new.level if new else 0}")
    return lines


# The rule sets


@transaction.atomic
def rule_set_draft_create(*, rules: Any, note: str = "", by: Actor) -> RuleSet:
    """A new version of the rules, as a draft (checked; refused with the errors by rule and
    field)."""
    require(by, Action.EDIT_RISK_RULES)
    errors: dict[str, list[str]] = {}
    try:
        rules_checked(rules)
    except ValidationError as error:
        errors.update(error.message_dict)
    if not isinstance(note, str) or len(note) > 200:
        errors["note"] = [_("Say what changed in at most 200 characters.")]
    if errors:
        raise ValidationError(errors)
    latest = RuleSet.objects.select_for_update().aggregate(latest=Max("version"))["latest"]
    return RuleSet.objects.create(version=(latest or 0) + 1, rules=rules, note=note.strip(),
                                  created_by=user_of(by))


@dataclass
class PreviewChange:
    kind: str
    key: str
    grid_code: str
    before: int
    after: int
    reasons_before: list[dict[str, Any]]
    reasons_after: list[dict[str, Any]]


@dataclass
class Preview:
    """What putting a draft in force would change within the editor's jurisdiction."""

    # kind → level → (now, with the draft)
    levels: dict[str, dict[int, list[int]]]
    # community code → [raised, lowered]
    areas: dict[str, list[int]]
    changes: list[PreviewChange]
    changed: int
    persons_changed: int


def rule_set_preview(*, rule_set: RuleSet, by: Actor, show_persons: bool,
                     today: datetime.date | None = None) -> Preview:
    """Grade everything under ``rule_set`` and under the rules in force, and compare, within
    ``by``'s jurisdiction (persons listed only when ``show_persons``: health data)."""
    require(by, Action.EDIT_RISK_RULES)
    today = today or timezone.localdate()
    in_force = rule_set_in_force()
    now = (evaluate(rules_of(in_force), today=today) if in_force is not None
           else {kind: {} for kind in SUBJECT_ORDER})
    draft = evaluate(rules_of(rule_set), today=today)
    prefixes = by.scope_prefixes
    levels: dict[str, dict[int, list[int]]] = {
        kind: {Level.MEDIUM.value: [0, 0], Level.HIGH.value: [0, 0]} for kind in SUBJECT_ORDER}
    areas: dict[str, list[int]] = {}
    changes: list[PreviewChange] = []
    changed = persons_changed = 0
    for kind in SUBJECT_ORDER:
        for column, grades in enumerate((now[kind], draft[kind])):
            for grade in grades.values():
                if is_within(grade.grid_code, prefixes):
                    levels[kind][grade.level][column] += 1
        for key in sorted(set(now[kind]) | set(draft[kind])):
            old, new = now[kind].get(key), draft[kind].get(key)
            before, after = (old.level if old else 0), (new.level if new else 0)
            grid_code = new.grid_code if new else old.grid_code if old else ""
            if before == after or not is_within(grid_code, prefixes):
                continue
            changed += 1
            area = areas.setdefault(grid_code[:12], [0, 0])
            area[0 if after > before else 1] += 1
            if kind == SubjectKind.PERSON:
                persons_changed += 1
                if not show_persons:
                    continue
            if len(changes) < MAX_PREVIEW_CHANGES:
                changes.append(PreviewChange(kind, key, grid_code, before, after,
                                             old.reasons if old else [],
                                             new.reasons if new else []))
    return Preview(levels=levels, areas=dict(sorted(areas.items())), changes=changes,
                   changed=changed, persons_changed=persons_changed)


@transaction.atomic
def rule_set_put_in_force(*, rule_set: RuleSet, by: Actor) -> Summary:
    """Retire the rules in force, put ``rule_set`` (a draft) in force, and re-grade
    everything under it (each change of grade recorded with it)."""
    require(by, Action.EDIT_RISK_RULES)
    rule_set = RuleSet.objects.select_for_update().get(pk=rule_set.pk)
    if rule_set.status != RuleSetStatus.DRAFT:
        raise ValidationError({"rule_set": _("Only a draft can be put in force.")})
    rules_checked(rule_set.rules)
    RuleSet.objects.filter(status=RuleSetStatus.IN_FORCE).update(status=RuleSetStatus.RETIRED)
    rule_set.status = RuleSetStatus.IN_FORCE
    rule_set.in_force_from = timezone.now()
    rule_set.put_in_force_by = user_of(by)
    rule_set.save(update_fields=["status", "in_force_from", "put_in_force_by"])
    return grades_recompute(by=by, rule_set=rule_set)
