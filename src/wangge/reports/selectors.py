"""Reads for reports: the persons a template covers in a scope, its rows, how complete the
registry already is for it, and the gaps each grid worker can fill."""

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from wangge.access.models import User
from wangge.access.selectors import grid_workers_of
from wangge.divisions.models import Division, Grid
from wangge.divisions.selectors import area_choices, divisions_in, grids_in
from wangge.foundation.codes import Level, level_of, prefix_range, scope_prefix
from wangge.foundation.permissions import HIDDEN, Action, require, sees_now, shown
from wangge.people.models import Person
from wangge.people.selectors import persons_visible_to
from wangge.populations.models import Circumstance, FieldKind, PopulationField

from .fields import Lookups, ReportField, person_fields, population_condition
from .models import ReportTemplate
from .sources import SOURCES


def report_templates_visible_to(user: User) -> QuerySet[ReportTemplate]:
    """Templates are shared by every jurisdiction; a role that may not use reports is refused."""
    require(user, Action.USE_REPORTS)
    return ReportTemplate.objects.all()


def scope_visible_to(user: User, code: str) -> bool:
    """Whether ``code`` names a division or grid inside the user's jurisdiction. A code above
    it (the district, for a street officer) is outside, like one that does not exist."""
    try:
        level = level_of(code)
    except ValidationError:
        return False
    places = grids_in if level == Level.GRID else divisions_in
    return places(user.scope_prefixes).filter(code=code).exists()


# Above this many grids the area list offers divisions only (a grid is reached from its page).
AREA_GRID_LIMIT = 300


def report_areas(user: User) -> list[tuple[str, str]]:
    """The divisions and grids a report may cover for ``user``, as (code, name) choices, each
    area right after the one it is in and indented one step below it."""
    return area_choices(user.scope_prefixes, grid_limit=AREA_GRID_LIMIT)


def report_template_in_scope(user: User, slug: str, scope: str) -> ReportTemplate:
    """The template, for a scope inside the user's jurisdiction; 404 otherwise (an unknown
    template and a scope outside answer alike)."""
    template = get_object_or_404(report_templates_visible_to(user), slug=slug)
    if not scope_visible_to(user, scope):
        raise Http404
    return template


def report_persons(template: ReportTemplate, *, scope: str, user: User | None) -> QuerySet[Person]:
    """The persons ``template`` covers under division or grid ``scope``, as ``user`` may see
    them (None: the command line, everyone); records merged into another are left out."""
    persons = (persons_visible_to(user) if user is not None
               else Person.objects.filter(merged_into=None))
    return (
        persons.filter(prefix_range("grid_code", scope_prefix(scope)))
        .filter(population_condition(template.population))
        .select_related("dwelling__building", "household")
        .order_by("grid_code", "name", "id")
    )


def fields_of(template: ReportTemplate) -> dict[str, ReportField]:
    """The fields a column of ``template`` may name: the registry's (the persons' and the
    populations'), or its source's."""
    if template.source:
        source = SOURCES.get(template.source)
        return source.fields if source is not None else {}
    return person_fields()


def not_held(template: ReportTemplate) -> list[str]:
    """Headers of the columns whose field the registry (or the template's source) does not
    hold."""
    fields = fields_of(template)
    return [column["header"] for column in template.columns
            if column.get("field") not in fields]


def report_records(template: ReportTemplate, *, scope: str, user: User | None) -> QuerySet:
    """The records ``template`` covers under ``scope``: persons, or its source's records."""
    if not template.source:
        return report_persons(template, scope=scope, user=user)
    source = SOURCES.get(template.source)
    if source is None:
        return Person.objects.none()
    return source.records(template.population or {}, scope_prefix(scope), user)


def places_under(scope: str) -> Lookups:
    prefix = scope_prefix(scope)
    names = dict(Grid.objects.filter(prefix_range("code", prefix)).values_list("code", "name"))
    names.update(Division.objects.filter(prefix_range("code", prefix[:9])).values_list(
        "code", "name"))
    return Lookups(names)


def report_lookups(persons: QuerySet[Person], fields: list[str], *, scope: str,
                   user: User | None) -> Lookups:
    """What the columns ``fields`` of a report over ``persons`` look up, each in one query
    however many rows: the current circumstances in the populations they read, the persons
    those link to and the dwellings' owners, the occupants of each dwelling."""
    lookups = places_under(scope)
    lookups.scope_prefixes = None if user is None else tuple(user.scope_prefixes)
    known = person_fields()
    populations = {known[name].population for name in fields
                   if name in known and known[name].population}
    person_ids = persons.values("pk")
    linked_ids: set[int] = set()
    if populations:
        links = {(field.population.key, field.key) for field in PopulationField.objects
                 .filter(population__key__in=populations, kind=FieldKind.PERSON)
                 .select_related("population")}
        for person_id, population, values in (
                Circumstance.objects.filter(ended_on=None, population__key__in=populations,
                                            person__in=person_ids)
                .values_list("person_id", "population__key", "values")):
            lookups.circumstances.setdefault(person_id, {})[population] = values
            linked_ids.update(value for key, value in values.items()
                              if (population, key) in links and isinstance(value, int))
    owners = (persons.filter(dwelling__owner__isnull=False).values("dwelling__owner")
              if {"landlord", "landlord_phone"} & set(fields) else Person.objects.none())
    if linked_ids or "landlord" in fields or "landlord_phone" in fields:
        lookups.linked = {other.pk: other for other in Person.objects.filter(
            Q(pk__in=linked_ids) | Q(pk__in=owners))}
    if "occupants" in fields:
        lookups.occupants = dict(
            Person.objects.filter(merged_into=None,
                                  dwelling__in=persons.values("dwelling_id"))
            .values("dwelling_id").annotate(count=Count("pk")).values_list("dwelling_id",
                                                                           "count"))
    return lookups


