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
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
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
from .allocation import MAX_QUANTITY
from .models import (
    AllocationRun,
    CallablePerson,
    Condition,
    Depot,
    DispatchStatus,
    Material,
    MaterialCategory,
    Provider,
    ProviderKind,
    RequestStatus,
    RunStatus,
    Shelter,
    Shipment,
    SupplyRequest,
    Urgency,
    Utility,
    UtilityKind,
    Vehicle,
)
from .services import (
    AnyResource,
    allocation_confirm,
    allocation_run,
    dispatch_deliver,
    dispatch_send,
    resource_create,
    resource_delete,
    resource_update,
    shipment_change,
    supply_request_cancel,
    supply_request_create,
)

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


# ---- allocation of scarce supplies (供需调配) ---------------------------------------------

class SupplyRequestOut(Schema):
    id: int
    grid_code: str
    category: str = Field(description="The category's code")
    item: str
    unit: str
    quantity: int
    urgency: Urgency
    for_vulnerable: bool
    priority: int = Field(description="1 (served first) to 3")
    vulnerable_residents: int = Field(description="Residents of the grid with a "
                                                  "vulnerable-group tag (a count)")
    why: str
    requested_by: str | None
    requested_at: datetime.datetime
    status: RequestStatus

    @staticmethod
    def resolve_category(request: SupplyRequest) -> str:
        return request.category.code

    @staticmethod
    def resolve_requested_by(request: SupplyRequest) -> str | None:
        return str(request.requested_by) if request.requested_by else None


class SupplyRequestIn(Schema):
    grid_code: str = Field(pattern=r"^\d{15}$")
    category: str = Field(description="A category's code (food, water, medical, ...)")
    item: str = Field(min_length=1, max_length=100)
    unit: str = Field(min_length=1, max_length=20)
    quantity: int = Field(ge=1, le=MAX_QUANTITY)
    urgency: Urgency
    for_vulnerable: bool = False
    why: str = Field(max_length=200, description="Why the grid needs it (kept in the history)")


class SupplyRequestFilter(CodeFilter):
    status: RequestStatus | None = None


class ShipmentOut(Schema):
    id: int
    depot_id: int
    request_id: int
    quantity: int


class UnmetOut(Schema):
    request: int
    item: str
    quantity: int
    why: str = Field(description="no_stock, kept_for_higher_priority or changed_by_hand")


class AllocationOut(Schema):
    id: int
    grid_code: str
    run_by: str | None
    run_at: datetime.datetime
    status: RunStatus
    weighted_unmet: int
    transport_km: float
    shipments: list[ShipmentOut]
    unmet: list[UnmetOut]

    @staticmethod
    def resolve_run_by(run: AllocationRun) -> str | None:
        return str(run.run_by) if run.run_by else None

    @staticmethod
    def resolve_shipments(run: AllocationRun) -> list[Shipment]:
        return list(run.shipments.all())


class AllocationIn(Reason):
    code: str = Field(pattern=r"^\d{12}(\d{3})?$",
                      description="The jurisdiction whose open requests and depots to use")


class ShipmentPatch(Reason):
    quantity: int | None = Field(None, ge=0, le=MAX_QUANTITY, description="0 drops the line")
    depot_id: RecordId | None = None


class DispatchOut(Schema):
    id: int
    run_id: int
    depot_id: int
    request_id: int
    grid_code: str
    item: str
    quantity: int
    status: DispatchStatus
    dispatched_at: datetime.datetime | None
    delivered_at: datetime.datetime | None


class DispatchFilter(CodeFilter):
    status: DispatchStatus | None = None


def _category(code: str) -> MaterialCategory:
    category = MaterialCategory.objects.filter(code=code).first()
    if category is None:
        raise ValidationError({"category": _("%(code)s is not a material category.")
                               % {"code": code}})
    return category


@router.get("/resources/requests", response=list[SupplyRequestOut],
            operation_id="supply_request_list")
@paginate(Pages)
def supply_request_list(request: HttpRequest, query: Query[SupplyRequestFilter]) -> Any:
    records = query.narrow(visible(request, selectors.supply_requests_visible_to, VIEW))
    return records.filter(status=query.status) if query.status else records


@router.post("/resources/requests", response={201: SupplyRequestOut},
             operation_id="supply_request_create")
def supply_request_new(request: HttpRequest, payload: SupplyRequestIn) -> Any:
    by = acting(request, Action.REQUEST_SUPPLIES)
    created = supply_request_create(
        by=by, **payload.model_dump(exclude={"category"}),
        category=_category(payload.category))
    return Status(201, visible_one(request, selectors.supply_requests_visible_to, VIEW,
                                   pk=created.pk))


