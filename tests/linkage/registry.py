"""A registry to link: a few hundred generated residents of grid A (so the model is estimated
from realistic data, as it would be over a real community) and the crafted pairs a test
looks at."""

import datetime

from tests.factories import make_dwelling, make_person, resident_id
from wangge.linkage.generator import population
from wangge.people.models import Person


def background(grid_code: str, count: int = 300, *, seed: int = 11) -> None:
    """``count`` generated residents (valid IDs, phones; no dwellings), inserted in bulk."""
    Person.objects.bulk_create(
        Person(name=resident.name, id_number=resident.id_number, sex=resident.sex,
               birth_date=resident.birth, phone=resident.phone, grid_code=grid_code)
        for resident in population(count, seed=seed))


def duplicate_pair(grid_code: str, *, room: str = "501") -> tuple[Person, Person]:
    """One man twice: with his ID, and as another department wrote him (a homophone of his
    name, no ID, the same birth date, phone and flat)."""
    dwelling = make_dwelling(grid_code, room=room)
    born = datetime.date(1971, 3, 9)
    with_id = make_person(grid_code, name="张建伟", id_number=resident_id(born),
                          phone="13911112222", dwelling=dwelling)
    without_id = make_person(grid_code, name="张建玮", id_number="", birth_date=born, sex="M",
                             phone="13911112222", dwelling=dwelling, occupation="司机")
    return with_id, without_id


def doubtful_pair(grid_code: str) -> tuple[Person, Person]:
    """Perhaps one woman: a rare name, the same phone, birth dates ten days apart (a typo, or
    two people), different flats."""
    born = datetime.date(1984, 11, 2)
    first = make_person(grid_code, name="欧阳秀梅", id_number=resident_id(born, male=False),
                        phone="13722223333", dwelling=make_dwelling(grid_code, room="302"))
    second = make_person(grid_code, name="欧阳秀梅", id_number="", sex="F",
                         birth_date=datetime.date(1984, 11, 12), phone="13722223333",
                         dwelling=make_dwelling(grid_code, room="602"))
    return first, second
