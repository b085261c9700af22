"""Reads of daily health monitoring, always through the caller's jurisdiction: a grid's day
(who is expected, who has checked in, who has not, who needs attention), check-ins as a role
may see them (masked like health status), and, for residents, who they may answer for."""

import datetime
from typing import Any

from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from wangge.access.models import User
from wangge.divisions.models import Grid
from wangge.divisions.selectors import grids_visible_to
from wangge.foundation.permissions import HIDDEN, Action, Asker, SensitiveField, can, sees_unmasked
from wangge.normalisers.text import fold_width
from wangge.people.models import Person, ResidenceType
from wangge.people.selectors import persons_visible_to

from .models import CheckIn, Symptom

# Checked in where they live: a person registered here but living away is not expected.
_PRESENT = ~Q(residence_type=ResidenceType.AWAY)


def check_ins_visible_to(user: User) -> QuerySet[CheckIn]:
    if not can(user, Action.VIEW_CHECK_INS):
        return CheckIn.objects.none()
    return CheckIn.objects.in_scope(user.scope_prefixes)


def check_in_grids(user: User) -> QuerySet[Grid]:
    """The grids whose check-ins ``user`` follows."""
    if not can(user, Action.VIEW_CHECK_INS):
        return Grid.objects.none()
    return grids_visible_to(user)


def expected_persons(user: User) -> QuerySet[Person]:
    """Who is expected to check in in the user's jurisdiction: its residents, but those
    living away."""
    if not can(user, Action.VIEW_CHECK_INS):
        return Person.objects.none()
    return persons_visible_to(user).filter(_PRESENT)


def not_checked_in(user: User, day: datetime.date) -> QuerySet[Person]:
    """The grid worker's list for the day (narrow it to a grid): expected persons with no
    check-in that day, by building, unit and room (a household together), with their dwelling
    and household."""
    answered = CheckIn.objects.filter(person=OuterRef("pk"), day=day)
    return (expected_persons(user).filter(~Exists(answered))
            .select_related("dwelling__building", "household")
            .order_by("grid_code", "dwelling__building__name", "dwelling__unit",
                      "dwelling__room", "household_id", "name", "pk"))


def day_check_ins(user: User, day: datetime.date) -> QuerySet[CheckIn]:
    """The check-ins of a day in the user's jurisdiction (narrow it to a grid), those
    needing attention first."""
    return (check_ins_visible_to(user).filter(day=day)
            .select_related("person__dwelling__building")
            .order_by("grid_code", "-alert", "person__dwelling__building__name",
                      "person__name", "pk"))


def _count(queryset: QuerySet) -> Coalesce:
    counted = queryset.order_by().values("grid_code").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def grid_days(user: User, day: datetime.date) -> QuerySet[Grid]:
    """The user's grids with ``expected``, ``checked_in``, ``missing`` (expected and not
    checked in) and ``alerts`` for ``day`` (each a subquery on indexed columns: a district's
    grids in one query, page by page)."""
    if not can(user, Action.VIEW_CHECK_INS):
        return Grid.objects.none()
    expected = Person.objects.filter(_PRESENT, grid_code=OuterRef("code"), merged_into=None)
    day_rows = CheckIn.objects.filter(grid_code=OuterRef("code"), day=day)
    answered = day_rows.filter(person__residence_type__in=[
        choice for choice in ResidenceType.values if choice != ResidenceType.AWAY])
    return (grids_visible_to(user)
            .annotate(expected=_count(expected), checked_in=_count(day_rows),
                      alerts=_count(day_rows.filter(alert=True)),
                      missing=F("expected") - _count(answered))
            .order_by("code"))


def check_in_shown(user: Asker, check_in: CheckIn) -> dict[str, Any]:
    """A check-in's answer as ``user`` may see it: temperature, symptoms and test result are
    health data, masked like a person's health status (``permissions.shown``) for roles that do
    not need them."""

    if not sees_health(user):  # not even whether there is anything to hide
        return {"temperature": HIDDEN, "symptoms": [HIDDEN], "test_result": HIDDEN,
                "alert": HIDDEN}
    return {
        "temperature": check_in.temperature,
        "symptoms": [str(Symptom(code).label) for code in check_in.symptoms],
        "test_result": check_in.get_test_result_display(),
        "alert": check_in.alert,
    }


def sees_health(user: Asker) -> bool:
    """Whether ``user`` sees check-ins' answers unmasked (a read of them is then logged)."""
    return sees_unmasked(user, SensitiveField.HEALTH_STATUS)


def household_of(person: Person) -> list[Person]:
    """Who ``person`` may answer for: themselves and the members of their household."""
    if person.household_id is None:
        return [person]
    members = list(Person.objects.filter(household_id=person.household_id, merged_into=None)
                   .order_by("pk"))
    return sorted(members, key=lambda member: member.pk != person.pk)


def person_identified(*, place: dict[str, int], name: str, last_four: str) -> Person | None:
    """The one person registered at ``place`` (``{"building": pk}`` or ``{"dwelling": pk}``)
    with this name whose ID number ends in ``last_four``; None for none, or more than one.
    ID numbers are encrypted: the persons of that name there are read and compared here."""
    name = "".join(fold_width(name).split())
    last_four = fold_width(last_four).strip().upper()
    if not name or len(last_four) != 4:
        return None
    persons = Person.objects.filter(name=name, merged_into=None)
    if "dwelling" in place:
        persons = persons.filter(dwelling_id=place["dwelling"])
    else:
        persons = persons.filter(dwelling__building_id=place["building"])
    found = [person for person in persons.only("id", "name", "grid_code", "household_id",
                                               "id_number", "dwelling_id")
             if person.id_number and person.id_number.upper().endswith(last_four)]
    return found[0] if len(found) == 1 else None


def today_answers(person_ids: list[int], day: datetime.date) -> dict[int, CheckIn]:
    """The check-ins already given for these persons on ``day`` (a resident's own form)."""
    return {check_in.person_id: check_in
            for check_in in CheckIn.objects.filter(person_id__in=person_ids, day=day)}

