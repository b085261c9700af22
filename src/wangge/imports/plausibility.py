"""Checks that warn without refusing: a row can be right and still look wrong (a large family
in one flat, a record kept from before a move), so it is written and the summary, the page
and the rejects workbook say what to look at. What cannot be true (a birth date in the
future) is refused instead, by ``birth_date_errors``."""

import datetime
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from wangge.people.models import Household, Person, Sex, VulnerableTag

from .rows import Row, RowWarning

# Ages a tag is given at: an "elderly living alone" is 60 or over (the state's definition of
# 老年人), a "child left behind" under 16 (民政部's 农村留守儿童).
ELDERLY_FROM = 60
CHILD_UNDER = 16


def birth_date_errors(birth_date: datetime.date | None) -> list[str]:
    """A birth date in the future is no one's."""
    if birth_date and birth_date > datetime.date.today():
        return [_("The birth date %(date)s is in the future.") % {"date": birth_date.isoformat()}]
    return []


def age_on(birth_date: datetime.date, day: datetime.date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def tag_warnings(row: int, fields: dict[str, Any], today: datetime.date) -> list[RowWarning]:
    """Tags that contradict the person's age or sex."""
    tags, born = fields.get("vulnerable_tags") or [], fields.get("birth_date")
    warnings = []
    age = age_on(born, today) if born else None
    if age is not None and VulnerableTag.ELDERLY_ALONE in tags and age < ELDERLY_FROM:
        warnings.append(RowWarning(row, "vulnerable_tags", _(
            "Tagged “%(tag)s” but %(age)d years old; check the tag and the birth date.")
            % {"tag": VulnerableTag.ELDERLY_ALONE.label, "age": age}))
    if age is not None and VulnerableTag.LEFT_BEHIND_CHILD in tags and age >= CHILD_UNDER:
        warnings.append(RowWarning(row, "vulnerable_tags", _(
            "Tagged “%(tag)s” but %(age)d years old; check the tag and the birth date.")
            % {"tag": VulnerableTag.LEFT_BEHIND_CHILD.label, "age": age}))
    if VulnerableTag.PREGNANT in tags and fields.get("sex") == Sex.MALE:
        warnings.append(RowWarning(row, "vulnerable_tags", _(
            "Tagged “%(tag)s” but recorded as a man; check the tag and the sex.")
            % {"tag": VulnerableTag.PREGNANT.label}))
    return warnings


def crowded_warnings(placed: dict[int, int]) -> list[RowWarning]:
    """Dwellings (by id, with the last row that placed someone there) that now hold more
    residents than WANGGE_DWELLING_MAX_OCCUPANTS: one query for a chunk of rows."""
    most = settings.WANGGE_DWELLING_MAX_OCCUPANTS
    if not placed:
        return []
    crowded = (Person.objects.filter(dwelling_id__in=list(placed), merged_into=None)
               .values("dwelling_id").annotate(count=Count("pk")).filter(count__gt=most))
    return [RowWarning(placed[line["dwelling_id"]], "room", _(
        "%(count)d residents are now registered in this dwelling, more than the %(most)d a "
        "dwelling usually holds; check the building, unit and room.")
        % {"count": line["count"], "most": most}) for line in crowded]


def emptied_warnings(left: dict[int, int]) -> list[RowWarning]:
    """Households (by id, with the row that moved their last member out) left without
    members."""
    if not left:
        return []
    empty = Household.objects.filter(pk__in=list(left)).annotate(
        count=Count("members", filter=Q(members__merged_into=None))).filter(count=0)
    return [RowWarning(left[household.pk], "household_number", _(
        "This move leaves household %(number)s without members; check the household number.")
        % {"number": household.number or household.pk}) for household in empty]


class PersonPlausibility:
    """The warnings on a chunk of persons' rows once they are written: tags against ages,
    crowded dwellings, households emptied by a move."""

    def __init__(self) -> None:
        self.today = datetime.date.today()
        # Households whose member moved to another one in the current chunk, with that row.
        self.left: dict[int, int] = {}

    def moved_out(self, household_id: int, row: int) -> None:
        self.left[household_id] = row

    def warnings(self, landed: Iterable[tuple[Row, Any]]) -> list[RowWarning]:
        warnings: list[RowWarning] = []
        placed: dict[int, int] = {}
        for row, prepared in landed:
            warnings += tag_warnings(row.number, prepared.fields, self.today)
            if dwelling_id := prepared.fields.get("dwelling_id"):
                placed[dwelling_id] = row.number
        warnings += crowded_warnings(placed)
        warnings += emptied_warnings(self.left)
        self.left = {}
        return warnings
