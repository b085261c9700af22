"""The demo district's layout: streets, communities and grids as rectangles that tile the
district, and the buildings, dwellings, facilities and enterprises placed in them.

Each rectangle is cut from its parent along shared edge coordinates, so neighbours share
bit-identical edges: the grids tile the district with no overlap and no gap.
"""

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass, field

from wangge.divisions.models import Division
from wangge.divisions.services import division_create, grid_create
from wangge.foundation.actors import history_reason, system_actor
from wangge.places.models import Building, Dwelling, Enterprise, Facility, FacilityKind

from . import identity

PROVINCE = ("420000000000", "湖北省")
CITY = ("420100000000", "武汉市")
DISTRICT = ("420102000000", "江岸区")
AREA_CODE = DISTRICT[0][:6]
# Roughly where Jiang'an lies on the Yangtze's north bank (WGS 84 degrees).
DISTRICT_BOUNDS = (114.27, 30.59, 114.35, 30.69)
# The demo writes as the system, named in every history row it leaves (the bulk rows' reason
# is the name itself): that is how a rebuild tells its own records from anyone else's.
DEMO = system_actor("wangge demo")
WHY = "synthetic city"
REASON = history_reason(DEMO, WHY)  # "wangge demo: synthetic city", as bulk rows keep it

# A grid is a few hundred households; the layout grows with the population.
RESIDENTS_PER_GRID = 500
MIN_GRIDS, MIN_COMMUNITIES, MIN_STREETS = 54, 10, 3
COMMUNITIES_PER_STREET = 12
GRIDS_PER_COMMUNITY = 6
OCCUPANCY = 0.88  # the share of dwellings someone lives in
UNPLACED_BUILDINGS = 5

STREET_NAMES = [
    "大智", "一元", "车站", "四唯", "永清", "西马", "球场", "劳动", "二七", "新村", "丹水池",
    "台北", "花桥", "谌家矶", "后湖", "塔子湖", "堤角",
]
ROADS = [
    "解放大道", "沿江大道", "中山大道", "京汉大道", "黄浦大街", "胜利街", "黎黄陂路", "台北路",
    "澳门路", "香港路", "新华路", "建设大道", "惠济路", "后湖大道", "二七路", "球场路",
    "竹叶山路", "金桥大道", "兴业路", "百步亭路", "三阳路", "江汉路", "鄱阳街", "天津路",
]
NAME_STARTS = [
    "民意", "天声", "黄兴", "工农", "友谊", "幸福", "和平", "光明", "兴华", "长春", "同心",
    "永安", "育才", "紫阳", "新华", "建设", "胜利", "江滩", "汉兴", "百步", "丹桂", "金桥",
    "花园", "东方", "惠民", "安居", "翠湖", "福星", "锦绣", "朝阳",
]
NUMERALS = "〇一二三四五六七八九十"
NAME_ENDS = ["里", "苑", "街", "湾", "园", "村", "路", "坊", "城", "居"]
ESTATE_ENDS = ["花园", "家园", "公寓", "新村", "苑", "小区"]
REPEATED_ESTATE = "惠民家园"
# How a compound numbers its buildings: 1栋, 1号楼, or lettered blocks (A座).
LABEL_STYLES = ("栋", "栋", "号楼", "座")
# (floors, units, dwellings per floor per unit) ranges by building type.
BUILDING_TYPES = {
    "low_rise": ((2, 5), (1, 2), (2, 3)),
    "mid_rise": ((6, 7), (2, 4), (2, 2)),
    "high_rise": ((18, 33), (1, 2), (4, 4)),
}
INDUSTRIES = [
    ("餐饮", "餐饮管理"), ("零售", "商贸"), ("物流", "物流"), ("信息技术", "科技"),
    ("建筑", "建设工程"), ("医药", "医药"), ("教育培训", "教育咨询"), ("家政服务", "家政服务"),
]
SHOPS = ["面馆", "热干面馆", "便利店", "水果店", "理发店", "五金店", "药店", "早点铺"]
TRADE_NAMES = "鑫盛华达恒瑞通安嘉汇信丰源德泰隆博创联宏"


@dataclass(frozen=True)
class Rect:
    west: float
    south: float
    east: float
    north: float

    def polygon(self) -> dict:
        corners = [(self.west, self.south), (self.east, self.south), (self.east, self.north),
                   (self.west, self.north), (self.west, self.south)]
        return {"type": "Polygon", "coordinates": [[list(corner) for corner in corners]]}

    def point_inside(self, rng: random.Random) -> tuple[float, float]:
        """A point well inside (not on an edge), rounded as a GPS reading would be."""
        return (round(rng.uniform(self.west, self.east) * 0.9 + self.centre[0] * 0.1, 6),
                round(rng.uniform(self.south, self.north) * 0.9 + self.centre[1] * 0.1, 6))

    @property
    def centre(self) -> tuple[float, float]:
        return (self.west + self.east) / 2, (self.south + self.north) / 2


