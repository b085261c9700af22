"""Importing buildings, dwellings and facilities, and finding the dwelling a person's row
names (building, unit and room, or an address such as 3栋2单元501)."""

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from wangge.divisions.models import Grid
from wangge.foundation.codes import Level, is_within, level_of, scope_prefix
from wangge.foundation.permissions import require_in_scope
from wangge.normalisers.addresses import building_label
from wangge.places.models import Building, Dwelling, Facility, FacilityKind
from wangge.places.services import check_dwelling, placement_code
from wangge.spreadsheets import (
    BUILDING_HEADERS,
    DWELLING_HEADERS,
    FACILITY_HEADERS,
)

from .cells import bounded, decimal_degrees, tidy, whole_number
from .records import RecordKind

FACILITY_WORDS = {
    "诊所": FacilityKind.CLINIC, "卫生站": FacilityKind.CLINIC, "卫生服务站": FacilityKind.CLINIC,
    "社区卫生服务中心": FacilityKind.CLINIC, "医院": FacilityKind.HOSPITAL,
    "药店": FacilityKind.PHARMACY, "药房": FacilityKind.PHARMACY, "学校": FacilityKind.SCHOOL,
    "小学": FacilityKind.SCHOOL, "中学": FacilityKind.SCHOOL, "幼儿园": FacilityKind.KINDERGARTEN,
    "市场": FacilityKind.MARKET, "菜市场": FacilityKind.MARKET, "农贸市场": FacilityKind.MARKET,
    "避难场所": FacilityKind.SHELTER, "应急避难场所": FacilityKind.SHELTER,
    "养老院": FacilityKind.ELDERLY_CARE, "养老机构": FacilityKind.ELDERLY_CARE,
    "日间照料中心": FacilityKind.ELDERLY_CARE, "派出所": FacilityKind.POLICE_STATION,
    "警务室": FacilityKind.POLICE_STATION, "社区服务中心": FacilityKind.COMMUNITY_CENTRE,
    "党群服务中心": FacilityKind.COMMUNITY_CENTRE, "其他": FacilityKind.OTHER,
}


def floor_of_room(room: str) -> int:
    """The floor a room number names (501 → 5, 1203 → 12)."""
    if room.isdigit() and len(room) >= 3:
        return int(room[:-2])
    raise ValidationError({"floor": _("Give the floor: it cannot be read from room %(room)s.")
                           % {"room": room}})


class PlaceFinder:
    """Buildings and dwellings named in a file, looked up once each, within the importer's
    jurisdiction."""

    def __init__(self, prefixes: list[str]):
        self.prefixes = prefixes
        self._buildings: dict[tuple[str, str], Building] = {}
        self._labels: dict[str, dict[str, list[Building]]] = {}
        self._dwellings: dict[int, dict[tuple[int, str], Dwelling]] = {}

    def building(self, text: str, grid_code: str | None) -> Building:
        """The building with this address, or named this way in the grid (or, without a grid,
        the only one so named in the jurisdiction): 3栋, 3号楼 and 三栋 name the same one."""
        text = tidy(text)
        cache_key = (text, grid_code or "")
        if cache_key not in self._buildings:
            self._buildings[cache_key] = self._find_building(text, grid_code)
        return self._buildings[cache_key]

    def _find_building(self, text: str, grid_code: str | None) -> Building:
        in_scope = Building.objects.in_scope(self.prefixes)
        found = list(in_scope.filter(address=text)[:2])
        if not found:
            by_name = in_scope.filter(name=text)
            found = list((by_name.filter(grid_code=grid_code) if grid_code else by_name)[:2])
        if not found:  # 3号楼 for the building registered as 3栋
            found = self._by_label(grid_code).get(building_label(text), [])
        if len(found) == 1:
            return found[0]
        if found:
            raise ValidationError({"building": _(
                "More than one building in your jurisdiction is called %(name)s; give the grid "
                "code or the building's address.") % {"name": text}})
        if grid_code:
            message = _("No building %(name)s in grid %(code)s; check the name, or import the "
                        "buildings first.")
        else:
            message = _("No building %(name)s in your jurisdiction; check the name, or import "
                        "the buildings first.")
        raise ValidationError({"building": message % {"name": text, "code": grid_code}})

    def _by_label(self, grid_code: str | None) -> dict[str, list[Building]]:
        """The buildings of the grid (or, without a grid code, of the whole jurisdiction: one
        query, once per import) by their label."""
        if (grid_code or "") not in self._labels:
            buildings = Building.objects.in_scope(self.prefixes)
            labels: dict[str, list[Building]] = {}
            for building in buildings.filter(grid_code=grid_code) if grid_code else buildings:
                labels.setdefault(building_label(building.name), []).append(building)
            self._labels[grid_code or ""] = labels
        return self._labels[grid_code or ""]

    def dwelling(self, building: Building, unit: int, room: str) -> Dwelling:
        if building.pk not in self._dwellings:
            self._dwellings[building.pk] = {(dwelling.unit, dwelling.room): dwelling
                                            for dwelling in building.dwellings.all()}
        try:
            return self._dwellings[building.pk][unit, room]
        except KeyError:
            raise ValidationError({"room": _(
                "Building %(building)s has no dwelling in unit %(unit)d, room %(room)s; check "
                "the unit and room, or import the dwellings first.") % {
                    "building": building.name, "unit": unit, "room": room}}) from None


