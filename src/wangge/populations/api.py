"""API for populations and circumstances: the populations and their fields (so a machine
knows what to send), a person's current circumstances as the caller may read them, and
recording, changing and ending one. Values go in as JSON by field code, as on the page:
text, numbers, dates (1980-01-31), a choice's code or label, a person's id or resident ID
number, a phone, true/false."""

import datetime
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from pydantic import StrictBool, StrictFloat, StrictInt, StringConstraints

from wangge.auditlog.models import Kind
from wangge.auditlog.services import person_read_logged
from wangge.foundation.api_support import (
    PURPOSE_ANSWERS,
    CodeFilter,
    Pages,
    RecordId,
    acting,
    caller,
    purpose_header,
    visible_one,
)
from wangge.foundation.permissions import Action
from wangge.people.models import Person
from wangge.people.selectors import persons_visible_to

from .models import Population
from .selectors import circumstances_visible_to, person_circumstances, sees_circumstances
from .services import circumstance_end, circumstance_save

router = Router(tags=["populations"])
MAX_VALUES = 50
Value = (StrictBool | StrictInt | StrictFloat
         | Annotated[str, StringConstraints(max_length=200)] | None)
Key = Annotated[str, StringConstraints(max_length=40)]


class FieldOut(Schema):
    key: str
    label: str
    kind: str
    required: bool
    choices: list[tuple[str, str]] = Field(description="(code, label) of a choice field")

    @staticmethod
    def resolve_choices(field: Any) -> list[tuple[str, str]]:
        return field.choice_list()


class PopulationOut(Schema):
    key: str
    name: str
    department: str
    description: str
    built_in: bool
    fields: list[FieldOut]

    @staticmethod
    def resolve_fields(population: Population) -> list[Any]:
        return list(population.fields.all())


class ShownValueOut(Schema):
    label: str
    text: str = Field(description="As the caller may read it (masked where the role needs)")
    person_id: int | None = Field(description="A linked person the caller may open")


class CircumstanceOut(Schema):
    id: int
    person_id: int
    population: str
    since: datetime.date | None
    ended_on: datetime.date | None
    values: list[ShownValueOut]


class CircumstanceIn(Schema):
    values: dict[Key, Value] = Field(max_length=MAX_VALUES)
    since: datetime.date | None = None
    reason: str = Field(min_length=1, max_length=200)


class CircumstanceEndIn(Schema):
    ended_on: datetime.date | None = None
    reason: str = Field(min_length=1, max_length=200)


class CircumstanceFilter(CodeFilter):
    population: str | None = Field(None, max_length=40)
    current: bool = True


def _shown(request: HttpRequest, person: Person) -> list[dict[str, Any]]:
    shown = person_circumstances(caller(request), person) or []
    return [{"id": item.circumstance.pk, "person_id": person.pk,
             "population": item.population.key, "since": item.circumstance.since,
             "ended_on": item.circumstance.ended_on,
             "values": [vars(value) for value in item.values]} for item in shown]


def _person(request: HttpRequest, id: int) -> Person:
    person = visible_one(request, persons_visible_to, Action.VIEW_PEOPLE, pk=id)
    _sees(caller(request))
    return person


def _sees(user: Any) -> None:
    if not sees_circumstances(user):
        raise PermissionDenied(_("Your role does not see people's circumstances."))


@router.get("/populations", response=list[PopulationOut])
def population_list(request: HttpRequest) -> QuerySet:
    acting(request, Action.VIEW_PEOPLE)
    return Population.objects.prefetch_related("fields")


@router.get("/persons/{id}/circumstances", response=list[CircumstanceOut],
            openapi_extra=PURPOSE_ANSWERS)
def circumstances_get(request: HttpRequest, id: RecordId,
                      x_purpose: str = purpose_header()) -> list[dict[str, Any]]:
    """The person's current circumstances; 403 for a role that does not see them."""
    person = _person(request, id)
    person_read_logged(request, [person.pk], kind=Kind.VIEW)
    return _shown(request, person)


@router.put("/persons/{id}/circumstances/{key}", response=list[CircumstanceOut])
def circumstance_put(request: HttpRequest, id: RecordId, key: Key,
                     payload: CircumstanceIn) -> list[dict[str, Any]]:
    """Record the person's circumstance in the population ``key`` (or change the current
    one); the values are checked as on the page. Answers the person's circumstances."""
    by = acting(request, Action.EDIT_PEOPLE)
    person = _person(request, id)
    population = get_object_or_404(Population, key=key)
    circumstance_save(person=person, population=population, values=payload.values,
                      since=payload.since, by=by, reason=payload.reason,
                      visible=persons_visible_to(by))
    return _shown(request, person)


@router.post("/persons/{id}/circumstances/{key}/end", response=list[CircumstanceOut])
def circumstance_end_post(request: HttpRequest, id: RecordId, key: Key,
                          payload: CircumstanceEndIn) -> list[dict[str, Any]]:
    by = acting(request, Action.EDIT_PEOPLE)
    person = _person(request, id)
    current = get_object_or_404(circumstances_visible_to(by), person=person,
                                population__key=key, ended_on=None)
    circumstance_end(circumstance=current, ended_on=payload.ended_on, by=by,
                     reason=payload.reason)
    return _shown(request, person)


class CircumstanceRowOut(Schema):
    id: int
    person_id: int
    population: str = Field(alias="population.key")
    since: datetime.date | None
    ended_on: datetime.date | None


@router.get("/circumstances", response=list[CircumstanceRowOut])
@paginate(Pages)
def circumstance_list(request: HttpRequest, filters: Query[CircumstanceFilter]) -> QuerySet:
    """Who is in which population, in the caller's jurisdiction (the values: per person)."""
    user = acting(request, Action.VIEW_PEOPLE)
    _sees(user)
    found = filters.narrow(circumstances_visible_to(user).select_related("population"))
    if filters.population:
        found = found.filter(population__key=filters.population)
    if filters.current:
        found = found.filter(ended_on=None)
    return found.order_by("pk")
