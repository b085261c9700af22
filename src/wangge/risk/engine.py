"""The grading itself: a rule set applied to the facts, for every subject or for those a change
touched, in set-based queries (one grouped query per rule and level, never one per person).

The facts are few beside the residents (cases, exposures and check-ins needing attention in
the rules' windows), so a subject is looked at only when some fact points at it: a person
through their own cases, exposures and check-ins; a building, grid or community through its
residents' cases and through the grades of what it holds. ``evaluate(rules, today=,
touched=None)`` grades everything from scratch; with ``touched`` it grades only those
subjects, reading the stored grades of what it holds but did not re-grade, which is why an
incremental refresh gives the full recompute's result (tests/risk/test_incremental.py).
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, Max, Min, Q, QuerySet
from django.db.models.functions import Coalesce, Substr

from wangge.bulk import AnyOf
from wangge.epidemic.models import Case, Exposure
from wangge.foundation.codes import prefix_range
from wangge.health.models import CheckIn
from wangge.people.models import Person
from wangge.places.models import Building
from wangge.risk.models import Grade, Level, SubjectKind
from wangge.risk.rules import Rule

CHUNK = 20_000
SOME = 5  # how many buildings or grids a reason names


@dataclass(frozen=True)
class Graded:
    """A subject's grade as the rules give it (only medium and high are kept)."""

    level: int
    reasons: list[dict[str, Any]]
    grid_code: str


Grades = dict[str, dict[str, Graded]]  # kind → key → grade


@dataclass
class Touched:
    """The subjects to re-grade, by kind (persons and buildings by id, grids and communities
    by code)."""

    persons: set[int] = field(default_factory=set)
    buildings: set[int] = field(default_factory=set)
    grids: set[str] = field(default_factory=set)
    communities: set[str] = field(default_factory=set)

    def keys(self, kind: str) -> set[str]:
        values: dict[str, Iterable[Any]] = {
            SubjectKind.PERSON: self.persons, SubjectKind.BUILDING: self.buildings,
            SubjectKind.GRID: self.grids, SubjectKind.COMMUNITY: self.communities}
        return {str(value) for value in values[kind]}


def chunks(values: Iterable[Any], size: int = CHUNK) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for value in values:
        batch.append(value)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def among(queryset: QuerySet, field_name: str, values: Iterable[Any]) -> Iterator[Any]:
    """The rows of ``queryset`` whose ``field_name`` is one of ``values``, a chunk at a time
    (one array parameter each on PostgreSQL)."""
    for batch in chunks(values):
        yield from queryset.filter(AnyOf(F(field_name), batch))


def _window(rule: Rule, today: datetime.date, field_name: str) -> Q:
    return Q(**{f"{field_name}__gte": rule.since(today), f"{field_name}__lte": today})


def _facts(count: int, first: datetime.date, last: datetime.date, rule: Rule) -> dict[str, Any]:
    """What a windowed rule matched: how many, the last day, and ``until``, the last day on
    which these facts hold as they are (the first of them leaves the window the day after)."""
    until = first + datetime.timedelta(days=rule.within_days - 1)
    return {"count": count, "last": last.isoformat(), "until": until.isoformat()}


def _cases(rule: Rule, today: datetime.date) -> QuerySet[Case]:
    return (Case.objects.filter(status__in=rule.params["statuses"])
            .annotate(on=Coalesce("confirmed_on", "reported_on"))
            .filter(_window(rule, today, "on")))


def _person_matches(rule: Rule, today: datetime.date,
                    persons: set[int] | None) -> Iterator[tuple[int, dict[str, Any]]]:
    """(person id, facts) for each person ``rule`` matches."""
    rows: QuerySet[Any, Any]
    if rule.kind == "case":
        rows = _cases(rule, today).values("person_id").annotate(
            count=Count("id"), first=Min("on"), last=Max("on"))
    elif rule.kind == "exposure":
        rows = (Exposure.objects.filter(degree=rule.params["degree"])
                .filter(_window(rule, today, "last_contact_on")).values("person_id")
                .annotate(count=Count("id"), first=Min("last_contact_on"),
                          last=Max("last_contact_on")))
    else:  # check_in_alert
        rows = (CheckIn.objects.filter(alert=True).filter(_window(rule, today, "day"))
                .values("person_id")
                .annotate(count=Count("id"), first=Min("day"), last=Max("day"))
                .filter(count__gte=rule.at_least))
    found = rows.order_by() if persons is None else among(rows.order_by(), "person_id", persons)
    for row in found:
        yield row["person_id"], _facts(row["count"], row["first"], row["last"], rule)


def _graded(matches: dict[str, list[tuple[Rule, dict[str, Any]]]],
            grid_codes: dict[str, str]) -> dict[str, Graded]:
    """The highest grade of the rules that matched each subject, with the reasons in the
    rules' order."""
    graded = {}
    for key, found in matches.items():
        found.sort(key=lambda pair: pair[0].index)
        graded[key] = Graded(level=max(rule.grade for rule, _ in found),
                             reasons=[rule.reason(facts) for rule, facts in found],
                             grid_code=grid_codes[key])
    return graded


