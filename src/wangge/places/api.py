"""API for places: buildings (also as GeoJSON points), dwellings, facilities, enterprises."""

import datetime
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, JsonResponse
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from wangge.foundation.api_support import (
    GEOJSON_ANSWER,
    IN_USE_ANSWERS,
    CodeFilter,
    DeleteReason,
    Pages,
    Reason,
    RecordId,
    Selector,
    acting,
    caller,
    changes,
    feature_collection,
    referenced,
    visible,
    visible_one,
)
from wangge.foundation.permissions import Action, SensitiveField, shown

from .models import Building, Dwelling, Enterprise, Facility, FacilityKind
from .selectors import (
    buildings_visible_to,
    dwellings_visible_to,
    enterprises_visible_to,
    facilities_visible_to,
)
from .services import (
    building_create,
    building_update,
    dwelling_create,
    dwelling_update,
    enterprise_create,
    enterprise_update,
    facility_create,
    facility_update,
    place_delete,
)

router = Router(tags=["places"])
VIEW = Action.VIEW_PLACES


class LocatedOut(Schema):
    id: int
    name: str
    address: str
    grid_code: str
    is_placed: bool
    longitude: float | None
    latitude: float | None


class LocatedIn(Reason):
    name: str
    address: str
    longitude: float | None = None
    latitude: float | None = None
    division_code: str | None = Field(
        None, description="Community or street to file the place under when no grid "
                          "contains its location (it is then kept as unplaced)")


class BuildingOut(LocatedOut):
    units: int
    floors: int
    has_lift: bool | None


class BuildingIn(LocatedIn):
    units: int = Field(1, ge=1)
    floors: int = Field(1, ge=1)
    has_lift: bool | None = None


class LocatedPatch(Reason):
    """Fields left out stay as they are; null clears a field that may be empty (a location
    cleared keeps the place, unplaced, under its community)."""

    name: str | None = None
    address: str | None = None
    longitude: float | None = None
    latitude: float | None = None
    division_code: str | None = None


class BuildingPatch(LocatedPatch):
    units: int | None = Field(None, ge=1)
    floors: int | None = Field(None, ge=1)
    has_lift: bool | None = None


class DwellingOut(Schema):
    id: int
    building_id: int
    grid_code: str
    unit: int
    floor: int
    room: str
    floor_area: Decimal | None
    owner_id: int | None = Field(description="The owner, a person of the registry")
    rented: bool
    lease_start: datetime.date | None
    lease_end: datetime.date | None


class DwellingIn(Reason):
    building_id: RecordId
    unit: int
    floor: int
    room: str


class DwellingPatch(Reason):
    unit: int | None = None
    floor: int | None = None
    room: str | None = None
    floor_area: Decimal | None = Field(None, gt=0, le=10000, max_digits=7, decimal_places=2)
    owner_id: RecordId | None = Field(None, description="A person of your jurisdiction")
    rented: bool | None = None
    lease_start: datetime.date | None = None
    lease_end: datetime.date | None = None


class DwellingFilter(CodeFilter):
    building_id: RecordId | None = None

    def narrow(self, queryset: QuerySet) -> QuerySet:
        queryset = super().narrow(queryset)
        return queryset if self.building_id is None else queryset.filter(
            building_id=self.building_id)


class FacilityOut(LocatedOut):
    kind: FacilityKind
    capacity: int | None


class FacilityIn(LocatedIn):
    kind: FacilityKind
    capacity: int | None = Field(None, ge=0)


class FacilityPatch(LocatedPatch):
    kind: FacilityKind | None = None
    capacity: int | None = Field(None, ge=0)


class EnterpriseOut(LocatedOut):
    credit_code: str
    industry: str
    contact_phone: str = Field(description="Masked (138****5678) for roles that see phones "
                                           "masked")

    @staticmethod
    def resolve_contact_phone(enterprise: Enterprise, context: dict[str, Any]) -> str:
        return str(shown(caller(context["request"]), SensitiveField.PHONE,
                         enterprise.contact_phone))


class EnterpriseIn(LocatedIn):
    credit_code: str
    industry: str = ""
    contact_phone: str = ""


class EnterprisePatch(LocatedPatch):
    credit_code: str | None = None
    industry: str | None = None
    contact_phone: str | None = None


def _delete(request: HttpRequest, selector: Selector, pk: int, payload: DeleteReason) -> None:
    place_delete(place=visible_one(request, selector, VIEW, pk=pk), by=caller(request),
                 reason=payload.reason)


@router.get("/buildings", response=list[BuildingOut])
@paginate(Pages)
def building_list(request: HttpRequest, filters: Query[CodeFilter]) -> QuerySet:
    return filters.narrow(visible(request, buildings_visible_to, VIEW))


@router.get("/buildings.geojson", openapi_extra=GEOJSON_ANSWER)
def building_geojson(request: HttpRequest, filters: Query[CodeFilter]) -> JsonResponse:
    """Every visible building with a location, as points (not paged: a map draws them all)."""
    buildings = filters.narrow(visible(request, buildings_visible_to, VIEW)).filter(
        longitude__isnull=False, latitude__isnull=False)
    return feature_collection([
        {"type": "Feature",
         "geometry": {"type": "Point", "coordinates": [building.longitude, building.latitude]},
         "properties": {"id": building.pk, "name": building.name, "address": building.address,
                        "grid_code": building.grid_code}}
        for building in buildings
    ])


