"""Reads for reports: the persons a template covers in a scope, its rows, how complete the
registry already is for it, and the gaps each grid worker can fill."""

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from wangge.access.models import User
from wangge.access.selectors import grid_workers_of
from wangge.divisions.models import Division, Grid
from wangge.divisions.selectors import area_choices, divisions_in, grids_in
from wangge.foundation.codes import Level, level_of, prefix_range, scope_prefix
from wangge.foundation.permissions import Action, require, shown
from wangge.people.models import Person
from wangge.people.selectors import persons_visible_to

from .fields import REPORT_FIELDS, Places, ReportField, population_condition
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
    """The fields a column of ``template`` may name: the registry's, or its source's."""
    if template.source:
        source = SOURCES.get(template.source)
        return source.fields if source is not None else {}
    return REPORT_FIELDS


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


def places_under(scope: str) -> Places:
    prefix = scope_prefix(scope)
    names = dict(Grid.objects.filter(prefix_range("code", prefix)).values_list("code", "name"))
    names.update(Division.objects.filter(prefix_range("code", prefix[:9])).values_list(
        "code", "name"))
    return Places(names)


def report_rows(template: ReportTemplate, *, scope: str, user: User | None) -> Iterator[list[Any]]:
    """One list of values per person, in the template's column order; sensitive values masked
    as ``user`` sees them; a column the registry does not hold stays empty."""
    for _person, values in _person_rows(template, scope=scope, user=user):
        yield values


def _person_rows(template: ReportTemplate, *, scope: str, user: User | None
                 ) -> Iterator[tuple[Person, list[Any]]]:
    places = places_under(scope)
    known = fields_of(template)
    fields = [known.get(column.get("field")) for column in template.columns]
    for person in report_records(template, scope=scope, user=user).iterator(chunk_size=2000):
        values = []
        for field in fields:
            value = field.read(person, places) if field else None
            if field and field.sensitive and user is not None and value not in (None, ""):
                value = shown(user, field.sensitive, value)
            values.append(value)
        yield person, values


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
    places = places_under(scope)
    collectable = [(column["header"], REPORT_FIELDS[column["field"]])
                   for column in template.columns
                   if column.get("field") in REPORT_FIELDS
                   and REPORT_FIELDS[column["field"]].collectable]
    by_grid: dict[str, list[dict]] = defaultdict(list)
    for person in report_persons(template, scope=scope, user=user).iterator(chunk_size=2000):
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