class LocatedKind(RecordKind):
    """Buildings and facilities: placed in a grid by their point (point-in-polygon through
    the places services), or filed under the grid or division code given."""

    def __init__(self, user: Any):
        super().__init__(user)
        self._grids: dict[str, bool] = {}

    def cell(self, name: str, value: Any, text: str) -> Any:
        if name in ("longitude", "latitude"):
            return decimal_degrees(value)
        if name in ("units", "floors"):
            return whole_number(value, least=1)
        if name == "capacity":
            return whole_number(value, least=0)
        if name == "grid_code":
            return tidy(text).replace(" ", "")
        return bounded(tidy(text), self.model, name)

    def complete(self, fields: dict[str, Any]) -> dict[str, Any]:
        fields["grid_code"] = self._placement(fields)
        require_in_scope(self.user, fields["grid_code"])
        return {}

    def _placement(self, fields: dict[str, Any]) -> str:
        code = fields.get("grid_code")
        longitude, latitude = fields.get("longitude"), fields.get("latitude")
        if (longitude is None) != (latitude is None):
            raise ValidationError({"longitude" if longitude is None else "latitude": _(
                "Give both longitude and latitude, or neither.")})
        if code is not None:
            level_of(code)  # refuses what is not a 12- or 15-digit code
        if longitude is not None:
            placed = placement_code(longitude=longitude, latitude=latitude,
                                    division_code=code[:12] if code else None)
            if code and not placed.startswith(scope_prefix(code)):
                raise ValidationError({"grid_code": _(
                    "The longitude and latitude lie in %(placed)s, not in %(code)s.")
                    % {"placed": placed, "code": code}})
            return placed
        if code is None:
            raise ValidationError({"grid_code": _(
                "Give the grid code, or the longitude and latitude.")})
        if level_of(code) != Level.GRID:
            return placement_code(longitude=None, latitude=None, division_code=code)
        if code not in self._grids:
            self._grids[code] = Grid.objects.filter(code=code).exists()
        if not self._grids[code]:
            raise ValidationError({"grid_code": _("No grid has the code %(code)s.")
                                   % {"code": code}})
        return code


class BuildingKind(LocatedKind):
    """A building is known by its address."""

    name = "buildings"
    model = Building
    headers = BUILDING_HEADERS
    required_columns = ("name", "address")
    key_column = "address"
    example = {"name": "示例小区1栋", "address": "示例路1号", "grid_code": "420102001001001",
               "longitude": "114.305", "latitude": "30.593", "units": "2", "floors": "6"}

    def key(self, fields: dict[str, Any]) -> tuple:
        return (fields["address"],)

    def find(self, key: tuple) -> Building | None:
        return Building.objects.filter(address=key[0]).order_by("pk").first()

    def check(self, record: Any, *, created: bool, before: dict[str, Any]) -> None:
        if not created and "grid_code" in before and record.dwellings.exists():
            raise ValidationError({"grid_code": _(
                "This building has dwellings whose residents are registered in %(code)s; it "
                "cannot change grid by import.") % {"code": before["grid_code"]}})
        if not created and {"units", "floors"} & before.keys():
            for dwelling in record.dwellings.all():
                dwelling.building = record
                check_dwelling(dwelling)


class FacilityImportKind(LocatedKind):
    """A facility is known by its name and address."""

    name = "facilities"
    model = Facility
    headers = FACILITY_HEADERS
    required_columns = ("name", "kind", "address")
    key_column = "name"
    choices = {"kind": (FacilityKind, FACILITY_WORDS)}
    example = {"name": "示例社区卫生服务站", "kind": FacilityKind.CLINIC, "address": "示例路2号",
               "grid_code": "420102001001001", "longitude": "114.306", "latitude": "30.594",
               "capacity": "20"}

    def key(self, fields: dict[str, Any]) -> tuple:
        return (fields["name"], fields["address"])

    def find(self, key: tuple) -> Facility | None:
        return Facility.objects.filter(name=key[0], address=key[1]).order_by("pk").first()


class DwellingKind(RecordKind):
    """A dwelling is known by its building, unit and room."""

    name = "dwellings"
    model = Dwelling
    headers = DWELLING_HEADERS
    required_columns = ("building", "unit", "room")
    key_column = "room"
    example = {"building": "示例小区1栋", "grid_code": "420102001001001", "unit": "1",
               "floor": "1", "room": "101"}

    def __init__(self, user: Any):
        super().__init__(user)
        self.places = PlaceFinder(self.prefixes)

    def cell(self, name: str, value: Any, text: str) -> Any:
        if name == "unit":
            return whole_number(value, least=1)
        if name == "floor":
            return whole_number(value)
        if name == "room":
            return bounded(tidy(text).replace(" ", ""), Dwelling, "room")
        return tidy(text)

    def complete(self, fields: dict[str, Any]) -> dict[str, Any]:
        building = self.places.building(fields.pop("building"), fields.pop("grid_code", None))
        fields.setdefault("floor", floor_of_room(fields["room"]))
        fields["building_id"], fields["grid_code"] = building.pk, building.grid_code
        return {"building": building}

    def key(self, fields: dict[str, Any]) -> tuple:
        return (fields["building_id"], fields["unit"], fields["room"])

    def find(self, key: tuple) -> Dwelling | None:
        building_id, unit, room = key
        return Dwelling.objects.filter(building_id=building_id, unit=unit, room=room).first()

    def check(self, record: Any, *, created: bool, before: dict[str, Any]) -> None:
        check_dwelling(record)


def grid_of(dwelling: Dwelling, grid_code: str | None, prefixes: list[str]) -> str:
    """The person's grid: the dwelling's, which a grid code in the row must agree with."""
    if grid_code and grid_code != dwelling.grid_code:
        raise ValidationError({"grid_code": _(
            "The dwelling is in grid %(dwelling)s, not %(code)s.")
            % {"dwelling": dwelling.grid_code, "code": grid_code}})
    if not is_within(dwelling.grid_code, prefixes):
        raise ValidationError({"building": _("%(code)s is outside your jurisdiction.")
                               % {"code": dwelling.grid_code}})
    return dwelling.grid_code
