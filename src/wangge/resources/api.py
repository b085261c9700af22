"""API of the emergency resource database: ``/resources/<kind>`` for depots, materials,
shelters, utilities, providers, people and vehicles on call — list (paged, ``?code=``,
``?q=``), get, create, patch and delete, each read through its scoped selector (404 outside
the jurisdiction) and written through the services (the reason kept in the history)."""

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
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
from wangge.organizations.selectors import organizations_visible_to

from . import selectors
from .models import (
    CallablePerson,
    Condition,
    Depot,
    Material,
    MaterialCategory,
    Provider,
    ProviderKind,
    Shelter,
    Utility,
    UtilityKind,
    Vehicle,
)
from .services import AnyResource, resource_create, resource_delete, resource_update

router = Router(tags=["resources"])
VIEW = Action.VIEW_RESOURCES
EDIT = Action.EDIT_RESOURCES
MASKED = "Masked (138****5678) for roles that see phones masked"


class ResourcePhoneOut(Schema):
    id: int
    grid_code: str
    contact_phone: str = Field(description=MASKED)

    @staticmethod
    def resolve_contact_phone(record: Any, context: dict[str, Any]) -> str:
        return str(shown(caller(context["request"]), SensitiveField.PHONE,
                         record.contact_phone))


class ResourceContactOut(ResourcePhoneOut):
    contact_name: str


class ResourceLocatedOut(ResourceContactOut):
    name: str
    address: str
    longitude: float | None
    latitude: float | None


class PlacedIn(Reason):
    """A place is filed under the grid its location lies in, else under ``grid_code``, else
    under the grid of the building its address names."""

    name: str = Field(max_length=100)
    address: str = Field(max_length=200)
    longitude: float | None = None
    latitude: float | None = None
    grid_code: str | None = Field(None, description="Grid or division code to file it under "
                                                    "when no grid contains its location")
    contact_name: str = Field("", max_length=50)
    contact_phone: str = Field("", max_length=20)


class PlacedPatch(Reason):
    """Fields left out stay as they are; a new location, address or code places it again."""

    name: str | None = Field(None, max_length=100)
    address: str | None = Field(None, max_length=200)
    longitude: float | None = None
    latitude: float | None = None
    grid_code: str | None = None
    contact_name: str | None = Field(None, max_length=50)
    contact_phone: str | None = Field(None, max_length=20)


class DepotOut(ResourceLocatedOut):
    owner_id: int


class DepotIn(PlacedIn):
    owner_id: RecordId


class DepotPatch(PlacedPatch):
    owner_id: RecordId | None = None


class MaterialOut(Schema):
    id: int
    depot_id: int
    grid_code: str
    category: str = Field(description="The category's code")
    item: str
    quantity: Decimal
    unit: str
    expires_on: datetime.date | None
    owner_id: int
    low_stock_threshold: Decimal

    @staticmethod
    def resolve_category(material: Material) -> str:
        return material.category.code


class MaterialIn(Reason):
    depot_id: RecordId
    category: str = Field(description="A category's code (food, water, medical, ...)")
    item: str = Field(max_length=100)
    quantity: Decimal = Field(ge=0, max_digits=14, decimal_places=2)
    unit: str = Field(max_length=20)
    expires_on: datetime.date | None = None
    owner_id: RecordId | None = Field(None, description="The depot's owner when left out")
    low_stock_threshold: Decimal = Field(Decimal(0), ge=0, max_digits=14, decimal_places=2)


class MaterialPatch(Reason):
    category: str | None = None
    item: str | None = Field(None, max_length=100)
    quantity: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    unit: str | None = Field(None, max_length=20)
    expires_on: datetime.date | None = None
    owner_id: RecordId | None = None
    low_stock_threshold: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)


class ShelterOut(ResourceLocatedOut):
    capacity: int
    occupancy: int
    drinking_water: bool
    power: bool
    lighting: bool
    toilets: bool
    step_free: bool
    owner_id: int | None


