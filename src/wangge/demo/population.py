"""Synthetic residents in households: realistic compositions, ages, names, documents,
occupations, health and vulnerable-group tags, consistent with their resident IDs.
"""

import datetime
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from wangge.bulk import Keys
from wangge.people.models import (
    HealthStatus,
    Household,
    Person,
    Relationship,
    ResidenceType,
    VulnerableTag,
)
from wangge.places.models import Dwelling

from . import identity

# Ages are as of this day, so a seed gives the same people whenever it is run.
REFERENCE_DATE = datetime.date(2025, 6, 30)
HOME_AREA = "420102"
OTHER_WUHAN_AREAS = ["420103", "420104", "420105", "420106", "420107", "420111", "420112"]
FOREIGN_DOCUMENTS = ["hk_macau_permit", "taiwan_permit", "passport", "foreign_permanent"]
OCCUPATIONS = [
    ("企业职员", 20), ("个体工商户", 10), ("工人", 10), ("服务员", 6), ("销售", 6),
    ("司机", 5), ("快递员", 4), ("外卖骑手", 4), ("教师", 4), ("医生", 2), ("护士", 3),
    ("公务员", 3), ("程序员", 4), ("保安", 3), ("建筑工人", 4), ("自由职业", 4), ("待业", 8),
]
_OCCUPATION_NAMES = [name for name, _ in OCCUPATIONS]
_OCCUPATION_WEIGHTS = [weight for _, weight in OCCUPATIONS]


def age(person: Person) -> int:
    """Age in whole years on the reference date."""
    born, today = person.birth_date, REFERENCE_DATE
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


@dataclass
class Member:
    """A person before their household, dwelling and ID are known."""

    relationship: str
    sex: str
    age: int
    surname: str
    tags: set[str] = field(default_factory=set)


def _other(sex: str) -> str:
    return "F" if sex == "M" else "M"


def _child_of(rng: random.Random, parent_age: int, father_surname: str, relationship: str
              ) -> Member:
    return Member(relationship, rng.choice("MF"), max(0, parent_age - rng.randint(22, 36)),
                  father_surname)


def _couple(rng: random.Random, age: int) -> list[Member]:
    """A head and spouse; the head is the husband in about two households of three, and
    husbands are a few years older than their wives."""
    head_sex = "M" if rng.random() < 0.65 else "F"
    gap = rng.randint(0, 4)
    spouse_age = max(20, age - gap if head_sex == "M" else age + gap)
    return [Member(Relationship.HEAD, head_sex, age, identity.surname(rng)),
            Member(Relationship.SPOUSE, _other(head_sex), spouse_age, identity.surname(rng))]


def _father_surname(members: list[Member]) -> str:
    return next(m.surname for m in members[:2] if m.sex == "M")


def _single(rng: random.Random) -> list[Member]:
    return [Member(Relationship.HEAD, rng.choice("MF"), rng.randint(20, 59),
                   identity.surname(rng))]


def _elderly_alone(rng: random.Random) -> list[Member]:
    head = Member(Relationship.HEAD, "F" if rng.random() < 0.65 else "M", rng.randint(65, 95),
                  identity.surname(rng), {VulnerableTag.ELDERLY_ALONE})
    return [head]


def _young_couple(rng: random.Random) -> list[Member]:
    return _couple(rng, rng.randint(24, 38))


def _elderly_couple(rng: random.Random) -> list[Member]:
    return _couple(rng, rng.randint(58, 88))


def _nuclear(rng: random.Random) -> list[Member]:
    members = _couple(rng, rng.randint(26, 55))
    mother_age = next(m.age for m in members if m.sex == "F")
    for _ in range(1 if rng.random() < 0.6 else 2):
        members.append(_child_of(rng, mother_age, _father_surname(members), Relationship.CHILD))
    return members


