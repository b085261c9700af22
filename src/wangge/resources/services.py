"""Writes of the emergency resource database. ``resource_checked`` holds every rule; pages,
the admin, the API and the imports all save through ``resource_create`` / ``resource_update``,
and a delivery or a dispatch through ``material_adjust``."""

import decimal
import math
from collections import defaultdict
from typing import TYPE_CHECKING, Any, TypeVar, cast

import numpy as np
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from wangge.divisions.geometry import boundary_shape
from wangge.divisions.models import Division, Grid
from wangge.divisions.selectors import grid_at
from wangge.foundation.actors import Actor, user_of
from wangge.foundation.codes import level_of, prefix_range, scope_prefix
from wangge.foundation.history import (
    delete_unless_used,
    delete_with_history,
    save_with_history,
    stated_reason,
)
from wangge.foundation.permissions import Action, require, require_in_scope
from wangge.normalisers import normalise_phone
from wangge.normalisers.text import fold_width
from wangge.notifications.models import STOCK
from wangge.notifications.services import notify_about
from wangge.organizations.models import Organization
from wangge.organizations.selectors import organizations_visible_to
from wangge.places.addresses import AddressBase, Refusal
from wangge.places.models import Building, Located

from . import allocation
from .alerts import staff_for
from .models import (
    AllocationRun,
    CallablePerson,
    Depot,
    DispatchOrder,
    DispatchStatus,
    Material,
    MaterialCategory,
    Provider,
    RequestStatus,
    RunStatus,
    Shelter,
    Shipment,
    SupplyRequest,
    Urgency,
    Utility,
    Vehicle,
)

if TYPE_CHECKING:
    from wangge.access.models import User

# Every kind of record here carries the code that scopes it.
AnyResource = Depot | Material | Shelter | Utility | Provider | CallablePerson | Vehicle
Resource = TypeVar("Resource", bound=AnyResource)

ORGANIZATION_FIELDS = ("owner", "organization")
# What moves a record to another grid or division: placing it again follows.
PLACEMENT_FIELDS = frozenset({"longitude", "latitude", "address", "grid_code", "depot"})


def known_code(code: str, field: str = "grid_code") -> str:
    """``code`` itself when it is an existing grid or division, or a ValidationError."""
    code = fold_width(str(code))
    try:
        level_of(code)
    except ValidationError as error:
        raise ValidationError({field: error.messages}) from error
    exists = (Grid.objects.filter(code=code) if len(code) == 15
              else Division.objects.filter(code=code)).exists()
    if not exists:
        raise ValidationError({field: _("%(code)s is not a known grid or division.")
                               % {"code": code}})
    return code


def _placed_code(record: Located, code: str | None, by: Actor,
                 addresses: AddressBase | None) -> str:
    """Where a depot, shelter, utility or provider is filed: the grid its point lies in, the
    grid or division code given, or the grid of the building its address names (in
    ``addresses``, the actor's address base loaded once for a file, or loaded here)."""
    if record.longitude is not None and record.latitude is not None:
        if not (-180 <= record.longitude <= 180 and -90 <= record.latitude <= 90):
            raise ValidationError({"longitude": _("Longitude and latitude are out of range.")})
        if (grid := grid_at(record.longitude, record.latitude)) is not None:
            return grid.code
    if code:
        return known_code(code)
    found = (addresses or AddressBase(list(by.scope_prefixes))).building(record.address)
    if isinstance(found, Refusal):
        raise ValidationError({"address": _(
            "Give a location, a grid or division code, or an address that names one building: "
            "%(why)s") % {"why": found.message}})
    return Building.objects.values_list("grid_code", flat=True).get(pk=found)