@router.get("/buildings/{id}", response=BuildingOut)
def building_get(request: HttpRequest, id: RecordId) -> Building:
    return visible_one(request, buildings_visible_to, VIEW, pk=id)


@router.post("/buildings", response={201: BuildingOut})
def building_post(request: HttpRequest, payload: BuildingIn) -> Building:
    return building_create(**payload.model_dump(), by=caller(request))


@router.patch("/buildings/{id}", response=BuildingOut)
def building_patch(request: HttpRequest, id: RecordId, payload: BuildingPatch) -> Building:
    building = visible_one(request, buildings_visible_to, VIEW, pk=id)
    return building_update(building=building, by=caller(request), reason=payload.reason,
                           **changes(payload, Building))


@router.delete("/buildings/{id}", response={204: None},
                openapi_extra=IN_USE_ANSWERS)
def building_delete(request: HttpRequest, id: RecordId, payload: DeleteReason) -> None:
    _delete(request, buildings_visible_to, id, payload)


@router.get("/dwellings", response=list[DwellingOut])
@paginate(Pages)
def dwelling_list(request: HttpRequest, filters: Query[DwellingFilter]) -> QuerySet:
    return filters.narrow(visible(request, dwellings_visible_to, VIEW))


@router.get("/dwellings/{id}", response=DwellingOut)
def dwelling_get(request: HttpRequest, id: RecordId) -> Dwelling:
    return visible_one(request, dwellings_visible_to, VIEW, pk=id)


@router.post("/dwellings", response={201: DwellingOut})
def dwelling_post(request: HttpRequest, payload: DwellingIn) -> Dwelling:
    by = acting(request, Action.EDIT_PLACES)
    building = referenced(request, buildings_visible_to, VIEW, field="building_id",
                          pk=payload.building_id)
    return dwelling_create(building=building, unit=payload.unit, floor=payload.floor,
                           room=payload.room, by=by, reason=payload.reason)


@router.patch("/dwellings/{id}", response=DwellingOut)
def dwelling_patch(request: HttpRequest, id: RecordId, payload: DwellingPatch) -> Dwelling:
    dwelling = visible_one(request, dwellings_visible_to, VIEW, pk=id)
    return dwelling_update(dwelling=dwelling, by=caller(request), reason=payload.reason,
                           **changes(payload, Dwelling))


@router.delete("/dwellings/{id}", response={204: None},
                openapi_extra=IN_USE_ANSWERS)
def dwelling_delete(request: HttpRequest, id: RecordId, payload: DeleteReason) -> None:
    _delete(request, dwellings_visible_to, id, payload)


@router.get("/facilities", response=list[FacilityOut])
@paginate(Pages)
def facility_list(request: HttpRequest, filters: Query[CodeFilter]) -> QuerySet:
    return filters.narrow(visible(request, facilities_visible_to, VIEW))


@router.get("/facilities/{id}", response=FacilityOut)
def facility_get(request: HttpRequest, id: RecordId) -> Facility:
    return visible_one(request, facilities_visible_to, VIEW, pk=id)


@router.post("/facilities", response={201: FacilityOut})
def facility_post(request: HttpRequest, payload: FacilityIn) -> Facility:
    return facility_create(**payload.model_dump(), by=caller(request))


@router.patch("/facilities/{id}", response=FacilityOut)
def facility_patch(request: HttpRequest, id: RecordId, payload: FacilityPatch) -> Facility:
    facility = visible_one(request, facilities_visible_to, VIEW, pk=id)
    return facility_update(facility=facility, by=caller(request), reason=payload.reason,
                           **changes(payload, Facility))


@router.delete("/facilities/{id}", response={204: None},
                openapi_extra=IN_USE_ANSWERS)
def facility_delete(request: HttpRequest, id: RecordId, payload: DeleteReason) -> None:
    _delete(request, facilities_visible_to, id, payload)


@router.get("/enterprises", response=list[EnterpriseOut])
@paginate(Pages)
def enterprise_list(request: HttpRequest, filters: Query[CodeFilter]) -> QuerySet:
    return filters.narrow(visible(request, enterprises_visible_to, VIEW))


@router.get("/enterprises/{id}", response=EnterpriseOut)
def enterprise_get(request: HttpRequest, id: RecordId) -> Enterprise:
    return visible_one(request, enterprises_visible_to, VIEW, pk=id)


@router.post("/enterprises", response={201: EnterpriseOut})
def enterprise_post(request: HttpRequest, payload: EnterpriseIn) -> Enterprise:
    return enterprise_create(**payload.model_dump(), by=caller(request))


@router.patch("/enterprises/{id}", response=EnterpriseOut)
def enterprise_patch(request: HttpRequest, id: RecordId, payload: EnterprisePatch) -> Enterprise:
    enterprise = visible_one(request, enterprises_visible_to, VIEW, pk=id)
    return enterprise_update(enterprise=enterprise, by=caller(request), reason=payload.reason,
                             **changes(payload, Enterprise))


@router.delete("/enterprises/{id}", response={204: None},
                openapi_extra=IN_USE_ANSWERS)
def enterprise_delete(request: HttpRequest, id: RecordId, payload: DeleteReason) -> None:
    _delete(request, enterprises_visible_to, id, payload)
