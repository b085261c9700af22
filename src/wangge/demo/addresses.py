"""Addresses as departments write them: one flat written in the dozen usual ways (prefixes or
none, 栋/幢/号楼/座, 1-1-101, 1单元1楼1号, Chinese numerals, full-width digits, Traditional
characters, spaces and punctuation), for the demo's department list and `wangge bench
addresses`."""

import random
from dataclasses import dataclass
from pathlib import Path

import opencc
import xlsxwriter

from wangge.normalisers.addresses import building_key

_TO_TRADITIONAL = opencc.OpenCC("s2t")
_CHINESE_DIGITS = "零一二三四五六七八九"
_FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


@dataclass(frozen=True)
class Flat:
    """A dwelling and what is known of where it lies."""

    dwelling_id: int
    building_name: str
    building_address: str
    unit: int
    floor: int
    room: str
    street: str
    community: str


def _counted(number: int) -> str:
    """12 → 十二, 3 → 三 (a building or unit number as people say it)."""
    if number < 10:
        return _CHINESE_DIGITS[number]
    tens, ones = divmod(number, 10)
    return ("" if tens == 1 else _CHINESE_DIGITS[tens]) + "十" + (
        _CHINESE_DIGITS[ones] if ones else "")


def written_forms(flat: Flat) -> list[str]:
    """The usual ways of writing ``flat``; each names it alone when its compound is unique."""
    compound, label = building_key(flat.building_name)
    lettered = not label.isdigit()
    road = flat.building_address.removeprefix("武汉市江岸区").removesuffix(flat.building_name)
    unit, room, floor = flat.unit, flat.room, flat.floor
    index = int(room) % 100
    forms = [
        f"武汉市江岸区{road}{flat.building_name}{unit}单元{room}室",
        f"{flat.street}{flat.community}{flat.building_name}{unit}单元{room}",
        f"{flat.building_name}{unit}-{room}",
        f"{compound}{label}-{unit}-{room}",
        f"{compound} {label}栋，{unit}单元 {room}室",
        f"{road}{label}{'座' if lettered else '栋'}{unit}单元{room}",
        f"{flat.building_name}{unit}单元{floor}楼{index}号".translate(_FULL_WIDTH),
        _TO_TRADITIONAL.convert(f"湖北省武汉市江岸区{flat.street}{flat.building_name}"
                                f"{unit}单元{room}室"),
    ]
    if not lettered:
        forms += [
            f"{compound}{label}号楼{unit}单元{floor}楼{index}号",
            f"{compound}{_counted(int(label))}幢{_counted(unit)}单元"
            + "".join(_CHINESE_DIGITS[int(digit)] for digit in room),
        ]
    return forms


def written(flat: Flat, rng: random.Random) -> str:
    return rng.choice(written_forms(flat))


def flats(limit: int | None = None) -> list[Flat]:
    """The dwellings of the database with their building, street and community names."""
    from wangge.divisions.models import Division
    from wangge.places.models import Dwelling

    names = dict(Division.objects.values_list("code", "name"))
    rows = Dwelling.objects.order_by("pk").values_list(
        "pk", "building__name", "building__address", "unit", "floor", "room", "grid_code")
    return [Flat(dwelling_id=pk, building_name=name, building_address=address, unit=unit,
                 floor=floor, room=room, street=names.get(grid[:9] + "000", ""),
                 community=names.get(grid[:12], ""))
            for pk, name, address, unit, floor, room, grid in rows[:limit]]


def department_list(path: Path, rows: list[tuple[str, str, str, str]]) -> Path:
    """An xlsx as a department sends it: a title row, then 序号, 姓名, 身份证号, 现住址, 联系电话
    (no grid code)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook = xlsxwriter.Workbook(path, {"strings_to_numbers": False})
    sheet = workbook.add_worksheet("花名册")
    sheet.merge_range(0, 0, 0, 4, "江岸区独居老人花名册（民政局）")
    sheet.write_row(1, 0, ["序号", "姓名", "身份证号", "现住址", "联系电话"])
    for number, (name, id_number, address, phone) in enumerate(rows, start=1):
        sheet.write_row(number + 1, 0, [number, name, id_number, address, phone])
    workbook.close()
    return path


LIST_NAME = "民政局-独居老人花名册.xlsx"
LIST_ROWS = 300


def demo_department_list(directory: Path, rng: random.Random) -> Path:
    """The civil affairs bureau's list of elderly residents living alone, each address written
    one of the usual ways (some in 惠民家园 with no street: those wait for a choice)."""
    from wangge.people.models import Person

    by_dwelling: dict[int | None, Flat] = {flat.dwelling_id: flat for flat in flats()}
    # Persons with an ID number (its blind index is empty without one).
    elderly = (Person.objects.filter(dwelling__isnull=False, birth_date__year__lte=1955)
               .exclude(id_number_index="").order_by("pk"))
    repeated = (Person.objects.filter(dwelling__building__name__startswith="惠民家园")
                .exclude(id_number_index="").order_by("pk"))
    rows = []
    for person in [*elderly[:LIST_ROWS - 2], *repeated[:2]]:
        flat = by_dwelling[person.dwelling_id]
        address = written(flat, rng) if not flat.building_name.startswith("惠民家园") else (
            f"{flat.building_name}{flat.unit}单元{flat.room}")
        rows.append((person.name, person.id_number, address, person.phone))
    return department_list(directory / LIST_NAME, rows)