def _normalised(record: AnyResource) -> dict[str, list[str]]:
    """Strip text, normalise phones and fold plates in place; the errors by field."""
    errors: dict[str, list[str]] = {}
    for field in record._meta.concrete_fields:
        value = getattr(record, field.attname)
        if isinstance(value, str):
            setattr(record, field.attname, value.strip())
    if not isinstance(record, Material) and (phone := record.contact_phone):
        try:
            record.contact_phone = normalise_phone(phone)
        except ValidationError as error:
            errors["contact_phone"] = error.messages
    if isinstance(record, Vehicle):
        record.plate = fold_width(record.plate).replace("·", "").replace("-", "").upper()
    return errors


def organizations_seen_by(*, by: Actor) -> QuerySet[Organization]:
    """The organizations ``by`` may name as an owner: those it sees (a system actor reads
    like a superuser within its scope, as the selector expects)."""
    return organizations_visible_to(cast("User", by))


def _organizations_checked(record: models.Model, by: Actor) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    visible = organizations_seen_by(by=by)
    for name in ORGANIZATION_FIELDS:
        organization = getattr(record, name, None) if hasattr(record, f"{name}_id") else None
        if organization is not None and not visible.filter(pk=organization.pk).exists():
            errors[name] = [_("%(name)s is not an organization you see.")
                            % {"name": organization}]
    return errors


def _material_checked(material: Material, by: Actor) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if material.depot_id is None:
        raise ValidationError({"depot": _("Say which depot holds it.")})
    depot = material.depot
    require_in_scope(by, depot.grid_code, "depot")
    material.grid_code = depot.grid_code
    if material.owner_id is None:
        material.owner = depot.owner
    if material.quantity is not None and material.quantity < 0:
        errors["quantity"] = [_("A quantity cannot be below zero.")]
    if material.low_stock_threshold is not None and material.low_stock_threshold < 0:
        errors["low_stock_threshold"] = [_("A threshold cannot be below zero.")]
    same_batch = Material.objects.filter(depot=depot, item=material.item, unit=material.unit,
                                         expires_on=material.expires_on
                                         ).exclude(pk=material.pk)
    if same_batch.exists():
        errors["item"] = [_("%(depot)s already has a line of %(item)s in %(unit)s with this "
                            "expiry date: change its quantity instead.")
                          % {"depot": depot, "item": material.item, "unit": material.unit}]
    return errors


def resource_checked(record: Resource, *, by: Actor, grid_code: str | None = None,
                     place: bool = True, addresses: AddressBase | None = None) -> Resource:
    """``record`` normalised and checked against every rule, or a ValidationError naming each
    field that fails: phones, plates, organizations the actor sees, placement (``place``) in
    the actor's jurisdiction, one line per batch, occupancy within capacity."""
    require(by, Action.EDIT_RESOURCES)
    errors = _normalised(record) | _organizations_checked(record, by)
    if errors:
        raise ValidationError(errors)
    if isinstance(record, Material):
        errors = _material_checked(record, by)
    elif isinstance(record, Located):
        if place:
            record.grid_code = _placed_code(record, grid_code, by, addresses)
    elif place:
        record.grid_code = known_code(grid_code or record.grid_code)
    require_in_scope(by, record.grid_code)
    if isinstance(record, Shelter) and record.occupancy > record.capacity:
        errors["occupancy"] = [_("Occupancy cannot exceed the capacity (%(capacity)s).")
                               % {"capacity": record.capacity}]
    if errors:
        raise ValidationError(errors)
    record.full_clean()
    return record


@transaction.atomic
def resource_create(*, model: type[Resource], by: Actor, reason: str,
                    grid_code: str | None = None, **fields: Any) -> Resource:
    """A new record of ``model`` (a depot, material, shelter, utility, provider, person on
    call or vehicle), checked and saved with its history."""
    reason = stated_reason(reason)
    record = resource_checked(model(**fields), by=by, grid_code=grid_code)
    return save_with_history(record, by=by, reason=reason)