def masked_for(field: ReportField, user: User | None) -> bool:
    """Whether ``user`` gets this field's values masked (the command line sees them all)."""
    if user is None:
        return False
    return bool((field.within and not sees_now(user, field.within))
                or (field.sensitive and not sees_now(user, field.sensitive)))


def cell_shown(field: ReportField, value: Any, user: User | None) -> Any:
    """A value as ``user`` may see it in a report."""
    if user is None or value is None or value == "":
        return value
    if field.within and not sees_now(user, field.within):
        return HIDDEN
    if field.sensitive:
        value = shown(user, field.sensitive, value)
    # A masked list (vulnerable groups) is one cell.
    return "、".join(value) if isinstance(value, list) else value


def report_rows(template: ReportTemplate, *, scope: str, user: User | None) -> Iterator[list[Any]]:
    """One list of values per person, in the template's column order; sensitive values masked
    as ``user`` sees them; a column the registry does not hold stays empty."""
    for _person, values in _person_rows(template, scope=scope, user=user):
        yield values


def _person_rows(template: ReportTemplate, *, scope: str, user: User | None
                 ) -> Iterator[tuple[Any, list[Any]]]:
    known = fields_of(template)
    names = [column.get("field") for column in template.columns]
    fields = [known.get(name) for name in names]
    records = report_records(template, scope=scope, user=user)
    lookups = (places_under(scope) if template.source
               else report_lookups(records, names, scope=scope, user=user))
    for number, record in enumerate(records.iterator(chunk_size=2000), start=1):
        values: list[Any] = []
        for name, field in zip(names, fields, strict=True):
            if name == "row_number" and not template.source:
                values.append(number)
                continue
            value = field.read(record, lookups) if field else None
            values.append(cell_shown(field, value, user) if field else None)
        yield record, values


def report_completeness(template: ReportTemplate, *, scope: str, user: User | None) -> dict:
    """How many covered persons have each column filled, overall and per grid, and which
    columns the registry cannot fill at all."""
    headers = [column["header"] for column in template.columns]
    total = 0
    filled = dict.fromkeys(headers, 0)
    grids: dict[str, dict[str, int]] = defaultdict(
        lambda: {"total": 0, **dict.fromkeys(headers, 0)})
    for person, values in _person_rows(template, scope=scope, user=user):
        total += 1
        grids[person.grid_code]["total"] += 1
        for header, value in zip(headers, values, strict=True):
            if value not in (None, ""):
                filled[header] += 1
                grids[person.grid_code][header] += 1
    return {"total": total, "filled": filled, "grids": dict(grids),
            "not_held": not_held(template)}


def gap_report(template: ReportTemplate, *, scope: str, user: User | None) -> dict:
    """Completeness and the task list as plain data (the API's and `wangge gaps --json`'s)."""
    report = report_completeness(template, scope=scope, user=user)
    report["tasks"] = [
        {**task, "persons": [{"id": item["person"].pk, "name": item["person"].name,
                              "missing": item["missing"]} for item in task["persons"]]}
        for task in gap_tasks(template, scope=scope, user=user)
    ]
    return report


def gap_tasks(template: ReportTemplate, *, scope: str, user: User | None) -> list[dict]:
    """Per grid: its grid workers and each covered person missing a value a grid worker can
    collect, with the columns to fill. Values the registry does not hold are not tasks, nor
    are those of another source (they come from its records)."""
    if template.source:
        return []
    known = person_fields()
    collectable = [(column["header"], known[column["field"]])
                   for column in template.columns
                   if column.get("field") in known and known[column["field"]].collectable]
    covered = report_persons(template, scope=scope, user=user)
    places = report_lookups(covered, [column.get("field") for column in template.columns],
                            scope=scope, user=user)
    by_grid: dict[str, list[dict]] = defaultdict(list)
    for person in covered.iterator(chunk_size=2000):
        missing = [header for header, field in collectable
                   if field.read(person, places) in (None, "")]
        if missing:
            by_grid[person.grid_code].append({"person": person, "missing": missing})
    tasks = []
    for code, persons in sorted(by_grid.items()):
        workers = grid_workers_of(code)
        # Usernames for machines; names for the pages, which name people, not accounts.
        tasks.append({"grid_code": code, "grid_name": places.name(code),
                      "workers": [worker.username for worker in workers],
                      "worker_names": [worker.get_full_name() or worker.username
                                       for worker in workers],
                      "persons": persons})
    return tasks