@router.get("/resources/requests/{id}", response=SupplyRequestOut,
            operation_id="supply_request_get")
def supply_request_get(request: HttpRequest, id: RecordId) -> Any:
    return visible_one(request, selectors.supply_requests_visible_to, VIEW, pk=id)


@router.post("/resources/requests/{id}/cancel", response=SupplyRequestOut,
             operation_id="supply_request_cancel")
def supply_request_cancelled(request: HttpRequest, id: RecordId, payload: Reason) -> Any:
    record = visible_one(request, selectors.supply_requests_visible_to, VIEW, pk=id)
    supply_request_cancel(request=record, by=acting(request, Action.REQUEST_SUPPLIES),
                          reason=payload.reason)
    return visible_one(request, selectors.supply_requests_visible_to, VIEW, pk=id)


@router.get("/resources/allocations", response=list[AllocationOut],
            operation_id="allocation_list")
@paginate(Pages)
def allocation_list(request: HttpRequest, query: Query[CodeFilter]) -> Any:
    return query.narrow(visible(request, selectors.allocation_runs_visible_to, VIEW)
                        ).prefetch_related("shipments")


@router.post("/resources/allocations", response={201: AllocationOut},
             operation_id="allocation_run")
def allocation_new(request: HttpRequest, payload: AllocationIn) -> Any:
    return Status(201, allocation_run(code=payload.code, by=acting(request, EDIT),
                                      reason=payload.reason))


@router.get("/resources/allocations/{id}", response=AllocationOut,
            operation_id="allocation_get")
def allocation_get(request: HttpRequest, id: RecordId) -> Any:
    return visible_one(request, selectors.allocation_runs_visible_to, VIEW, pk=id)


@router.patch("/resources/allocations/{id}/shipments/{shipment_id}", response=AllocationOut,
              operation_id="allocation_shipment_change")
def allocation_shipment_change(request: HttpRequest, id: RecordId, shipment_id: RecordId,
                               payload: ShipmentPatch) -> Any:
    run = visible_one(request, selectors.allocation_runs_visible_to, VIEW, pk=id)
    shipment = get_object_or_404(run.shipments, pk=shipment_id)
    by = acting(request, EDIT)
    depot = referenced(request, selectors.depots_visible_to, VIEW, field="depot_id",
                       pk=payload.depot_id)
    shipment_change(shipment=shipment, quantity=payload.quantity, depot=depot, by=by,
                    reason=payload.reason)
    return visible_one(request, selectors.allocation_runs_visible_to, VIEW, pk=id)


@router.post("/resources/allocations/{id}/confirm", response=list[DispatchOut],
             operation_id="allocation_confirm")
def allocation_confirmed(request: HttpRequest, id: RecordId, payload: Reason) -> Any:
    run = visible_one(request, selectors.allocation_runs_visible_to, VIEW, pk=id)
    return allocation_confirm(run=run, by=acting(request, EDIT), reason=payload.reason)


@router.get("/resources/dispatches", response=list[DispatchOut], operation_id="dispatch_list")
@paginate(Pages)
def dispatch_list(request: HttpRequest, query: Query[DispatchFilter]) -> Any:
    records = query.narrow(visible(request, selectors.dispatch_orders_visible_to, VIEW))
    return records.filter(status=query.status) if query.status else records


@router.get("/resources/dispatches/{id}", response=DispatchOut, operation_id="dispatch_get")
def dispatch_get(request: HttpRequest, id: RecordId) -> Any:
    return visible_one(request, selectors.dispatch_orders_visible_to, VIEW, pk=id)


@router.post("/resources/dispatches/{id}/dispatch", response=DispatchOut,
             operation_id="dispatch_send")
def dispatch_sent(request: HttpRequest, id: RecordId, payload: Reason) -> Any:
    order = visible_one(request, selectors.dispatch_orders_visible_to, VIEW, pk=id)
    return dispatch_send(order=order, by=acting(request, EDIT), reason=payload.reason)


@router.post("/resources/dispatches/{id}/deliver", response=DispatchOut,
             operation_id="dispatch_deliver")
def dispatch_delivered(request: HttpRequest, id: RecordId, payload: Reason) -> Any:
    order = visible_one(request, selectors.dispatch_orders_visible_to, VIEW, pk=id)
    return dispatch_deliver(order=order, by=acting(request, Action.REQUEST_SUPPLIES),
                            reason=payload.reason)