@transaction.atomic
def resource_update(*, record: Resource, by: Actor, reason: str,
                    grid_code: str | None = None, **changes: Any) -> Resource:
    """Change ``record``'s fields; a new location, address or code places it again (within
    the actor's jurisdiction, as the record was before)."""
    reason = stated_reason(reason)
    require(by, Action.EDIT_RESOURCES)
    require_in_scope(by, record.grid_code)  # as it is now
    for name, value in changes.items():
        setattr(record, name, value)
    place = grid_code is not None or bool(PLACEMENT_FIELDS & changes.keys())
    resource_checked(record, by=by, grid_code=grid_code, place=place)
    return save_with_history(record, by=by, reason=reason)


@transaction.atomic
def resource_delete(*, record: AnyResource, by: Actor, reason: str) -> None:
    """Delete a record nothing depends on (a depot without materials); a material's alerts
    are about it alone and go with it."""
    require(by, Action.EDIT_RESOURCES)
    require_in_scope(by, record.grid_code)
    delete_unless_used(record, by=by, reason=reason,
                       used_by=[] if isinstance(record, Material) else None)


def depot_create(*, name: str, address: str, owner: Organization, by: Actor, reason: str,
                 longitude: float | None = None, latitude: float | None = None,
                 grid_code: str | None = None, contact_name: str = "",
                 contact_phone: str = "") -> Depot:
    return resource_create(model=Depot, by=by, reason=reason, grid_code=grid_code, name=name,
                           address=address, owner=owner, longitude=longitude,
                           latitude=latitude, contact_name=contact_name,
                           contact_phone=contact_phone)


def material_create(*, depot: Depot, category: Any, item: str, quantity: decimal.Decimal,
                    unit: str, by: Actor, reason: str, expires_on: Any = None,
                    owner: Organization | None = None,
                    low_stock_threshold: decimal.Decimal = decimal.Decimal(0)) -> Material:
    return resource_create(model=Material, by=by, reason=reason, depot=depot,
                           category=category, item=item, quantity=quantity, unit=unit,
                           expires_on=expires_on, owner=owner,
                           low_stock_threshold=low_stock_threshold)


@transaction.atomic
def material_adjust(*, material: Material, change: decimal.Decimal, by: Actor,
                    reason: str) -> Material:
    """A delivery (``change`` above zero) or a dispatch (below): the line is locked while it
    is read and written, so two dispatches never both take the last box; never below zero."""
    reason = stated_reason(reason)
    require(by, Action.EDIT_RESOURCES)
    locked = Material.objects.select_for_update().select_related("depot").get(pk=material.pk)
    require_in_scope(by, locked.grid_code)
    quantity = locked.quantity + decimal.Decimal(change)
    if quantity < 0:
        raise ValidationError({"change": _(
            "Only %(quantity)s %(unit)s of %(item)s are in stock.") % {
            "quantity": f"{locked.quantity.normalize():f}", "unit": locked.unit,
            "item": locked.item}})
    locked.quantity = quantity
    save_with_history(locked, by=by, reason=reason)
    material.quantity = locked.quantity
    return locked


# ---- allocation of scarce supplies (供需调配) ---------------------------------------------

DISPATCHED_WORDING = gettext_noop("%(quantity)s %(unit)s of %(item)s left %(depot)s for your "
                                  "grid: confirm the delivery when it arrives.")
URGENCY_PRIORITY = {Urgency.CRITICAL: 1, Urgency.URGENT: 2, Urgency.ROUTINE: 3}
# Why a request is short after a shortfall was changed by hand (the solver's are in
# allocation.py: no_stock, kept_for_higher_priority).
CHANGED_BY_HAND = "changed_by_hand"


def request_priority(urgency: str, for_vulnerable: bool) -> int:
    """1 (served first) to 3: the urgency's, raised to 1 for vulnerable residents."""
    return 1 if for_vulnerable else URGENCY_PRIORITY[Urgency(urgency)]