def _three_generations(rng: random.Random) -> list[Member]:
    members = _nuclear(rng)
    head = members[0]
    parents = [Member(Relationship.PARENT, "M", head.age + rng.randint(24, 34), head.surname),
               Member(Relationship.PARENT, "F", head.age + rng.randint(22, 32),
                      identity.surname(rng))]
    return members + (parents if rng.random() < 0.5 else [rng.choice(parents)])


def _skipped_generation(rng: random.Random) -> list[Member]:
    """Grandparents raising grandchildren whose parents work elsewhere (留守儿童)."""
    members = _couple(rng, rng.randint(52, 72)) if rng.random() < 0.7 else _elderly_alone(rng)
    members[0].tags.discard(VulnerableTag.ELDERLY_ALONE)
    surname = members[0].surname
    for _ in range(rng.randint(1, 2)):
        members.append(Member(Relationship.GRANDCHILD, rng.choice("MF"), rng.randint(2, 15),
                              surname, {VulnerableTag.LEFT_BEHIND_CHILD}))
    return members


def _single_parent(rng: random.Random) -> list[Member]:
    head = Member(Relationship.HEAD, "F" if rng.random() < 0.75 else "M", rng.randint(28, 50),
                  identity.surname(rng))
    return [head, _child_of(rng, head.age, head.surname, Relationship.CHILD)]


def _shared_flat(rng: random.Random) -> list[Member]:
    sex = rng.choice("MF")
    return [
        Member(Relationship.HEAD if index == 0 else Relationship.OTHER, sex,
               rng.randint(19, 35), identity.surname(rng))
        for index in range(rng.randint(2, 4))
    ]


# Household compositions and their shares of households (about 2.7 people on average).
COMPOSITIONS: list[tuple[Callable[[random.Random], list[Member]], int]] = [
    (_single, 14), (_elderly_alone, 7), (_young_couple, 8), (_elderly_couple, 12),
    (_nuclear, 31), (_three_generations, 14), (_skipped_generation, 3), (_single_parent, 6),
    (_shared_flat, 5),
]
_COMPOSITION_KINDS = [kind for kind, _ in COMPOSITIONS]
_COMPOSITION_WEIGHTS = [weight for _, weight in COMPOSITIONS]


def plan_households(rng: random.Random, residents: int) -> list[list[Member]]:
    """Households whose sizes add up to exactly ``residents``."""
    households: list[list[Member]] = []
    left = residents
    while left > 0:
        kind = rng.choices(_COMPOSITION_KINDS, weights=_COMPOSITION_WEIGHTS)[0]
        members = kind(rng)[:left]
        households.append(members)
        left -= len(members)
    return households


