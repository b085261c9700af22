"""The demo district's emergency resource database: depots (one or two per street, one per
community) stocked with the shared categories, a shelter and a utility per community, and per
street providers of food and lodging, people and vehicles on call. Written through the
resources app's services, as the system named "wangge demo".

Some stock lines are at or below their threshold, some expire within 30 days and one has
expired, so the low-stock and expiry alerts (`wangge stock-alerts`) and the resources page
have something to say.
"""

import datetime
import decimal
import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils import timezone

from wangge.foundation.codes import prefix_range
from wangge.organizations.models import Organization, OrganizationKind
from wangge.resources.models import (
    CallablePerson,
    Depot,
    Material,
    MaterialCategory,
    Provider,
    ProviderKind,
    Shelter,
    StockAlert,
    Utility,
    UtilityKind,
    Vehicle,
)
from wangge.resources.services import depot_create, material_create, resource_create

from . import city, identity

# What the demo writes, and the order its reset deletes it in (materials before depots).
MODELS = (Material, Depot, Shelter, Utility, Provider, CallablePerson, Vehicle)


@dataclass(frozen=True)
class Stock:
    category: str  # a MaterialCategory code (migration resources 0002)
    item: str
    unit: str
    low: int  # quantities are drawn between low and high
    high: int
    threshold: int
    shelf_days: int | None  # None: it does not expire


STOCKS = [
    Stock("food", "方便面", "箱", 20, 80, 10, 270),
    Stock("food", "压缩饼干", "箱", 10, 40, 8, 540),
    Stock("water", "瓶装饮用水", "箱", 30, 120, 20, 360),
    Stock("medical", "家庭急救包", "个", 10, 40, 5, 720),
    Stock("protection", "医用外科口罩", "只", 2000, 10000, 1000, 720),
    Stock("protection", "医用防护服", "套", 50, 300, 30, 720),
    Stock("shelter", "救灾帐篷", "顶", 5, 30, 5, None),
    Stock("shelter", "棉被", "床", 50, 200, 20, None),
    Stock("rescue", "救生衣", "件", 20, 80, 10, None),
    Stock("rescue", "防汛沙袋", "条", 500, 3000, 300, None),
    Stock("power", "应急照明灯", "个", 10, 50, 5, None),
    Stock("power", "移动发电机", "台", 1, 3, 0, None),
    Stock("sanitation", "含氯消毒液", "升", 50, 300, 40, 365),
]
LINES_PER_DEPOT = (6, 9)
SHELTER_KINDS = ["小学体育馆", "中学操场", "社区广场", "文体中心", "公园"]
UTILITY_NAMES = {UtilityKind.WATER: "应急供水点", UtilityKind.POWER: "应急供电点",
                 UtilityKind.LIGHTING: "应急照明点", UtilityKind.TOILETS: "应急厕所"}
ON_CALL = [("医生", "急救、伤员转运"), ("电工", "电力抢修、发电机操作"),
           ("驾驶员", "冲锋舟操作、物资运输")]
VEHICLES = [("救护车", "4座"), ("厢式货车", "2吨"), ("皮卡", "5座")]


def delete_resources() -> None:
    """Delete the demo district's resources and their history (before the organizations
    that own them)."""
    area = prefix_range("grid_code", city.AREA_CODE)
    StockAlert.objects.filter(area).delete()
    for model in MODELS:
        model.objects.filter(area).delete()
        # After the records: deleting them writes a history row each, which goes too.
        model.history.model.objects.filter(area).delete()


def histories() -> dict[type, Q]:
    """Where the history rows of the demo's resources are, for the reset's ownership check."""
    return dict.fromkeys(MODELS, prefix_range("grid_code", city.AREA_CODE))