@transaction.atomic
def supply_request_create(*, grid_code: str, category: MaterialCategory, item: str, unit: str,
                          quantity: int, urgency: str, why: str, by: Actor,
                          for_vulnerable: bool = False) -> SupplyRequest:
    """A grid's request for supplies, filed by someone who answers for the grid."""
    require(by, Action.REQUEST_SUPPLIES)
    grid_code = fold_width(str(grid_code))
    if len(grid_code) != 15 or not Grid.objects.filter(code=grid_code).exists():
        raise ValidationError({"grid_code": _("%(code)s is not a grid.") % {"code": grid_code}})
    require_in_scope(by, grid_code)
    if urgency not in Urgency.values:
        raise ValidationError({"urgency": _("Choose critical, urgent or routine.")})
    request = SupplyRequest(grid_code=grid_code, category=category, item=item.strip(),
                            unit=unit.strip(), quantity=quantity, urgency=urgency,
                            for_vulnerable=for_vulnerable, why=why.strip(),
                            priority=request_priority(urgency, for_vulnerable),
                            requested_by=user_of(by))
    request.full_clean()
    return save_with_history(request, by=by, reason=stated_reason(
        request.why, _("Say why the grid needs it.")))


@transaction.atomic
def supply_request_cancel(*, request: SupplyRequest, by: Actor, reason: str) -> SupplyRequest:
    """Cancel an open request (one in a confirmed plan is delivered or not, never dropped)."""
    reason = stated_reason(reason)
    require(by, Action.REQUEST_SUPPLIES)
    require_in_scope(by, request.grid_code)
    if request.status != RequestStatus.OPEN:
        raise ValidationError({"status": _("Only an open request can be cancelled; this one "
                                           "is %(status)s.")
                               % {"status": request.get_status_display()}})
    request.status = RequestStatus.CANCELLED
    return save_with_history(request, by=by, reason=reason)


def item_key(category_code: str, item: str, unit: str) -> str:
    """The allocator's item: an item name within its category, in one unit."""
    return f"{category_code}/{item}/{unit}"


def available_stock(depots: QuerySet[Depot]) -> dict[tuple[int, str], int]:
    """Whole units that may be allocated per (depot, item key): lines not past expiry."""
    today = timezone.localdate()
    stock: dict[tuple[int, str], decimal.Decimal] = defaultdict(decimal.Decimal)
    lines = (Material.objects.filter(depot__in=depots, quantity__gt=0)
             .exclude(expires_on__lt=today)
             .values_list("depot_id", "category__code", "item", "unit", "quantity"))
    for depot, category, item, unit, quantity in lines:
        stock[(depot, item_key(category, item, unit))] += quantity
    return {key: math.floor(quantity) for key, quantity in stock.items()}


def _centroid(grid: Grid) -> tuple[float, float]:
    point = boundary_shape(grid.boundary).centroid
    return point.y, point.x


def _problem(requests: list[SupplyRequest], depots: list[Depot],
             stock: dict[tuple[int, str], int]) -> allocation.Problem:
    grids = {grid.code: grid for grid in Grid.objects.filter(
        code__in={request.grid_code for request in requests})}
    demands: list[dict[str, Any]] = []
    for request in requests:
        lat, lon = _centroid(grids[request.grid_code])
        demands.append({"id": request.pk, "lat": lat, "lon": lon, "priority": request.priority,
                        "need": {_key(request): request.quantity}})
    wanted = {_key(request) for request in requests}
    return allocation.problem_from_json({"demands": demands, "depots": [
        {"id": depot.pk, "lat": depot.latitude, "lon": depot.longitude,
         # Capped at the solver's bound (10⁹ units a line), far above any reserve.
         "stock": {key: min(units, allocation.MAX_QUANTITY)
                   for (held_by, key), units in stock.items()
                   if held_by == depot.pk and key in wanted}}
        for depot in depots]})


