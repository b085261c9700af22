"""Department lists of the same synthetic residents, with the truth known: who is behind each
row. Used by the tests and `wangge bench link` to measure pairwise precision and recall.

The noise is the registers' own: IDs missing, mistyped (a changed or swapped digit), written
as old 15-digit numbers, with a lower-case x, spaces or full-width digits, or mangled by Excel
into 4.20102E+17; names in Traditional characters, with spaces, or as a homophone (张伟/张玮);
phones changed, missing or written +86 138-1234-5678; addresses in each department's habit
(3栋2单元501, 3号楼2单元501室, 3-2-501, 三栋二单元501, 5楼1室, with or without the district)
or an old one after a move; a person listed twice in one list. And the hard negatives: family
members sharing an address and a phone, twins sharing a birth date, the most common names,
and namesakes born on the same day.
"""

import csv
import datetime
import functools
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import opencc
from faker.providers.person.zh_CN import Provider as ChinesePeople
from pypinyin import lazy_pinyin

from wangge.synthetic import ResidentIdIssuer, county_elsewhere, given_name, mobile, surname

_SIMPLIFIED_TO_TRADITIONAL = opencc.OpenCC("s2t")
COMMON_NAMES = ("张伟", "王伟", "王芳", "李伟", "李娜", "张敏", "李静", "王静", "刘伟", "王秀英",
                "张丽", "李秀英", "王丽", "张静", "张秀英", "李强", "王敏", "李敏", "王磊",
                "刘洋", "王艳", "王勇", "李军", "张勇", "李杰", "张杰", "张磊", "王强", "李娟",
                "王军")
DISTRICTS = ("江岸区", "江汉区", "硚口区", "汉阳区", "武昌区", "青山区", "洪山区")
STREETS = ("大智街道", "花桥街道", "后湖街道", "二七街道", "丹水池街道", "永清街道", "车站街道")
_COMPOUND_WORDS = ("幸福", "阳光", "锦绣", "翠苑", "金色", "和平", "建设", "光明", "东方", "绿地",
                   "百步", "长江", "汉口", "新华", "春华", "惠民", "丽水", "枫林", "紫荆", "南湖")
_COMPOUND_KINDS = ("小区", "花园", "家园", "苑", "新村", "公寓", "社区", "城")
_CHINESE_DIGITS = "零一二三四五六七八九"


@dataclass(frozen=True)
class Noise:
    """Per-row chances of each kind of noise."""

    missing_id: float = 0.08
    mistyped_id: float = 0.03
    legacy_id: float = 0.04  # of those born before 1990
    id_format: float = 0.04  # lower-case x, spaces, full-width digits
    excel_id: float = 0.01
    traditional_name: float = 0.05
    homophone_name: float = 0.03
    spaced_name: float = 0.03
    changed_phone: float = 0.10
    missing_phone: float = 0.10
    phone_format: float = 0.15
    old_address: float = 0.3  # of residents who moved, rows still giving the old home
    missing_address: float = 0.05
    bare_flat: float = 0.03  # 3-2-501 with no compound
    other_address_style: float = 0.3
    birth_typo: float = 0.01
    duplicate_row: float = 0.02


@dataclass(frozen=True)
class Department:
    name: str
    coverage: float  # share of residents on this list
    headers: tuple[str, ...]
    address_style: int
    encoding: str
    title: str = ""


DEPARTMENTS = (
    Department("health", 0.8,
               ("序号", "姓名", "性别", "出生日期", "身份证号", "联系电话", "现住址"), 0,
               "utf-8-sig", title="社区居民健康档案"),
    Department("civil_affairs", 0.35, ("姓名", "公民身份号码", "性别", "家庭住址", "手机号码"),
               3, "gb18030"),
    Department("police", 0.9, ("姓名", "证件号码", "出生日期", "联系方式", "居住地址"), 4, "utf-8"),
    Department("housing", 0.5, ("姓名", "身份证", "联系电话", "地址"), 2, "utf-8"),
)


@dataclass
class Home:
    district: str
    street: str
    compound: str
    building: int
    unit: int
    floor: int
    room: int  # 1..4 on the floor
    phone: str

    def written(self, style: int, rng: random.Random) -> str:
        room = self.floor * 100 + self.room
        b, u = self.building, self.unit
        if style == 0:
            return f"{self.district}{self.street}{self.compound}{b}栋{u}单元{room}"
        if style == 1:
            return f"{self.compound}{b}号楼{u}单元{room}室"
        if style == 2:
            return f"{self.compound}{b}-{u}-{room}"
        if style == 3:
            return f"{self.compound}{_chinese(b)}栋{_chinese(u)}单元{room}"
        if style == 4:
            return (f"湖北省武汉市{self.district}{self.compound}{b}幢{u}单元"
                    f"{self.floor}楼{self.room}室")
        return f"{b}-{u}-{room}"