@dataclass
class GridPlan:
    code: str
    name: str
    rect: Rect
    residents: int
    community: "CommunityPlan"
    # The compound its buildings belong to, unique in the district; and a small compound
    # whose name repeats in another street (惠民家园), so that ambiguity is real.
    estate: str = ""
    repeated_estate: str = ""


@dataclass
class CommunityPlan:
    code: str
    name: str
    rect: Rect
    street_code: str
    grids: list[GridPlan] = field(default_factory=list)


@dataclass
class CityPlan:
    streets: list[tuple[str, str, Rect]]
    communities: list[CommunityPlan]

    @property
    def grids(self) -> Iterator[GridPlan]:
        for community in self.communities:
            yield from community.grids


def _edges(rng: random.Random, start: float, end: float, parts: int) -> list[float]:
    """``parts + 1`` increasing cut positions from ``start`` to ``end``, unevenly spaced."""
    weights = [rng.uniform(0.7, 1.3) for _ in range(parts)]
    total, running, edges = sum(weights), 0.0, [start]
    for weight in weights[:-1]:
        running += weight
        edges.append(round(start + (end - start) * running / total, 6))
    return [*edges, end]


def _names(rng: random.Random, count: int, suffix: str) -> list[str]:
    """``count`` distinct place names such as 幸福里社区 (then 幸福里二社区 and so on once
    the combinations run out)."""
    combinations = [start + end for start in NAME_STARTS for end in NAME_ENDS]
    rng.shuffle(combinations)
    return [combinations[index % len(combinations)]
            + ("" if index < len(combinations) else NUMERALS[index // len(combinations)])
            + suffix for index in range(count)]


def _estates(rng: random.Random, count: int) -> list[str]:
    """``count`` compound names, distinct in the district (幸福花园, then 幸福花园二期 once
    the combinations run out), none of them the repeated one."""
    combinations = [start + end for start in NAME_STARTS for end in ESTATE_ENDS
                    if start + end != REPEATED_ESTATE]
    rng.shuffle(combinations)
    return [combinations[index % len(combinations)]
            + (f"{index // len(combinations) + 1}期"
               if index >= len(combinations) else "") for index in range(count)]


def _shares(rng: random.Random, total: int, parts: int) -> list[int]:
    """``total`` split into ``parts`` uneven integers that add up exactly."""
    weights = [rng.uniform(0.6, 1.4) for _ in range(parts)]
    scale = total / sum(weights)
    shares = [int(weight * scale) for weight in weights]
    for index in range(total - sum(shares)):
        shares[index % parts] += 1
    return shares


def plan_city(rng: random.Random, residents: int) -> CityPlan:
    """Streets as columns of the district, communities as rows of a street, grids as a
    small lattice in each community."""
    grids_wanted = max(MIN_GRIDS, math.ceil(residents / RESIDENTS_PER_GRID))
    communities_wanted = max(MIN_COMMUNITIES, math.ceil(grids_wanted / GRIDS_PER_COMMUNITY))
    street_count = max(MIN_STREETS, math.ceil(communities_wanted / COMMUNITIES_PER_STREET))
    per_street = math.ceil(communities_wanted / street_count)
    per_community = math.ceil(grids_wanted / (street_count * per_street))
    columns = math.ceil(math.sqrt(per_community))
    rows = math.ceil(per_community / columns)

    west, south, east, north = DISTRICT_BOUNDS
    street_names = STREET_NAMES + _names(rng, max(0, street_count - len(STREET_NAMES)), "")
    community_names = _names(rng, street_count * per_street, "社区")
    streets, communities = [], []
    street_edges = _edges(rng, west, east, street_count)
    for s in range(street_count):
        street_code = f"{AREA_CODE}{s + 1:03d}000"
        street_rect = Rect(street_edges[s], south, street_edges[s + 1], north)
        streets.append((street_code, street_names[s] + "街道", street_rect))
        community_edges = _edges(rng, south, north, per_street)
        for c in range(per_street):
            rect = Rect(street_rect.west, community_edges[c], street_rect.east,
                        community_edges[c + 1])
            communities.append(CommunityPlan(
                code=f"{street_code[:9]}{c + 1:03d}", name=community_names[s * per_street + c],
                rect=rect, street_code=street_code,
            ))
    quotas = iter(_shares(rng, residents, len(communities) * columns * rows))
    for community in communities:
        xs = _edges(rng, community.rect.west, community.rect.east, columns)
        ys = _edges(rng, community.rect.south, community.rect.north, rows)
        short = community.name.removesuffix("社区")
        for index, (row, column) in enumerate(
            (row, column) for row in range(rows) for column in range(columns)
        ):
            community.grids.append(GridPlan(
                code=f"{community.code}{index + 1:03d}", name=f"{short}第{index + 1}网格",
                rect=Rect(xs[column], ys[row], xs[column + 1], ys[row + 1]),
                residents=next(quotas), community=community,
            ))
    estates = iter(_estates(rng, sum(len(c.grids) for c in communities)))
    for community in communities:
        for grid in community.grids:
            grid.estate = next(estates)
    # 惠民家园 in the first grid of the first two streets.
    for street_code, _name, _rect in streets[:2]:
        first = next(c for c in communities if c.street_code == street_code).grids[0]
        first.repeated_estate = REPEATED_ESTATE
    return CityPlan(streets=streets, communities=communities)


def create_divisions(plan: CityPlan) -> None:
    """Divisions and grids through their services, so the layout passes the same hierarchy
    and overlap checks as a hand-drawn one (a few thousand rows at most)."""
    for code, name in (PROVINCE, CITY):
        if not Division.objects.filter(code=code).exists():
            division_create(code=code, name=name, by=DEMO, reason=WHY)
    division_create(code=DISTRICT[0], name=DISTRICT[1], by=DEMO, reason=WHY)
    for code, name, _rect in plan.streets:
        division_create(code=code, name=name, by=DEMO, reason=WHY)
    for community in plan.communities:
        division_create(code=community.code, name=community.name, by=DEMO, reason=WHY)
    for grid in plan.grids:
        grid_create(code=grid.code, name=grid.name, boundary=grid.rect.polygon(), by=DEMO,
                    reason=WHY)


def _label(style: str, number: int) -> str:
    if style == "座" and number <= 26:
        return f"{chr(ord('A') + number - 1)}座"
    return f"{number}{'号楼' if style == '号楼' else '栋'}"


def grid_buildings(
    rng: random.Random, grid: GridPlan, households: int
) -> list[tuple[Building, list[Dwelling]]]:
    """Buildings (unsaved) with every dwelling in them, enough for ``households`` at the
    usual occupancy; small grids get low-rise buildings rather than a mostly empty tower.
    They make up the grid's compound, on one road number; a grid with a repeated compound
    has two more low-rise blocks of it, on a road number of their own."""
    needed = math.ceil(households / OCCUPANCY)
    estate = rng.choice(NAME_STARTS) + rng.choice(ESTATE_ENDS)  # drawn to keep the sequence
    estate = grid.estate or estate
    road, number = rng.choice(ROADS), rng.randrange(1, 400)
    style = random.Random(f"{grid.code}/labels").choice(LABEL_STYLES)
    built: list[tuple[Building, list[Dwelling]]] = []
    while needed > 0 or not built:
        kind = "low_rise" if needed < 24 else rng.choice(list(BUILDING_TYPES))
        name = f"{estate}{_label(style, len(built) + 1)}"
        built.append(_building(rng, grid, kind, name, f"{road}{number}号"))
        needed -= len(built[-1][1])
    if grid.repeated_estate:  # two low-rise blocks of their own, on another road number
        side_road = f"{ROADS[int(grid.code[6:9]) % len(ROADS)]}{400 + int(grid.code[6:9])}号"
        built += [_building(rng, grid, "low_rise", f"{grid.repeated_estate}{index}栋", side_road)
                  for index in (1, 2)]
    return built


def _building(rng: random.Random, grid: GridPlan, kind: str, name: str,
              road: str) -> tuple[Building, list[Dwelling]]:
    """A building of ``kind`` (unsaved) with every dwelling in it."""
    (floor_range, unit_range, room_range) = BUILDING_TYPES[kind]
    floors, units = rng.randint(*floor_range), rng.randint(*unit_range)
    rooms = rng.randint(*room_range)
    longitude, latitude = grid.rect.point_inside(rng)
    building = Building(
        name=name, address=f"武汉市江岸区{road}{name}", grid_code=grid.code,
        longitude=longitude, latitude=latitude, units=units, floors=floors,
    )
    dwellings = [
        Dwelling(grid_code=grid.code, unit=unit, floor=floor, room=f"{floor}{room:02d}")
        for unit in range(1, units + 1) for floor in range(1, floors + 1)
        for room in range(1, rooms + 1)
    ]
    return building, dwellings


def unplaced_buildings(rng: random.Random, plan: CityPlan) -> list[Building]:
    """Buildings just east of the district, outside every grid, filed under the community
    nearest to them (so they are listed as unplaced until a boundary is drawn)."""
    east = DISTRICT_BOUNDS[2]
    edge_communities = [c for c in plan.communities if c.rect.east == east]
    buildings = []
    for number in range(1, UNPLACED_BUILDINGS + 1):
        community = edge_communities[number % len(edge_communities)]
        latitude = round(rng.uniform(community.rect.south, community.rect.north), 6)
        longitude = round(east + rng.uniform(0.002, 0.01), 6)
        buildings.append(Building(
            name=f"新建安置房{number}栋", address=f"武汉市江岸区规划路{number}号",
            grid_code=community.code, longitude=longitude, latitude=latitude,
            units=2, floors=rng.randint(11, 18),
        ))
    return buildings


def facilities(rng: random.Random, plan: CityPlan) -> list[Facility]:
    """Every kind of facility: daily services in each community, schools, police, elderly
    care and shelters in each street, hospitals for the district."""
    per_community = [FacilityKind.COMMUNITY_CENTRE, FacilityKind.CLINIC, FacilityKind.PHARMACY,
                     FacilityKind.MARKET]
    per_street = [FacilityKind.SCHOOL, FacilityKind.KINDERGARTEN, FacilityKind.POLICE_STATION,
                  FacilityKind.ELDERLY_CARE, FacilityKind.SHELTER]
    labels = {
        FacilityKind.COMMUNITY_CENTRE: "党群服务中心", FacilityKind.CLINIC: "社区卫生服务站",
        FacilityKind.PHARMACY: "大药房", FacilityKind.MARKET: "农贸市场",
        FacilityKind.SCHOOL: "小学", FacilityKind.KINDERGARTEN: "幼儿园",
        FacilityKind.POLICE_STATION: "派出所", FacilityKind.ELDERLY_CARE: "养老服务中心",
        FacilityKind.SHELTER: "应急避难场所", FacilityKind.HOSPITAL: "医院",
        FacilityKind.OTHER: "公共厕所",
    }
    capacity = {FacilityKind.SCHOOL: (600, 2000), FacilityKind.KINDERGARTEN: (120, 400),
                FacilityKind.ELDERLY_CARE: (30, 150), FacilityKind.SHELTER: (500, 5000),
                FacilityKind.HOSPITAL: (300, 1500)}
    street_names = {code: name.removesuffix("街道") for code, name, _ in plan.streets}
    placed: list[tuple[str, FacilityKind, list[GridPlan]]] = []
    for community in plan.communities:
        short = community.name.removesuffix("社区")
        placed += [(short, kind, community.grids) for kind in per_community]
    for code, name in street_names.items():
        grids = [g for c in plan.communities if c.street_code == code for g in c.grids]
        placed += [(name, kind, grids) for kind in per_street]
    every_grid = list(plan.grids)
    placed += [("江岸区第一", FacilityKind.HOSPITAL, every_grid),
               ("江岸区中医", FacilityKind.HOSPITAL, every_grid),
               ("江岸区", FacilityKind.OTHER, every_grid)]
    result = []
    for prefix, kind, grids in placed:
        grid = rng.choice(grids)
        longitude, latitude = grid.rect.point_inside(rng)
        low_high = capacity.get(kind)
        result.append(Facility(
            name=prefix + labels[kind], kind=kind, grid_code=grid.code,
            address=f"武汉市江岸区{rng.choice(ROADS)}{rng.randrange(1, 400)}号",
            longitude=longitude, latitude=latitude,
            capacity=rng.randint(*low_high) if low_high else None,
        ))
    return result


def grid_enterprises(
    rng: random.Random, grid: GridPlan, serials: Iterator[int]
) -> list[Enterprise]:
    """About one enterprise or shop per hundred residents, with valid credit codes."""
    result = []
    for _ in range(rng.randint(1, max(1, grid.residents // 60))):
        serial = next(serials)
        longitude, latitude = grid.rect.point_inside(rng)
        if rng.random() < 0.6:
            industry, shop = "个体经营", rng.choice(SHOPS)
            name, code = f"江岸区{identity.surname(rng)}记{shop}", identity.credit_code(
                serial, AREA_CODE, "92")
        else:
            industry, business = rng.choice(INDUSTRIES)
            trade = "".join(rng.sample(TRADE_NAMES, 2))
            name = f"武汉{trade}{business}有限公司"
            code = identity.credit_code(serial, AREA_CODE)
        result.append(Enterprise(
            name=name, credit_code=code, industry=industry, grid_code=grid.code,
            address=f"武汉市江岸区{rng.choice(ROADS)}{rng.randrange(1, 400)}号",
            longitude=longitude, latitude=latitude, contact_phone=identity.mobile(rng),
        ))
    return result