@transaction.atomic
def allocation_run(*, code: str, by: Actor, reason: str) -> AllocationRun:
    """Allocate the stock of the depots of jurisdiction ``code`` to its open requests
    (allocation.py: the most urgent first, then the least unit·km), kept as a draft plan."""
    reason = stated_reason(reason)
    require(by, Action.EDIT_RESOURCES)
    code = known_code(code, "code")
    require_in_scope(by, code, "code")
    requests = list(SupplyRequest.objects.in_scope([scope_prefix(code)])
                    .filter(status=RequestStatus.OPEN).select_related("category"))
    if not requests:
        raise ValidationError({"code": _("There is no open request in %(code)s.")
                               % {"code": code}})
    depots = [depot for depot in Depot.objects.filter(prefix_range("grid_code",
                                                                   scope_prefix(code)))
              if depot.latitude is not None and depot.longitude is not None]
    stock = available_stock(Depot.objects.filter(pk__in=[depot.pk for depot in depots]))
    try:
        plan = allocation.allocate(_problem(requests, depots, stock))
    except allocation.ProblemError as error:  # beyond the solver's bounds (docs/allocation.md)
        raise ValidationError({"code": _("This jurisdiction is too large to allocate at once "
                                         "(%(why)s): choose a smaller one.")
                               % {"why": error}}) from error
    run = save_with_history(AllocationRun(
        grid_code=code, run_by=user_of(by), weighted_unmet=plan.weighted_unmet,
        transport_km=plan.transport_km,
        unmet=[{"request": line.demand, "item": line.item, "quantity": line.quantity,
                "why": line.why} for line in plan.unmet]), by=by, reason=reason)
    for line in plan.shipments:
        save_with_history(Shipment(run=run, depot_id=int(line.depot),
                                   request_id=int(line.demand), quantity=line.quantity,
                                   grid_code=code), by=by, reason=reason)
    return run


def _key(request: SupplyRequest) -> str:
    return item_key(request.category.code, request.item, request.unit)


def _plan_totals(run: AllocationRun) -> None:
    """The run's unmet lines and objective from its shipments as they now stand: a request
    short after a change by hand keeps the solver's why, or is ``changed_by_hand``."""
    solver_why = {line["request"]: line["why"] for line in run.unmet}
    received: dict[int, int] = defaultdict(int)
    transport = []
    shipments = list(run.shipments.select_related("depot", "request__category"))
    requests = {shipment.request_id: shipment.request for shipment in shipments}
    requests |= {request.pk: request for request in SupplyRequest.objects.filter(
        pk__in=solver_why).select_related("category")}
    grids = {grid.code: grid for grid in Grid.objects.filter(
        code__in={request.grid_code for request in requests.values()})}
    for shipment in shipments:
        received[shipment.request_id] += shipment.quantity
        lat, lon = _centroid(grids[shipment.request.grid_code])
        distance = allocation.great_circle_km(
            np.array([[shipment.depot.latitude, shipment.depot.longitude]]),
            np.array([[lat, lon]]))[0, 0]
        transport.append(shipment.quantity * float(distance))
    run.unmet = [{"request": pk, "item": _key(request),
                  "quantity": request.quantity - received[pk],
                  "why": solver_why.get(pk, CHANGED_BY_HAND)}
                 for pk, request in sorted(requests.items())
                 if request.quantity > received[pk]]
    run.weighted_unmet = sum(allocation.PRIORITY_WEIGHTS[requests[line["request"]].priority]
                             * line["quantity"] for line in run.unmet)
    run.transport_km = math.fsum(transport)