@dataclass
class _Places:
    """Where the persons graded in this pass live: building and grid."""

    building: dict[int, int | None] = field(default_factory=dict)
    grid: dict[int, str] = field(default_factory=dict)


def _grade_persons(rules: list[Rule], today: datetime.date,
                   persons: set[int] | None) -> tuple[dict[str, Graded], _Places]:
    matches: dict[str, list[tuple[Rule, dict[str, Any]]]] = defaultdict(list)
    for rule in rules:
        if rule.subject == SubjectKind.PERSON:
            for person_id, facts in _person_matches(rule, today, persons):
                matches[str(person_id)].append((rule, facts))
    places = _Places()
    wanted = {int(key) for key in matches} | (persons or set())
    homes = Person.objects.order_by().values_list("id", "grid_code", "dwelling__building_id")
    for person_id, grid_code, building_id in among(homes, "id", wanted):
        places.building[person_id], places.grid[person_id] = building_id, grid_code
    matches = {key: found for key, found in matches.items() if int(key) in places.grid}
    return _graded(matches, {key: places.grid[int(key)] for key in matches}), places


def _area_of(kind: str) -> tuple[str, Any]:
    """The column a case's person is grouped by for ``kind``, and its expression."""
    if kind == SubjectKind.BUILDING:
        return "area", F("person__dwelling__building_id")
    if kind == SubjectKind.GRID:
        return "area", F("person__grid_code")
    return "area", Substr("person__grid_code", 1, 12)


def _restricted(queryset: QuerySet, kind: str, keys: set[str] | None,
                building_field: str, code_field: str) -> Iterator[Any]:
    """``queryset`` narrowed to the subjects ``keys`` of ``kind`` (all when None)."""
    if keys is None:
        return iter(queryset)
    if kind == SubjectKind.BUILDING:
        return among(queryset, building_field, [int(key) for key in keys])
    if kind == SubjectKind.GRID:
        return among(queryset, code_field, sorted(keys))
    return (row for batch in chunks(sorted(keys), 500)
            for row in queryset.filter(_prefixes(code_field, batch)))


def _prefixes(code_field: str, prefixes: list[str]) -> Q:
    condition = Q(pk__in=[])
    for prefix in prefixes:
        condition |= prefix_range(code_field, prefix)
    return condition


# Up to this many subjects of a kind, a re-grading reads the cases of their residents (by
# person, through its index); beyond, the cases in the window, grouped by area, keeping the
# subjects asked for (the cost of a full pass, which a large batch costs anyway).
FEW: dict[str, int] = {SubjectKind.BUILDING: 200, SubjectKind.GRID: 20, SubjectKind.COMMUNITY: 3}


def _residents_of(kind: str, keys: set[str]) -> list[int]:
    persons = Person.objects.order_by().values_list("id", flat=True)
    if kind == SubjectKind.BUILDING:
        return list(among(persons, "dwelling__building_id", [int(key) for key in keys]))
    if kind == SubjectKind.GRID:
        return list(among(persons, "grid_code", sorted(keys)))
    return list(persons.filter(_prefixes("grid_code", sorted(keys))))


