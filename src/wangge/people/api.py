"""API for persons and households. Persons are never deleted (one record per person, kept
for its history): they move (``transfer``) or leave a household. Households are deleted once
empty.

Sensitive fields are shown as the caller's role may see them, in lists, records and history.
"""

import datetime
from functools import partial
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, JsonResponse
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from wangge.auditlog.models import Kind
from wangge.auditlog.services import person_read_logged
from wangge.divisions.selectors import grids_visible_to
from wangge.foundation.api_support import (
    GEOJSON_ANSWER,
    IN_USE_ANSWERS,
    PURPOSE_ANSWERS,
    CodeFilter,
    DeleteReason,
    Pages,
    Reason,
    RecordId,
    acting,
    caller,
    changes,
    feature_collection,
    purpose_header,
    purpose_revealed,
    referenced,
    visible,
    visible_one,
)
from wangge.foundation.permissions import Action, SensitiveField, can, shown
from wangge.normalisers import DocumentType
from wangge.places.selectors import dwellings_visible_to

from . import services
from .models import HealthStatus, Household, Person, PersonMove, ResidenceType
from .selectors import (
    households_visible_to,
    person_history,
    persons_search,
    persons_visible_to,
    population_by_grid,
    sensitive_search_terms,
)
from .services import (
    household_add_member,
    household_create,
    household_remove_member,
    household_update,
    person_create,
    person_transfer,
    person_update,
)

router = Router(tags=["people"])
VIEW = Action.VIEW_PEOPLE


def _as_seen(field: SensitiveField) -> staticmethod:
    """A resolver that shows ``field`` as the caller may see it, masked or not."""

    def resolve(person: Person, context: dict[str, Any]) -> Any:
        request = context["request"]
        return shown(caller(request), field, getattr(person, field.value),
                     revealed=purpose_revealed(request))

    return staticmethod(resolve)


class PersonOut(Schema):
    id: int
    name: str
    document_type: str
    id_number: str
    sex: str
    birth_date: str | None = Field(
        description="YYYY-MM-DD; only the year (YYYY) for roles that see the ID number masked")
    ethnicity: str
    phone: str
    residence_type: str
    occupation: str
    health_status: str
    vulnerable_tags: list[str]
    grid_code: str
    dwelling_id: int | None
    household_id: int | None
    relationship: str

    resolve_id_number = _as_seen(SensitiveField.ID_NUMBER)
    resolve_phone = _as_seen(SensitiveField.PHONE)
    resolve_health_status = _as_seen(SensitiveField.HEALTH_STATUS)
    resolve_vulnerable_tags = _as_seen(SensitiveField.VULNERABLE_TAGS)

    @staticmethod
    def resolve_birth_date(person: Person, context: dict[str, Any]) -> str | None:
        if person.birth_date is None:
            return None
        request = context["request"]
        return str(shown(caller(request), SensitiveField.BIRTH_DATE, person.birth_date,
                         revealed=purpose_revealed(request)))


class PersonFields(Reason):
    """The editable fields; on create unset ones take the model's defaults."""

    name: str | None = None
    document_type: DocumentType | None = None
    id_number: str | None = None
    sex: str | None = Field(None, description="M or F; derived from a resident ID if absent")
    birth_date: datetime.date | None = None
    ethnicity: str | None = None
    phone: str | None = None
    residence_type: ResidenceType | None = None
    occupation: str | None = None
    health_status: HealthStatus | None = None
    vulnerable_tags: list[str] | None = None


class PersonIn(PersonFields):
    name: str
    dwelling_id: RecordId | None = None
    grid_code: str | None = Field(None, description="The grid, when the dwelling is unknown")


class PersonFilter(CodeFilter):
    q: str = Field("", description="Name prefix, phone or exact ID number")


class TransferIn(Reason):
    dwelling_id: RecordId
    moved_on: datetime.date


class MoveOut(Schema):
    id: int
    person_id: int
    from_grid_code: str
    to_grid_code: str
    from_dwelling_id: int | None
    to_dwelling_id: int | None
    moved_on: datetime.date
    reason: str


class ChangeOut(Schema):
    field: str
    label: str
    old: Any
    new: Any

    @staticmethod
    def resolve_label(change: dict[str, Any]) -> str:
        return str(change["label"])


