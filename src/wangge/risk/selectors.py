"""Reads of the risk grades: who sees which grades, and the grades as a reader sees them
(names instead of ids and codes, reasons as lines in the reader's language).

Grades of buildings, grids and communities are not personal, but never public: they are shown
to roles with ``VIEW_RISK`` within their jurisdiction. A person's grade is health data: listed
only for roles that see health status unmasked (``HEALTH_STATUS``), and each read of one is
logged by its caller (``person_grades_read``).
"""

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest

from wangge.access.models import User
from wangge.auditlog.models import Kind, Purpose
from wangge.auditlog.services import access_record, purpose_text
from wangge.divisions.selectors import area_names
from wangge.foundation.permissions import Action, Asker, SensitiveField, can, sees_unmasked
from wangge.people.models import Person
from wangge.places.models import Building
from wangge.risk.models import Grade, GradeChange, Level, RuleSet, SubjectKind
from wangge.risk.rules import grade_heading, reason_text


def sees_person_grades(user: Asker) -> bool:
    return can(user, Action.VIEW_RISK) and sees_unmasked(user, SensitiveField.HEALTH_STATUS)


def grades_visible_to(user: User) -> QuerySet[Grade]:
    """The grades ``user`` may see: in their jurisdiction, persons' only with health status
    unmasked; none without ``VIEW_RISK``."""
    if not can(user, Action.VIEW_RISK):
        return Grade.objects.none()
    grades = Grade.objects.in_scope(user.scope_prefixes)
    if not sees_person_grades(user):
        grades = grades.exclude(kind=SubjectKind.PERSON)
    return grades


def grade_changes_visible_to(user: User) -> QuerySet[GradeChange]:
    """The changes of grade ``user`` may see, on the same terms as the grades."""
    if not can(user, Action.VIEW_RISK):
        return GradeChange.objects.none()
    changes = GradeChange.objects.in_scope(user.scope_prefixes).select_related("rule_set")
    if not sees_person_grades(user):
        changes = changes.exclude(kind=SubjectKind.PERSON)
    return changes


def rule_sets_visible_to(user: User) -> QuerySet[RuleSet]:
    """The rules are not personal: every role that sees grades may read every version."""
    if not can(user, Action.VIEW_RISK):
        return RuleSet.objects.none()
    return RuleSet.objects.select_related("created_by", "put_in_force_by")


def subject_names(subjects: Iterable[tuple[str, str]], user: Asker) -> dict[tuple[str, str], str]:
    """The name of each (kind, key), in one query per kind: a building's name, a grid's or
    community's, a person's (only for a reader who sees person grades)."""
    subjects = list(subjects)
    keys: dict[str, set[str]] = {kind: set() for kind in SubjectKind.values}
    for kind, key in subjects:
        keys[kind].add(key)
    names: dict[tuple[str, str], str] = {}
    buildings = [int(key) for key in keys[SubjectKind.BUILDING] if key.isdigit()]
    for pk, name in Building.objects.filter(pk__in=buildings).values_list("pk", "name"):
        names[(SubjectKind.BUILDING, str(pk))] = name
    codes = keys[SubjectKind.GRID] | keys[SubjectKind.COMMUNITY]
    if codes:
        named = area_names(codes)
        for kind in (SubjectKind.GRID, SubjectKind.COMMUNITY):
            for key in keys[kind]:
                names[(kind, key)] = named.get(key, key)
    if sees_person_grades(user):
        persons = [int(key) for key in keys[SubjectKind.PERSON] if key.isdigit()]
        for pk, name in Person.objects.filter(pk__in=persons).values_list("pk", "name"):
            names[(SubjectKind.PERSON, str(pk))] = name
    return names


def reason_names(reasons_lists: Iterable[list[dict[str, Any]]]) -> dict[str, str]:
    """The names of the buildings and grids the reasons list (by id and code), in one
    query each: buildings and areas are not personal."""
    buildings: set[str] = set()
    codes: set[str] = set()
    for reasons in reasons_lists:
        for reason in reasons:
            some = [str(key) for key in reason.get("facts", {}).get("some", [])]
            (buildings if reason.get("if") == "buildings" else codes).update(some)
    names = {str(pk): name for pk, name in Building.objects.filter(
        pk__in=[int(key) for key in buildings if key.isdigit()]).values_list("pk", "name")}
    if codes:
        names.update(area_names(codes))
    return names


def reasons_shown(reasons: list[dict[str, Any]], names: dict[str, str]) -> list[str]:
    return [reason_text(reason, names) for reason in reasons]


def grade_shown(grade: Grade | GradeChange, names: dict[tuple[str, str], str],
                reason_words: dict[str, str]) -> dict[str, Any]:
    """A grade (or a change) as the pages and the API show it."""
    level = grade.level if isinstance(grade, Grade) else grade.after
    return {
        "kind": grade.kind, "key": grade.key, "grid_code": grade.grid_code,
        "name": names.get((grade.kind, grade.key), grade.key),
        "level": level, "level_name": str(Level(level).label),
        "heading": grade_heading(grade.kind, level),
        "reasons": reasons_shown(grade.reasons, reason_words),
        "reasons_data": grade.reasons,
    }


def person_grades_read(*, by: User, request: HttpRequest | None,
                       subjects: Iterable[tuple[str, str]], kind: Kind = Kind.LIST) -> None:
    """Log that ``by`` read these persons' grades (health data), when any (kind, key) is a
    person's."""
    persons = sorted({int(key) for subject_kind, key in subjects
                      if subject_kind == SubjectKind.PERSON and key.isdigit()})
    if persons:
        access_record(by=by, kind=kind, request=request, fields=["health_status"],
                      record_ids=persons, target="risk-grades",
                      purpose=purpose_text(Purpose.HEALTH))
