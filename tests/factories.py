"""Builders for a small, fully known world: one district, two streets, three grids.

Grid A and grid B are in community 1 (street 1); grid C is in community 2 (street 2). Each grid
is a 0.01° square side by side along longitude, starting at 114.30, 30.60.
"""

import datetime
import itertools
from importlib import import_module

from django.apps import apps as django_apps
from stdnum.cn import ric

from wangge.access.services import user_create
from wangge.divisions.services import division_create, grid_create
from wangge.foundation.actors import system_actor
from wangge.people.services import person_create
from wangge.places.services import building_create, dwelling_create

DISTRICT = "420102000000"
STREET_1 = "420102001000"
STREET_2 = "420102002000"
COMMUNITY_1 = "420102001001"
COMMUNITY_2 = "420102002001"
GRID_A = "420102001001001"
GRID_B = "420102001001002"
GRID_C = "420102002001001"
GRID_ORIGIN = {GRID_A: (114.30, 30.60), GRID_B: (114.31, 30.60), GRID_C: (114.32, 30.60)}


def shipped_rows(*migrations: str) -> None:
    """Install again the rows these data migrations (``app.migrations.name``) write: a
    transactional test starts from a flushed database, without them."""
    for migration in migrations:
        import_module(f"wangge.{migration}").install(django_apps, None)


def square(lon: float, lat: float, size: float = 0.01) -> dict:
    return {"type": "Polygon", "coordinates": [[
        [lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat],
    ]]}


def centre_of(grid_code: str) -> tuple[float, float]:
    lon, lat = GRID_ORIGIN[grid_code]
    return lon + 0.005, lat + 0.005


def make_divisions() -> None:
    for code, name in [("420000000000", "湖北省"), ("420100000000", "武汉市"),
                       (DISTRICT, "江岸区"), (STREET_1, "大智街道"), (STREET_2, "一元街道"),
                       (COMMUNITY_1, "民意社区"), (COMMUNITY_2, "天声街社区")]:
        division_create(code=code, name=name, by=SYSTEM)
    for code, name in [(GRID_A, "民意一网格"), (GRID_B, "民意二网格"), (GRID_C, "天声一网格")]:
        grid_create(code=code, name=name, boundary=square(*GRID_ORIGIN[code]), by=SYSTEM)


# The actor of the records tests set up (services refuse a missing one).
SYSTEM = system_actor("tests")

_sequence = itertools.count(1)


def resident_id(birth: datetime.date = datetime.date(1980, 5, 17), male: bool = True) -> str:
    """A valid 18-digit resident ID from Wuhan's Jiang'an district, unique per call."""
    serial = next(_sequence) % 500
    body = f"420102{birth:%Y%m%d}{serial:02d}{(2 * serial + (1 if male else 0)) % 10}"[:17]
    body = body[:16] + str((int(body[16]) // 2) * 2 + (1 if male else 0))
    return body + ric.calc_check_digit(body + "0")


def make_building(grid_code: str, name: str = "1栋", units: int = 2, floors: int = 6):
    lon, lat = centre_of(grid_code)
    return building_create(name=name, address=f"测试路{name}", longitude=lon, latitude=lat,
                           units=units, floors=floors, by=SYSTEM)


def make_dwelling(grid_code: str, room: str = "101"):
    return dwelling_create(building=make_building(grid_code, name=f"{room}栋"), unit=1,
                           floor=int(room[0]), room=room, by=SYSTEM)


def make_person(grid_code: str, name: str = "张伟", **fields):
    fields.setdefault("id_number", resident_id())
    fields.setdefault("phone", f"138{next(_sequence):08d}")
    dwelling = fields.pop("dwelling", None) or make_dwelling(grid_code)
    return person_create(name=name, dwelling=dwelling, by=SYSTEM, **fields)


def make_user(role: str, *codes: str, username: str | None = None):
    user, _password = user_create(username=username or f"{role}-{next(_sequence)}", role=role,
                                  jurisdictions=codes, by=SYSTEM)
    return user