class HistoryEntryOut(Schema):
    when: datetime.datetime
    who: str
    reason: str
    kind: str
    changes: list[ChangeOut]

    @staticmethod
    def resolve_kind(entry: dict[str, Any]) -> str:
        return str(entry["kind"])


class HouseholdOut(Schema):
    id: int
    number: str
    grid_code: str
    dwelling_id: int | None
    head_id: int | None


class HouseholdIn(Reason):
    head_id: RecordId
    dwelling_id: RecordId | None = Field(None, description="Defaults to the head's dwelling")
    number: str = ""


class HouseholdPatch(Reason):
    number: str | None = None
    dwelling_id: RecordId | None = None
    head_id: RecordId | None = Field(None, description="A member of the household")


class HouseholdMemberIn(Reason):
    person_id: RecordId
    relationship: str


class LoggedPersonPages(Pages):
    """A page of persons, its read logged (one entry with the count; a search by ID or
    phone as such) before it is answered."""

    def paginate_queryset(self, queryset: QuerySet, pagination: Pages.Input,
                          request: HttpRequest, **params: Any) -> dict[str, Any]:
        page = super().paginate_queryset(queryset, pagination, request, **params)
        page["items"] = list(page["items"])
        person_read_logged(
            request, [person.pk for person in page["items"]], kind=Kind.LIST,
            searched=sensitive_search_terms(caller(request), request.GET.get("q", "")))
        return page


@router.get("/persons", response=list[PersonOut], openapi_extra=PURPOSE_ANSWERS)
@paginate(LoggedPersonPages)
def person_list(request: HttpRequest, filters: Query[PersonFilter],
                x_purpose: str = purpose_header()) -> QuerySet:
    return filters.narrow(visible(request, partial(persons_search, text=filters.q),
                                           VIEW))


@router.get("/persons/{id}", response=PersonOut, openapi_extra=PURPOSE_ANSWERS)
def person_get(request: HttpRequest, id: RecordId, x_purpose: str = purpose_header()) -> Person:
    person = visible_one(request, persons_visible_to, VIEW, pk=id)
    person_read_logged(request, [person.pk], kind=Kind.VIEW)
    return person


@router.post("/persons", response={201: PersonOut})
def person_post(request: HttpRequest, payload: PersonIn) -> Person:
    by = acting(request, Action.EDIT_PEOPLE)
    dwelling = referenced(request, dwellings_visible_to, Action.VIEW_PLACES, field="dwelling_id",
                          pk=payload.dwelling_id)
    return person_create(dwelling=dwelling, by=by, reason=payload.reason,
                         **changes(payload, Person, "dwelling_id"))


@router.patch("/persons/{id}", response=PersonOut)
def person_patch(request: HttpRequest, id: RecordId, payload: PersonFields) -> Person:
    """Correct a person; ``reason`` is required and kept in the history."""
    person = visible_one(request, persons_visible_to, VIEW, pk=id)
    return person_update(person=person, by=caller(request), reason=payload.reason,
                         **changes(payload, Person))


@router.post("/persons/{id}/transfer", response={201: MoveOut})
def person_transfer_post(request: HttpRequest, id: RecordId, payload: TransferIn) -> PersonMove:
    """Move the person (the same record) to another dwelling in the caller's jurisdiction."""
    person = visible_one(request, persons_visible_to, VIEW, pk=id)
    by = acting(request, Action.EDIT_PEOPLE)
    dwelling = referenced(request, dwellings_visible_to, Action.VIEW_PLACES, field="dwelling_id",
                          pk=payload.dwelling_id)
    return person_transfer(person=person, dwelling=dwelling, moved_on=payload.moved_on, by=by,
                           reason=payload.reason)


@router.get("/persons/{id}/history", response=list[HistoryEntryOut], openapi_extra=PURPOSE_ANSWERS)
def person_history_get(request: HttpRequest, id: RecordId,
                       x_purpose: str = purpose_header()) -> list[dict[str, Any]]:
    """Each version, newest first, sensitive values masked as everywhere else."""
    person = visible_one(request, persons_visible_to, VIEW, pk=id)
    user = acting(request, Action.VIEW_HISTORY)
    person_read_logged(request, [person.pk], kind=Kind.VIEW)
    return person_history(user, person, revealed=purpose_revealed(request))