class _Stocker:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.today = timezone.localdate()
        self.categories = {category.code: category for category in MaterialCategory.objects.all()}
        self.depots = 0
        self.lines = 0
        self.expired = False  # one line of the district is past its date

    def address(self) -> str:
        return f"{self.rng.choice(city.ROADS)}{self.rng.randint(1, 300)}号"

    def contact(self) -> dict[str, str]:
        sex = self.rng.choice("MF")
        return {"contact_name": identity.surname(self.rng) + identity.given_name(self.rng, sex),
                "contact_phone": identity.mobile(self.rng)}

    def depot(self, name: str, grid: city.GridPlan, owner: Organization) -> None:
        longitude, latitude = grid.rect.point_inside(self.rng)
        depot = depot_create(name=name, address=self.address(), owner=owner,
                             longitude=longitude, latitude=latitude, by=city.DEMO,
                             reason=city.WHY, **self.contact())
        for stock in self.rng.sample(STOCKS, self.rng.randint(*LINES_PER_DEPOT)):
            self.line(depot, stock)
        self.depots += 1

    def line(self, depot: Depot, stock: Stock) -> None:
        # Every seventh line is low, every fifth perishable one expires within 30 days.
        self.lines += 1
        quantity = self.rng.randint(stock.low, stock.high)
        if self.lines % 7 == 0:
            quantity = self.rng.randint(0, stock.threshold)
        expires_on = None
        if stock.shelf_days is not None:
            days = self.rng.randint(stock.shelf_days // 4, stock.shelf_days)
            if not self.expired:
                days, self.expired = -self.rng.randint(3, 20), True
            elif self.lines % 5 == 0:
                days = self.rng.randint(3, 29)
            expires_on = self.today + datetime.timedelta(days=days)
        material_create(depot=depot, category=self.categories[stock.category], item=stock.item,
                        quantity=decimal.Decimal(quantity), unit=stock.unit,
                        expires_on=expires_on, by=city.DEMO, reason=city.WHY,
                        low_stock_threshold=decimal.Decimal(stock.threshold))

    def located(self, model: type, grid: city.GridPlan, **fields: Any) -> None:
        longitude, latitude = grid.rect.point_inside(self.rng)
        resource_create(model=model, by=city.DEMO, reason=city.WHY, address=self.address(),
                        longitude=longitude, latitude=latitude, **self.contact(), **fields)


def _plates(rng: random.Random) -> Iterator[str]:
    """Unique Hubei plates (鄂A, Wuhan) for the district's vehicles."""
    for serial in itertools.count(rng.randrange(1000)):
        yield f"鄂A{'DF'[serial % 2]}{serial:04d}"


def create_resources(rng: random.Random, plan: city.CityPlan) -> int:
    """Stock the district; returns how many depots."""
    area = prefix_range("grid_code", city.AREA_CODE)
    organizations = Organization.objects.filter(area)
    parties = {o.grid_code: o for o in organizations.filter(kind=OrganizationKind.PARTY)}
    centres = {o.grid_code: o for o in organizations.filter(kind=OrganizationKind.SOCIAL)}
    stocker = _Stocker(rng)
    plates = _plates(rng)
    for index, community in enumerate(plan.communities):
        short = community.name.removesuffix("社区")
        party = parties[community.code]
        # In its second grid and the shelter in its first: the demo grid worker's grids.
        stocker.depot(f"{short}社区应急物资储备点", community.grids[1 % len(community.grids)],
                      party)
        capacity = rng.randrange(200, 1250, 50)
        stocker.located(
            Shelter, community.grids[0], owner=party, capacity=capacity,
            name=f"{short}{rng.choice(SHELTER_KINDS)}应急避难场所",
            occupancy=rng.choice([0, 0, rng.randint(5, capacity // 10)]),
            drinking_water=rng.random() < 0.8, power=rng.random() < 0.7,
            lighting=rng.random() < 0.8, toilets=rng.random() < 0.9,
            step_free=rng.random() < 0.5)
        kind = UtilityKind.values[index % len(UtilityKind.values)]
        stocker.located(Utility, rng.choice(community.grids), owner=party, kind=kind,
                        name=f"{short}{UTILITY_NAMES[UtilityKind(kind)]}")
    for street_code, street_name, _rect in plan.streets:
        short = street_name.removesuffix("街道")
        centre = centres[street_code]
        grids = [grid for c in plan.communities if c.street_code == street_code
                 for grid in c.grids]
        for number in range(1, rng.randint(1, 2) + 1):
            stocker.depot(f"{short}街道应急物资储备库{'一二'[number - 1]}号库",
                          rng.choice(grids), centre)
        stocker.located(Provider, rng.choice(grids), kind=ProviderKind.FOOD,
                        name=f"{short}爱心食堂", capacity=rng.randrange(300, 1050, 50))
        stocker.located(Provider, rng.choice(grids), kind=ProviderKind.LODGING,
                        name=f"{short}应急住宿点", capacity=rng.randrange(50, 210, 10))
        for title, skills in ON_CALL:
            contact = stocker.contact()
            resource_create(model=CallablePerson, by=city.DEMO, reason=city.WHY,
                            grid_code=street_code, name=contact["contact_name"],
                            contact_phone=contact["contact_phone"], skills=f"{title}：{skills}",
                            organization=centre)
        for kind, capacity_text in rng.sample(VEHICLES, 2):
            resource_create(model=Vehicle, by=city.DEMO, reason=city.WHY, grid_code=street_code,
                            kind=kind, plate=next(plates), capacity=capacity_text, owner=centre,
                            **stocker.contact())
    return stocker.depots