@transaction.atomic
def shipment_change(*, shipment: Shipment, by: Actor, reason: str, quantity: int | None = None,
                    depot: Depot | None = None) -> Shipment:
    """Change a draft plan's shipment by hand (its quantity, 0 to drop it, or its depot),
    re-checked: the depot is in the run's jurisdiction, holds the stock for everything the
    plan sends from it, and no request receives more than it asked for."""
    reason = stated_reason(reason)
    require(by, Action.EDIT_RESOURCES)
    run = AllocationRun.objects.select_for_update().get(pk=shipment.run_id)
    require_in_scope(by, run.grid_code)
    if run.status != RunStatus.DRAFT:
        raise ValidationError({"status": _("The plan is confirmed: change its dispatch orders' "
                                           "requests instead.")})
    if quantity is not None:
        if quantity < 0:
            raise ValidationError({"quantity": _("A quantity cannot be below zero.")})
        shipment.quantity = quantity
    if depot is not None:
        if not depot.grid_code.startswith(scope_prefix(run.grid_code)):
            raise ValidationError({"depot": _("%(depot)s is outside the allocation's "
                                              "jurisdiction.") % {"depot": depot}})
        if run.shipments.filter(depot=depot, request=shipment.request_id).exclude(
                pk=shipment.pk).exists():
            raise ValidationError({"depot": _("%(depot)s already ships to this request: "
                                              "change that line.") % {"depot": depot}})
        shipment.depot = depot
    request = shipment.request
    key = _key(request)
    others = run.shipments.exclude(pk=shipment.pk)
    to_request = sum(others.filter(request=request).values_list("quantity", flat=True))
    if to_request + shipment.quantity > request.quantity:
        raise ValidationError({"quantity": _(
            "The request asks for %(need)s %(unit)s; the plan would send %(sent)s.") % {
            "need": request.quantity, "unit": request.unit,
            "sent": to_request + shipment.quantity}})
    from_depot = sum(other.quantity for other in others.filter(depot=shipment.depot)
                     .select_related("request__category") if _key(other.request) == key)
    held = available_stock(Depot.objects.filter(pk=shipment.depot_id)).get(
        (shipment.depot_id, key), 0)
    if from_depot + shipment.quantity > held:
        raise ValidationError({"quantity": _(
            "%(depot)s holds %(held)s %(unit)s of %(item)s that may be sent (not past expiry); "
            "the plan would send %(sent)s.") % {
            "depot": shipment.depot, "held": held, "unit": request.unit, "item": request.item,
            "sent": from_depot + shipment.quantity}})
    if shipment.quantity == 0:
        delete_with_history(shipment, by=by, reason=reason)
    else:
        save_with_history(shipment, by=by, reason=reason)
    _plan_totals(run)
    save_with_history(run, by=by, reason=reason)
    return shipment


@transaction.atomic
def allocation_confirm(*, run: AllocationRun, by: Actor, reason: str) -> list[DispatchOrder]:
    """Turn a draft plan into dispatch orders, re-checked: its requests are still open and
    every depot still holds what the plan sends from it. Its requests become planned."""
    reason = stated_reason(reason)
    require(by, Action.EDIT_RESOURCES)
    run = AllocationRun.objects.select_for_update().get(pk=run.pk)
    require_in_scope(by, run.grid_code)
    if run.status != RunStatus.DRAFT:
        raise ValidationError({"status": _("This plan is already confirmed.")})
    shipments = list(run.shipments.select_related("depot", "request__category"))
    if not shipments:
        raise ValidationError({"status": _("The plan ships nothing.")})
    requests = {shipment.request_id: shipment.request for shipment in shipments}
    taken = [str(request) for request in requests.values()
             if request.status != RequestStatus.OPEN]
    if taken:
        raise ValidationError({"status": _("No longer open (planned elsewhere or cancelled): "
                                           "%(requests)s. Run the allocation again.")
                               % {"requests": ", ".join(taken)}})
    stock = available_stock(Depot.objects.filter(pk__in={s.depot_id for s in shipments}))
    sent: dict[tuple[int, str], int] = defaultdict(int)
    for shipment in shipments:
        sent[(shipment.depot_id, _key(shipment.request))] += shipment.quantity
    depots = {shipment.depot_id: shipment.depot for shipment in shipments}
    short = [f"{depots[depot_id]} {key}" for (depot_id, key), units in sent.items()
             if units > stock.get((depot_id, key), 0)]
    if short:
        raise ValidationError({"status": _("The stock changed since the plan was made: "
                                           "%(lines)s. Run the allocation again.")
                               % {"lines": ", ".join(short)}})
    orders = [save_with_history(DispatchOrder(
        run=run, depot=shipment.depot, request=shipment.request,
        grid_code=shipment.request.grid_code, item=shipment.request.item,
        quantity=shipment.quantity), by=by, reason=reason) for shipment in shipments]
    for request in requests.values():
        request.status = RequestStatus.PLANNED
        save_with_history(request, by=by, reason=reason)
    run.status = RunStatus.CONFIRMED
    save_with_history(run, by=by, reason=reason)
    return orders