@router.get("/households", response=list[HouseholdOut])
@paginate(Pages)
def household_list(request: HttpRequest, filters: Query[CodeFilter]) -> QuerySet:
    return filters.narrow(visible(request, households_visible_to, VIEW))


@router.get("/households/{id}", response=HouseholdOut)
def household_get(request: HttpRequest, id: RecordId) -> Household:
    return visible_one(request, households_visible_to, VIEW, pk=id)


@router.post("/households", response={201: HouseholdOut})
def household_post(request: HttpRequest, payload: HouseholdIn) -> Household:
    by = acting(request, Action.EDIT_PEOPLE)
    head = referenced(request, persons_visible_to, VIEW, field="head_id", pk=payload.head_id)
    dwelling = referenced(request, dwellings_visible_to, Action.VIEW_PLACES, field="dwelling_id",
                          pk=payload.dwelling_id)
    return household_create(head=head, dwelling=dwelling, number=payload.number, by=by,
                            reason=payload.reason)


@router.post("/households/{id}/members", response={201: PersonOut})
def household_member_post(request: HttpRequest, id: RecordId, payload: HouseholdMemberIn) -> Person:
    household = visible_one(request, households_visible_to, VIEW, pk=id)
    by = acting(request, Action.EDIT_PEOPLE)
    person = referenced(request, persons_visible_to, VIEW, field="person_id",
                        pk=payload.person_id)
    return household_add_member(household=household, person=person,
                                relationship=payload.relationship, by=by, reason=payload.reason)


@router.patch("/households/{id}", response=HouseholdOut)
def household_patch(request: HttpRequest, id: RecordId, payload: HouseholdPatch) -> Household:
    """Change the number, dwelling or head; ``reason`` is required and kept in the history."""
    household = visible_one(request, households_visible_to, VIEW, pk=id)
    by = acting(request, Action.EDIT_PEOPLE)
    fields = changes(payload, Household)
    if "dwelling_id" in fields:
        fields["dwelling"] = referenced(request, dwellings_visible_to, Action.VIEW_PLACES,
                                        field="dwelling_id", pk=fields.pop("dwelling_id"))
    if "head_id" in fields:
        fields["head"] = referenced(request, persons_visible_to, VIEW, field="head_id",
                                    pk=fields.pop("head_id"))
    return household_update(household=household, by=by, reason=payload.reason, **fields)


@router.delete("/households/{id}", response={204: None},
                openapi_extra=IN_USE_ANSWERS)
def household_delete(request: HttpRequest, id: RecordId, payload: DeleteReason) -> None:
    """Delete a household without members (409 while it has any); needs a reason."""
    household = visible_one(request, households_visible_to, VIEW, pk=id)
    services.household_delete(household=household, by=acting(request, Action.EDIT_PEOPLE),
                              reason=payload.reason)


@router.delete("/households/{id}/members/{person_id}", response={204: None})
def household_member_delete(request: HttpRequest, id: RecordId, person_id: RecordId,
                            payload: DeleteReason) -> None:
    """Take a member out of the household (the person record stays); needs a reason."""
    household = visible_one(request, households_visible_to, VIEW, pk=id)
    person = visible_one(request, persons_visible_to, VIEW, pk=person_id, household=household)
    household_remove_member(household=household, person=person,
                            by=acting(request, Action.EDIT_PEOPLE), reason=payload.reason)


# On the people router: a grid's population is people's data (divisions know no persons).
@router.get("/grids.geojson", openapi_extra=GEOJSON_ANSWER, tags=["divisions"])
def grid_geojson(request: HttpRequest, filters: Query[CodeFilter]) -> JsonResponse:
    """Every visible grid (not paged: a map draws them all) with its registered
    ``population`` for a role that sees people (as on the pages' map), without it for
    others."""
    grids = list(filters.narrow(visible(request, grids_visible_to, None)))
    counted = can(caller(request), VIEW)
    population = population_by_grid(grid.code for grid in grids) if counted else {}
    return feature_collection([
        {"type": "Feature", "geometry": grid.boundary,
         "properties": {"code": grid.code, "name": grid.name,
                        **({"population": population.get(grid.code, 0)} if counted else {})}}
        for grid in grids
    ])