class Populator:
    """Turns planned households into Household and Person rows with their primary keys set
    (a household names its head and each person their household)."""

    def __init__(self, keys: Keys) -> None:
        self.keys = keys
        self.resident_ids = identity.ResidentIdIssuer()
        self.documents = identity.DocumentIssuer()

    def house(
        self, rng: random.Random, households: list[list[Member]], dwellings: list[Dwelling]
    ) -> tuple[list[Household], list[Person]]:
        """One household per dwelling, in a random order of the dwellings."""
        dwellings = rng.sample(dwellings, len(households))
        household_rows, people = [], []
        for members, dwelling in zip(households, dwellings, strict=True):
            household = Household(grid_code=dwelling.grid_code, dwelling=dwelling)
            self.keys.assign(household)
            household.number = f"{dwelling.grid_code}{household.pk % 100000:05d}"
            persons = self._persons(rng, members, household, dwelling)
            household.head_id = persons[0].pk
            household_rows.append(household)
            people += persons
        return household_rows, people

    def _persons(
        self, rng: random.Random, members: list[Member], household: Household,
        dwelling: Dwelling,
    ) -> list[Person]:
        residence = rng.choices(
            [ResidenceType.REGISTERED, ResidenceType.RENTING, ResidenceType.FLOATING],
            weights=[74, 12, 14],
        )[0]
        if any(member.relationship == Relationship.OTHER for member in members):
            residence = rng.choice([ResidenceType.RENTING, ResidenceType.FLOATING])
        low_income = rng.random() < 0.03
        foreign_document = rng.choice(FOREIGN_DOCUMENTS) if rng.random() < 0.01 else None
        # The eldest member's birth year, so the code already existed for everyone.
        family_area = self._area(rng, residence,
                                 REFERENCE_DATE.year - 1 - max(m.age for m in members))
        people = []
        for member in members:
            person = Person(
                household=household, relationship=member.relationship,
                dwelling=dwelling, grid_code=dwelling.grid_code, sex=member.sex,
                name=member.surname + identity.given_name(rng, member.sex),
                residence_type=residence, ethnicity=identity.ethnicity(rng),
            )
            self.keys.assign(person)
            born = self._birth_date(rng, member.age)
            person.birth_date = born
            if foreign_document:
                person.document_type = foreign_document
                person.id_number = self.documents.issue(rng, foreign_document)
                person.ethnicity = ""
            else:
                area = family_area if rng.random() < 0.85 else self._area(rng, residence,
                                                                           born.year)
                person.id_number = self.resident_ids.issue(area, born, member.sex)
            if residence == ResidenceType.REGISTERED and 20 <= member.age <= 40 and (
                rng.random() < 0.08
            ):
                person.residence_type = ResidenceType.AWAY
            self._describe(rng, person, member, low_income)
            people.append(person)
        return people

    @staticmethod
    def _area(rng: random.Random, residence: str, born: int) -> str:
        """Where a card was first issued: mostly this district for registered residents,
        elsewhere in Hubei or China for the floating population."""
        if residence == ResidenceType.REGISTERED:
            roll = rng.random()
            if roll < 0.8:
                return HOME_AREA
            if roll < 0.92:
                return rng.choice(OTHER_WUHAN_AREAS)
        return identity.county_elsewhere(rng, born, "42" if rng.random() < 0.5 else "")

    @staticmethod
    def _birth_date(rng: random.Random, age: int) -> datetime.date:
        latest = REFERENCE_DATE.toordinal() - int(age * 365.25)
        return datetime.date.fromordinal(latest - rng.randrange(365))

    @staticmethod
    def _describe(rng: random.Random, person: Person, member: Member, low_income: bool) -> None:
        """Phone, occupation, health and vulnerable-group tags by age."""
        age, tags = member.age, set(member.tags)
        if age >= 12 and rng.random() < (0.6 if age >= 80 else 0.96):
            person.phone = identity.mobile(rng)
        retired = age >= (60 if member.sex == "M" else 55)
        if age < 6:
            person.occupation = "学龄前儿童"
        elif age < 18 or (age < 23 and rng.random() < 0.6):
            person.occupation = "学生"
        elif retired and rng.random() < 0.9:
            person.occupation = "退休"
        else:
            person.occupation = rng.choices(_OCCUPATION_NAMES, weights=_OCCUPATION_WEIGHTS)[0]
        chronic = 0.45 if age >= 60 else 0.18 if age >= 40 else 0.04
        roll = rng.random()
        if roll < 0.018:
            person.health_status = HealthStatus.DISABLED
            tags.add(VulnerableTag.DISABLED)
        elif roll < 0.023:
            person.health_status = HealthStatus.SERIOUS
        elif roll < 0.023 + chronic:
            person.health_status = HealthStatus.CHRONIC
            if age >= 60:
                tags.add(VulnerableTag.CHRONICALLY_ILL)
        elif roll < 0.05 + chronic:
            person.health_status = HealthStatus.UNKNOWN
        else:
            person.health_status = HealthStatus.HEALTHY
        if member.sex == "F" and 22 <= age <= 40 and rng.random() < 0.03:
            tags.add(VulnerableTag.PREGNANT)
        if low_income:
            tags.add(VulnerableTag.LOW_INCOME)
        person.vulnerable_tags = sorted(tags)