def _request_follows(request: SupplyRequest, by: Actor, reason: str) -> None:
    """A request is dispatched once all its orders left, delivered once all arrived."""
    statuses = set(request.dispatch_orders.values_list("status", flat=True))
    status = (RequestStatus.DELIVERED if statuses == {DispatchStatus.DELIVERED}
              else RequestStatus.DISPATCHED if DispatchStatus.PLANNED not in statuses
              else request.status)
    if status != request.status:
        request.status = status
        save_with_history(request, by=by, reason=reason)


@transaction.atomic
def dispatch_send(*, order: DispatchOrder, by: Actor, reason: str) -> DispatchOrder:
    """The order leaves its depot: its quantity is taken from the depot's lines of the item
    (not past expiry, the earliest expiry first) through ``material_adjust``, each locked and
    never below zero; a depot without enough is a ValidationError, and nothing is taken."""
    reason = stated_reason(reason)
    require(by, Action.EDIT_RESOURCES)
    order = DispatchOrder.objects.select_for_update().select_related(
        "depot", "request__category").get(pk=order.pk)
    require_in_scope(by, order.depot.grid_code, "depot")
    if order.status != DispatchStatus.PLANNED:
        raise ValidationError({"status": _("This order has already been dispatched.")})
    request = order.request
    left = decimal.Decimal(order.quantity)
    lines = (Material.objects.filter(depot=order.depot, category=request.category,
                                     item=request.item, unit=request.unit, quantity__gt=0)
             .exclude(expires_on__lt=timezone.localdate())
             .order_by(models.F("expires_on").asc(nulls_last=True), "pk"))
    for line in lines:
        if left <= 0:
            break
        taken = min(line.quantity, left)
        material_adjust(material=line, change=-taken, by=by, reason=reason)
        left -= taken
    if left > 0:
        raise ValidationError({"quantity": _(
            "%(depot)s holds only %(held)s %(unit)s of %(item)s that may be sent; the order "
            "is for %(quantity)s.") % {
            "depot": order.depot, "held": f"{(order.quantity - left).normalize():f}",
            "unit": request.unit, "item": request.item, "quantity": order.quantity}})
    order.status = DispatchStatus.DISPATCHED
    order.dispatched_at = timezone.now()
    save_with_history(order, by=by, reason=reason)
    _request_follows(request, by, reason)
    # Those who answer for the receiving grid confirm the delivery: they are told.
    notify_about(staff_for(order.grid_code, Action.REQUEST_SUPPLIES), kind=STOCK,
                 wording=DISPATCHED_WORDING, values={
                     "quantity": order.quantity, "unit": request.unit, "item": request.item,
                     "depot": order.depot.name},
                 link=reverse("resources:supply_request", args=[request.pk]),
                 actor=user_of(by))
    return order


@transaction.atomic
def dispatch_deliver(*, order: DispatchOrder, by: Actor, reason: str) -> DispatchOrder:
    """The receiving grid confirms the order arrived."""
    reason = stated_reason(reason)
    require(by, Action.REQUEST_SUPPLIES)
    order = DispatchOrder.objects.select_for_update().select_related("request").get(pk=order.pk)
    require_in_scope(by, order.grid_code)
    if order.status != DispatchStatus.DISPATCHED:
        raise ValidationError({"status": _("Only a dispatched order can be confirmed as "
                                           "delivered; this one is %(status)s.")
                               % {"status": order.get_status_display()}})
    order.status = DispatchStatus.DELIVERED
    order.delivered_at = timezone.now()
    save_with_history(order, by=by, reason=reason)
    _request_follows(order.request, by, reason)
    return order