class ShelterIn(PlacedIn):
    capacity: int = Field(ge=0, le=2**31 - 1)
    occupancy: int = Field(0, ge=0, le=2**31 - 1)
    drinking_water: bool = False
    power: bool = False
    lighting: bool = False
    toilets: bool = False
    step_free: bool = False
    owner_id: RecordId | None = None


class ShelterPatch(PlacedPatch):
    capacity: int | None = Field(None, ge=0, le=2**31 - 1)
    occupancy: int | None = Field(None, ge=0, le=2**31 - 1)
    drinking_water: bool | None = None
    power: bool | None = None
    lighting: bool | None = None
    toilets: bool | None = None
    step_free: bool | None = None
    owner_id: RecordId | None = None


class UtilityOut(ResourceLocatedOut):
    kind: UtilityKind
    in_service: bool
    owner_id: int | None


class UtilityIn(PlacedIn):
    kind: UtilityKind
    in_service: bool = True
    owner_id: RecordId | None = None


class UtilityPatch(PlacedPatch):
    kind: UtilityKind | None = None
    in_service: bool | None = None
    owner_id: RecordId | None = None


class ProviderOut(ResourceLocatedOut):
    kind: ProviderKind
    capacity: int = Field(description="Meals a day (food) or beds (lodging)")
    organization_id: int | None


class ProviderIn(PlacedIn):
    kind: ProviderKind
    capacity: int = Field(ge=0, le=2**31 - 1)
    organization_id: RecordId | None = None


class ProviderPatch(PlacedPatch):
    kind: ProviderKind | None = None
    capacity: int | None = Field(None, ge=0, le=2**31 - 1)
    organization_id: RecordId | None = None


class CallablePersonOut(ResourcePhoneOut):
    name: str
    skills: str
    organization_id: int | None


class CallablePersonIn(Reason):
    name: str = Field(max_length=50)
    skills: str = Field(max_length=200)
    contact_phone: str = Field(max_length=20)
    grid_code: str = Field(description="The grid or division they answer calls for")
    organization_id: RecordId | None = None


class CallablePersonPatch(Reason):
    name: str | None = Field(None, max_length=50)
    skills: str | None = Field(None, max_length=200)
    contact_phone: str | None = Field(None, max_length=20)
    grid_code: str | None = None
    organization_id: RecordId | None = None


class VehicleOut(ResourceContactOut):
    kind: str
    plate: str
    capacity: str
    owner_id: int


class VehicleIn(Reason):
    kind: str = Field(max_length=50)
    plate: str = Field(max_length=12)
    capacity: str = Field("", max_length=50)
    grid_code: str
    owner_id: RecordId
    contact_name: str = Field("", max_length=50, description="The driver")
    contact_phone: str = Field("", max_length=20, description="The driver's phone")


class VehiclePatch(Reason):
    kind: str | None = Field(None, max_length=50)
    plate: str | None = Field(None, max_length=12)
    capacity: str | None = Field(None, max_length=50)
    grid_code: str | None = None
    owner_id: RecordId | None = None
    contact_name: str | None = Field(None, max_length=50)
    contact_phone: str | None = Field(None, max_length=20)


class ResourceFilter(CodeFilter):
    q: str = Field("", max_length=100, description="Part of a name (an item, a plate)")


class MaterialFilter(ResourceFilter):
    condition: Condition | None = Field(None, description="Low stock, expiring or expired")


def _fields(request: HttpRequest, sent: dict[str, Any]) -> dict[str, Any]:
    """The body's ids and codes as the records they name, each one the caller sees (else a
    422 naming the field)."""
    for name, selector, action in (
            ("owner", organizations_visible_to, Action.VIEW_ORGANIZATIONS),
            ("organization", organizations_visible_to, Action.VIEW_ORGANIZATIONS),
            ("depot", selectors.depots_visible_to, VIEW)):
        if f"{name}_id" in sent:
            sent[name] = referenced(request, selector, action, field=f"{name}_id",
                                    pk=sent.pop(f"{name}_id"))
    if "category" in sent:
        code = sent["category"]
        sent["category"] = MaterialCategory.objects.filter(code=code).first()
        if sent["category"] is None:
            raise ValidationError({"category": _("%(code)s is not a material category.")
                                   % {"code": code}})
    return sent


