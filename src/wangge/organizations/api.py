"""API for organizations: those belonging to, or serving, the caller's jurisdiction, and
their members."""

import datetime
from functools import partial
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from wangge.foundation.api_support import (
    IN_USE_ANSWERS,
    CodeFilter,
    DeleteReason,
    Pages,
    Reason,
    RecordId,
    acting,
    caller,
    changes,
    referenced,
    visible,
    visible_one,
)
from wangge.foundation.permissions import Action, SensitiveField, shown
from wangge.people.selectors import persons_visible_to

from . import services
from .models import Membership, Organization, OrganizationKind
from .selectors import members_visible_to, organizations_visible_to
from .services import membership_add, membership_remove, organization_create, organization_update

router = Router(tags=["organizations"])
VIEW = Action.VIEW_ORGANIZATIONS


class OrganizationOut(Schema):
    id: int
    name: str
    kind: str
    credit_code: str
    grid_code: str
    contact_name: str
    contact_phone: str = Field(description="Masked (138****5678) for roles that see phones "
                                           "masked")
    served_grid_codes: list[str]

    @staticmethod
    def resolve_contact_phone(organization: Organization, context: dict[str, Any]) -> str:
        return str(shown(caller(context["request"]), SensitiveField.PHONE,
                         organization.contact_phone))

    @staticmethod
    def resolve_served_grid_codes(organization: Organization) -> list[str]:
        return [served.grid_code for served in organization.served_grids.all()]


class OrganizationIn(Reason):
    name: str
    kind: OrganizationKind
    grid_code: str
    credit_code: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    served_grid_codes: list[str] = []


class OrganizationPatch(Reason):
    name: str | None = None
    kind: OrganizationKind | None = None
    grid_code: str | None = None
    credit_code: str | None = None
    contact_name: str | None = None
    contact_phone: str | None = None
    served_grid_codes: list[str] | None = Field(
        None, description="Replaces the grids it serves; [] serves none")


class MemberOut(Schema):
    person_id: int
    name: str
    title: str
    joined_on: datetime.date | None

    @staticmethod
    def resolve_name(membership: Membership) -> str:
        return membership.person.name


class MembershipIn(Reason):
    person_id: RecordId
    title: str = Field("", description="The member's role in the organization")
    joined_on: datetime.date | None = None


@router.get("/organizations", response=list[OrganizationOut])
@paginate(Pages)
def organization_list(request: HttpRequest, filters: Query[CodeFilter]) -> QuerySet:
    organizations = visible(request, organizations_visible_to, VIEW)
    return filters.narrow(organizations.prefetch_related("served_grids"))


@router.get("/organizations/{id}", response=OrganizationOut)
def organization_get(request: HttpRequest, id: RecordId) -> Organization:
    return visible_one(request, organizations_visible_to, VIEW, pk=id)


@router.post("/organizations", response={201: OrganizationOut})
def organization_post(request: HttpRequest, payload: OrganizationIn) -> Organization:
    return organization_create(**payload.model_dump(), by=caller(request))


@router.patch("/organizations/{id}", response=OrganizationOut)
def organization_patch(request: HttpRequest, id: RecordId, payload: OrganizationPatch
                       ) -> Organization:
    """Change an organization that belongs to the caller's jurisdiction (one seen only
    because it serves a grid there is 403)."""
    organization = visible_one(request, organizations_visible_to, VIEW, pk=id)
    by = acting(request, Action.EDIT_ORGANIZATIONS)
    return organization_update(organization=organization, by=by, reason=payload.reason,
                               **changes(payload, Organization))


@router.delete("/organizations/{id}", response={204: None},
                openapi_extra=IN_USE_ANSWERS)
def organization_delete(request: HttpRequest, id: RecordId, payload: DeleteReason) -> None:
    """Delete an organization without members or served grids (409 names them)."""
    organization = visible_one(request, organizations_visible_to, VIEW, pk=id)
    services.organization_delete(organization=organization,
                                 by=acting(request, Action.EDIT_ORGANIZATIONS),
                                 reason=payload.reason)


@router.get("/organizations/{id}/members", response=list[MemberOut])
@paginate(Pages)
def member_list(request: HttpRequest, id: RecordId) -> QuerySet:
    """The members the caller may see: persons in the caller's jurisdiction."""
    organization = visible_one(request, organizations_visible_to, VIEW, pk=id)
    return visible(request, partial(members_visible_to, organization=organization),
                   Action.VIEW_PEOPLE)


@router.post("/organizations/{id}/members", response={201: MemberOut})
def member_post(request: HttpRequest, id: RecordId, payload: MembershipIn) -> Membership:
    organization = visible_one(request, organizations_visible_to, VIEW, pk=id)
    by = acting(request, Action.EDIT_ORGANIZATIONS)
    person = referenced(request, persons_visible_to, Action.VIEW_PEOPLE, field="person_id",
                        pk=payload.person_id)
    return membership_add(organization=organization, person=person, title=payload.title,
                          joined_on=payload.joined_on, by=by, reason=payload.reason)


@router.delete("/organizations/{id}/members/{person_id}", response={204: None},
                openapi_extra=IN_USE_ANSWERS)
def member_delete(request: HttpRequest, id: RecordId, person_id: RecordId,
                  payload: DeleteReason) -> None:
    """End a membership (the person stays); needs a reason, kept in its history."""
    organization = visible_one(request, organizations_visible_to, VIEW, pk=id)
    by = acting(request, Action.EDIT_ORGANIZATIONS)
    membership = visible_one(request, partial(members_visible_to, organization=organization),
                             Action.VIEW_PEOPLE, person_id=person_id)
    membership_remove(membership=membership, by=by, reason=payload.reason)