def _case_matches(rule: Rule, kind: str, today: datetime.date, keys: set[str] | None,
                  residents: dict[str, list[int]]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(area key, facts) for each area of ``kind`` (among ``keys``, all when None) where
    ``rule`` matches; ``residents``: the residents of ``keys`` by kind, read once a pass."""
    name, expression = _area_of(kind)
    rows = _cases(rule, today)
    if kind == SubjectKind.BUILDING:
        rows = rows.filter(person__dwelling__isnull=False)
    if keys is not None and len(keys) <= FEW[kind]:
        if kind not in residents:
            residents[kind] = _residents_of(kind, keys)
        if not residents[kind]:
            return
        rows = rows.filter(AnyOf(F("person_id"), residents[kind]))
    rows = (rows.annotate(**{name: expression}).values(name)
            .annotate(count=Count("person_id", distinct=True), first=Min("on"), last=Max("on"))
            .filter(count__gte=rule.at_least).order_by())
    for row in rows:
        key = str(row[name])
        if keys is None or key in keys:
            yield key, _facts(row["count"], row["first"], row["last"], rule)


@dataclass
class _Member:
    """A graded thing held by an area: its key, level and the area's key."""

    key: str
    level: int
    area: str


def _area_key(kind: str, grid_code: str) -> str:
    return grid_code if kind == SubjectKind.GRID else grid_code[:12]


class _Pass:
    """One grading pass: the rules, the day, what is re-graded (None: everything) and what
    has been graded so far, level by level upwards."""

    def __init__(self, rules: list[Rule], today: datetime.date, touched: Touched | None):
        self.rules, self.today, self.touched = rules, today, touched
        self.grades: Grades = {}
        self.places = _Places()
        self.residents: dict[str, list[int]] = {}

    def keys(self, kind: str) -> set[str] | None:
        return None if self.touched is None else self.touched.keys(kind)

    def run(self) -> Grades:
        persons = None if self.touched is None else self.touched.persons
        self.grades[SubjectKind.PERSON], self.places = _grade_persons(
            self.rules, self.today, persons)
        for kind in (SubjectKind.BUILDING, SubjectKind.GRID, SubjectKind.COMMUNITY):
            self.grades[kind] = self._grade_areas(kind)
        return self.grades

    def _grade_areas(self, kind: str) -> dict[str, Graded]:
        keys = self.keys(kind)
        matches: dict[str, list[tuple[Rule, dict[str, Any]]]] = defaultdict(list)
        members: dict[str, list[_Member]] = {}
        for rule in self.rules:
            if rule.subject != kind:
                continue
            if rule.kind == "cases":
                for key, facts in _case_matches(rule, kind, self.today, keys,
                                                   self.residents):
                    matches[key].append((rule, facts))
                continue
            if rule.kind not in members:
                members[rule.kind] = self._members(kind, rule.kind, keys)
            held: dict[str, list[str]] = defaultdict(list)
            for member in members[rule.kind]:
                if member.level >= rule.graded:
                    held[member.area].append(member.key)
            for area, member_keys in held.items():
                if len(member_keys) >= rule.at_least and (keys is None or area in keys):
                    counted: dict[str, Any] = {"count": len(member_keys)}
                    if rule.kind != "residents":
                        counted["some"] = sorted(member_keys, key=_sort_key)[:SOME]
                    matches[area].append((rule, counted))
        return _graded(matches, self._grid_codes(kind, set(matches)))

    def _grid_codes(self, kind: str, keys: set[str]) -> dict[str, str]:
        if kind != SubjectKind.BUILDING:
            return {key: key for key in keys}
        rows = Building.objects.order_by().values_list("id", "grid_code")
        return {str(building_id): grid_code
                for building_id, grid_code in among(rows, "id", [int(key) for key in keys])}

    def _members(self, kind: str, member_kind: str, keys: set[str] | None) -> list[_Member]:
        """The graded members (residents, buildings or grids) of the areas of ``kind``:
        those graded in this pass, and, in an incremental pass, the stored grades of those
        it did not re-grade."""
        member = {"residents": SubjectKind.PERSON, "buildings": SubjectKind.BUILDING,
                  "grids": SubjectKind.GRID}[member_kind]
        fresh = self.grades[member]
        if kind == SubjectKind.BUILDING:
            return self._residents_of_buildings(keys)
        found = [_Member(key, grade.level, _area_key(kind, grade.grid_code))
                 for key, grade in fresh.items()]
        if keys is None or self.touched is None:
            return found
        regraded = self.touched.keys(member)
        stored = (Grade.objects.filter(kind=member).order_by()
                  .values_list("key", "level", "grid_code"))
        for key, level, grid_code in _restricted(stored, kind, keys, "", "grid_code"):
            if key not in regraded:
                found.append(_Member(key, level, _area_key(kind, grid_code)))
        return found

    def _residents_of_buildings(self, keys: set[str] | None) -> list[_Member]:
        fresh = self.grades[SubjectKind.PERSON]
        if keys is None:
            return [_Member(key, grade.level, str(self.places.building[int(key)]))
                    for key, grade in fresh.items()
                    if self.places.building.get(int(key)) is not None]
        assert self.touched is not None
        regraded = self.touched.keys(SubjectKind.PERSON)
        levels = {key: grade.level for key, grade in fresh.items()}
        residents = Person.objects.order_by().values_list("id", "dwelling__building_id")
        stored = (Grade.objects.filter(kind=SubjectKind.PERSON).order_by()
                  .values_list("key", "level"))
        if len(keys) <= FEW[SubjectKind.BUILDING]:
            # A few buildings: their residents (by the dwelling index), then their grades.
            home = {str(person_id): str(building_id) for person_id, building_id in
                    among(residents, "dwelling__building_id", [int(key) for key in keys])}
            found = among(stored, "key", [key for key in home if key not in regraded])
            levels.update(found)
        else:
            # Many: every graded person (fewer than the residents of thousands of
            # buildings), then where they live.
            levels.update((key, level) for key, level in stored.iterator(chunk_size=10_000)
                          if key not in regraded)
            home = {str(person_id): str(building_id) for person_id, building_id in
                    among(residents, "id", [int(key) for key in levels])
                    if building_id is not None and str(building_id) in keys}
        return [_Member(key, levels[key], home[key]) for key in home if key in levels]


def _sort_key(key: str) -> tuple[int, str]:
    return (int(key), "") if key.isdigit() and len(key) < 15 else (0, key)


def evaluate(rules: list[Rule], *, today: datetime.date,
             touched: Touched | None = None) -> Grades:
    """The grades ``rules`` give on ``today``: every subject (``touched`` None) or only the
    touched ones (each kind's key → ``Graded``; a subject missing is low)."""
    return _Pass(rules, today, touched).run()


def level_name(level: int) -> str:
    return str(Level(level).label)
