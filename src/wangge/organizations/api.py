"""API for organizations: those belonging to, or serving, the caller's jurisdiction."""

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from wangge.access.permissions import Action
from wangge.api_support import CodeFilter, Pages, Reason, caller, visible, visible_one

from .models import Organization, OrganizationKind
from .selectors import organizations_visible_to
from .services import organization_create

router = Router(tags=["organizations"])
VIEW = Action.VIEW_ORGANIZATIONS


class OrganizationOut(Schema):
    id: int
    name: str
    kind: str
    credit_code: str
    grid_code: str
    contact_name: str
    contact_phone: str
    served_grid_codes: list[str]

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


@router.get("/organizations", response=list[OrganizationOut])
@paginate(Pages)
def organization_list(request: HttpRequest, filters: Query[CodeFilter]) -> QuerySet:
    organizations = visible(request, organizations_visible_to, VIEW)
    return filters.narrow(request, organizations.prefetch_related("served_grids"))


@router.get("/organizations/{id}", response=OrganizationOut)
def organization_get(request: HttpRequest, id: int) -> Organization:
    return visible_one(request, organizations_visible_to, VIEW, pk=id)


@router.post("/organizations", response={201: OrganizationOut})
def organization_post(request: HttpRequest, payload: OrganizationIn) -> Organization:
    return organization_create(**payload.model_dump(), by=caller(request))