def _typed(view: Callable[..., Any], **annotations: Any) -> Callable[..., Any]:
    """``view`` with the kind's own schemas as its parameters' types: django-ninja reads them
    from the annotations for the OpenAPI document and for parsing the request."""
    view.__annotations__.update(annotations)
    return view


def _routes(path: str, model: type[AnyResource], selector: Callable[..., QuerySet],
            out: type[Schema], body: type[Reason], patch: type[Reason], search: str,
            filters: type[ResourceFilter] = ResourceFilter) -> None:
    """List, get, create, patch and delete of one kind at ``/resources/<path>``."""
    name = model._meta.model_name

    def listed(request: HttpRequest, query: ResourceFilter) -> QuerySet:
        records = query.narrow(visible(request, selector, VIEW))
        if query.q:
            records = records.filter(**{f"{search}__icontains": query.q})
        if condition := getattr(query, "condition", None):
            records = records.filter(selectors.in_condition(condition))
        return records

    router.get(f"/resources/{path}", response=list[out], operation_id=f"{name}_list")(  # type: ignore[valid-type]
        paginate(Pages)(_typed(listed, query=Query[filters])))  # type: ignore[valid-type,misc]

    @router.get(f"/resources/{path}/{{id}}", response=out, operation_id=f"{name}_get")
    def got(request: HttpRequest, id: RecordId) -> Any:
        return visible_one(request, selector, VIEW, pk=id)

    def created(request: HttpRequest, payload: Reason) -> Any:
        by = acting(request, EDIT)
        sent = _fields(request, payload.model_dump(exclude={"reason"}))
        return resource_create(model=model, by=by, reason=payload.reason, **sent)

    def patched(request: HttpRequest, id: RecordId, payload: Reason) -> Any:
        record = visible_one(request, selector, VIEW, pk=id)
        by = acting(request, EDIT)
        sent = _fields(request, changes(payload, model))
        return resource_update(record=record, by=by, reason=payload.reason, **sent)

    router.post(f"/resources/{path}", response={201: out}, operation_id=f"{name}_create")(
        _typed(created, payload=body))
    router.patch(f"/resources/{path}/{{id}}", response=out, operation_id=f"{name}_patch")(
        _typed(patched, payload=patch))

    @router.delete(f"/resources/{path}/{{id}}", response={204: None},
                   operation_id=f"{name}_delete", openapi_extra=IN_USE_ANSWERS)
    def deleted(request: HttpRequest, id: RecordId, payload: DeleteReason) -> None:
        record = visible_one(request, selector, VIEW, pk=id)
        resource_delete(record=record, by=acting(request, EDIT), reason=payload.reason)


_routes("depots", Depot, selectors.depots_visible_to, DepotOut, DepotIn, DepotPatch, "name")
_routes("materials", Material, selectors.materials_visible_to, MaterialOut, MaterialIn,
        MaterialPatch, "item", MaterialFilter)
_routes("shelters", Shelter, selectors.shelters_visible_to, ShelterOut, ShelterIn,
        ShelterPatch, "name")
_routes("utilities", Utility, selectors.utilities_visible_to, UtilityOut, UtilityIn,
        UtilityPatch, "name")
_routes("providers", Provider, selectors.providers_visible_to, ProviderOut, ProviderIn,
        ProviderPatch, "name")
_routes("people", CallablePerson, selectors.callable_people_visible_to, CallablePersonOut,
        CallablePersonIn, CallablePersonPatch, "name")
_routes("vehicles", Vehicle, selectors.vehicles_visible_to, VehicleOut, VehicleIn,
        VehiclePatch, "plate")