def _chinese(number: int) -> str:
    if number < 10:
        return _CHINESE_DIGITS[number]
    tens, ones = divmod(number, 10)
    return ("" if tens == 1 else _CHINESE_DIGITS[tens]) + "十" + (
        _CHINESE_DIGITS[ones] if ones else "")


@dataclass
class Resident:
    key: int
    name: str
    sex: str
    birth: datetime.date
    id_number: str
    phone: str
    home: Home
    old_home: Home | None = None


@functools.cache
def _homophones() -> dict[str, list[str]]:
    """Given-name characters grouped by toneless pinyin: the typos of a pinyin keyboard."""
    characters = {character
                  for name in (*ChinesePeople.first_names_male, *ChinesePeople.first_names_female)
                  for character in name}
    by_sound: dict[str, list[str]] = {}
    for character in sorted(characters):
        by_sound.setdefault(lazy_pinyin(character)[0], []).append(character)
    return {character: [other for other in by_sound[lazy_pinyin(character)[0]]
                        if other != character]
            for character in characters}


def population(count: int, *, seed: int = 7) -> list[Resident]:
    """``count`` residents in households: families share a home (and often its phone),
    some children are twins, some names are the commonest, some namesakes share a birthday."""
    rng, issuer = random.Random(seed), ResidentIdIssuer()
    compounds = [f"{rng.choice(_COMPOUND_WORDS)}{rng.choice(_COMPOUND_WORDS)}"
                 f"{rng.choice(_COMPOUND_KINDS)}" for _ in range(max(10, count // 800))]
    compounds = list(dict.fromkeys(compounds))
    residents: list[Resident] = []

    def new_home() -> Home:
        return Home(rng.choice(DISTRICTS), rng.choice(STREETS), rng.choice(compounds),
                    rng.randint(1, 30), rng.randint(1, 6), rng.randint(1, 18), rng.randint(1, 4),
                    mobile(rng))

    def add(name: str, sex: str, born: datetime.date, home: Home, own_phone: bool) -> None:
        area = county_elsewhere(rng, born.year, "42") if rng.random() < 0.3 else "420102"
        residents.append(Resident(
            key=len(residents), name=name, sex=sex, birth=born,
            id_number=issuer.issue(area, born, sex),
            phone=mobile(rng) if own_phone else home.phone, home=home,
            old_home=new_home() if rng.random() < 0.1 else None))

    def person_name(family: str, sex: str) -> str:
        if rng.random() < 0.08:
            return rng.choice(COMMON_NAMES)
        return family + given_name(rng, sex)

    while len(residents) < count:
        home = new_home()
        family = surname(rng)
        head_born = datetime.date(1935, 1, 1) + datetime.timedelta(days=rng.randrange(20000))
        head_sex = rng.choice("MF")
        add(person_name(family, head_sex), head_sex, head_born, home, True)
        if rng.random() < 0.7:  # a spouse, often on the family phone
            sex = "F" if head_sex == "M" else "M"
            born = head_born + datetime.timedelta(days=rng.randint(-2000, 2000))
            add(person_name(surname(rng), sex), sex, born, home, rng.random() < 0.5)
        for _ in range(rng.choice((0, 1, 1, 2, 3))):
            sex = rng.choice("MF")
            born = head_born + datetime.timedelta(days=rng.randint(7000, 14000))
            if born.year > 2023:
                continue
            add(person_name(family, sex), sex, born, home, rng.random() < 0.3)
            if rng.random() < 0.03:  # a twin: same birth date, a name one character apart
                first = residents[-1].name
                twin = first[:-1] + given_name(rng, sex)[-1]
                if twin != first:
                    add(twin, sex, born, home, rng.random() < 0.3)
        if rng.random() < 0.01 and residents:  # a namesake born the same day, elsewhere
            other = rng.choice(residents)
            add(other.name, other.sex, other.birth, new_home(), True)
    return residents[:count]


def _mistype(number: str, rng: random.Random) -> str:
    digits = list(number)
    position = rng.randrange(17)
    if rng.random() < 0.5:
        digits[position], digits[position + 1] = digits[position + 1], digits[position]
    else:
        digits[position] = rng.choice([d for d in "0123456789" if d != digits[position]])
    return "".join(digits)


def _written_id(resident: Resident, noise: Noise, rng: random.Random) -> str:
    number = resident.id_number
    if rng.random() < noise.missing_id:
        return ""
    if rng.random() < noise.excel_id:
        return f"{int(number[:17]) * 10:.5E}"
    if rng.random() < noise.mistyped_id:
        return _mistype(number, rng)
    if resident.birth.year < 1990 and rng.random() < noise.legacy_id:
        return number[:6] + number[8:17]
    if rng.random() < noise.id_format:
        choice = rng.randrange(3)
        if choice == 0:
            return number.lower()
        if choice == 1:
            return f"{number[:6]} {number[6:14]} {number[14:]}"
        return number.translate({ord(d): 0xFF10 + int(d) for d in "0123456789"})
    return number


def _written_name(resident: Resident, noise: Noise, rng: random.Random) -> str:
    name = resident.name
    if rng.random() < noise.homophone_name:
        position = rng.randrange(1, len(name)) if len(name) > 1 else 0
        sounds = _homophones().get(name[position])
        if sounds:
            name = name[:position] + rng.choice(sounds) + name[position + 1:]
    if rng.random() < noise.traditional_name:
        name = _SIMPLIFIED_TO_TRADITIONAL.convert(name)
    if rng.random() < noise.spaced_name:
        name = " ".join(name) if len(name) == 2 else name[0] + " " + name[1:]
    return name


def _written_phone(resident: Resident, noise: Noise, rng: random.Random) -> str:
    if rng.random() < noise.missing_phone:
        return ""
    phone = mobile(rng) if rng.random() < noise.changed_phone else resident.phone
    if rng.random() < noise.phone_format:
        return rng.choice((f"+86 {phone[:3]} {phone[3:7]} {phone[7:]}",
                           f"{phone[:3]}-{phone[3:7]}-{phone[7:]}", f"86{phone}",
                           phone.translate({ord(d): 0xFF10 + int(d) for d in "0123456789"})))
    return phone


def _written_address(resident: Resident, department: Department, noise: Noise,
                     rng: random.Random) -> str:
    if rng.random() < noise.missing_address:
        return ""
    home = resident.old_home if resident.old_home and rng.random() < noise.old_address else (
        resident.home)
    style = department.address_style
    if rng.random() < noise.other_address_style:
        style = rng.randrange(5)
    if rng.random() < noise.bare_flat:
        style = 5
    return home.written(style, rng)


def department_rows(residents: list[Resident], department: Department, *, noise: Noise,
                    rng: random.Random) -> Iterator[tuple[list[str], int]]:
    """The rows of one department's list (cells in its header order) and whose each is."""
    for resident in residents:
        if rng.random() >= department.coverage:
            continue
        for _ in range(2 if rng.random() < noise.duplicate_row else 1):
            born = resident.birth
            if rng.random() < noise.birth_typo:
                born = born.replace(day=min(28, born.month))
            cells = {
                "序号": "", "姓名": _written_name(resident, noise, rng),
                "性别": "男" if resident.sex == "M" else "女",
                "出生日期": born.isoformat(), "联系电话": _written_phone(resident, noise, rng),
            }
            cells["手机号码"] = cells["联系方式"] = cells["联系电话"]
            written_id = _written_id(resident, noise, rng)
            for header in ("身份证号", "公民身份号码", "证件号码", "身份证"):
                cells[header] = written_id
            address = _written_address(resident, department, noise, rng)
            for header in ("现住址", "家庭住址", "居住地址", "地址"):
                cells[header] = address
            yield [cells[header] for header in department.headers], resident.key


def write_lists(directory: str | Path, residents: list[Resident], *, noise: Noise | None = None,
                seed: int = 11, xlsx: tuple[str, ...] = ()) -> tuple[list[Path], dict]:
    """Write each department's list (CSV in its encoding, or xlsx for the departments named in
    ``xlsx``) and return the paths and the truth: (file name, data row) → resident key."""
    noise = noise or Noise()
    rng = random.Random(seed)
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    paths, truth = [], {}
    for department in DEPARTMENTS:
        rows = list(department_rows(residents, department, noise=noise, rng=rng))
        rng.shuffle(rows)
        if department.name in xlsx:
            path = directory / f"{department.name}.xlsx"
            _write_xlsx(path, department, rows)
        else:
            path = directory / f"{department.name}.csv"
            with path.open("w", encoding=department.encoding, newline="") as file:
                writer = csv.writer(file)
                if department.title:
                    writer.writerow([department.title])
                writer.writerow(department.headers)
                for number, (cells, _key) in enumerate(rows, start=1):
                    writer.writerow([str(number) if header == "序号" else cell
                                     for header, cell in zip(department.headers, cells,
                                                             strict=True)])
        truth.update({(path.name, number): key
                      for number, (_cells, key) in enumerate(rows, start=1)})
        paths.append(path)
    return paths, truth


def _write_xlsx(path: Path, department: Department, rows: list[tuple[list[str], int]]) -> None:
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = workbook.add_worksheet()
    start = 0
    if department.title:
        sheet.write_row(0, 0, [department.title])
        start = 1
    sheet.write_row(start, 0, department.headers)
    for number, (cells, _key) in enumerate(rows, start=start + 1):
        sheet.write_row(number, 0, [cell if header != "序号" else number - start
                                    for header, cell in zip(department.headers, cells,
                                                            strict=True)])
    workbook.close()
