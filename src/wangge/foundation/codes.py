"""Division codes are paths: a jurisdiction is the significant prefix of its code.

Statistical division codes have 12 digits: 2 province, 2 city, 2 county (GB/T 2260 together),
3 street, 3 community. A grid code adds a 3-digit sequence to its community's code (15 digits).
Trailing zero groups mark the level, so ``420102001000`` (a street) scopes everything whose
code starts with ``420102001``.
"""

from collections.abc import Iterable
from typing import TypeVar, cast

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    PROVINCE = "province", _("Province")
    CITY = "city", _("City")
    DISTRICT = "district", _("District")
    STREET = "street", _("Street")
    COMMUNITY = "community", _("Community")
    GRID = "grid", _("Grid")


PREFIX_LENGTH = {
    Level.PROVINCE: 2,
    Level.CITY: 4,
    Level.DISTRICT: 6,
    Level.STREET: 9,
    Level.COMMUNITY: 12,
    Level.GRID: 15,
}
PARENT_LEVEL = {
    Level.CITY: Level.PROVINCE,
    Level.DISTRICT: Level.CITY,
    Level.STREET: Level.DISTRICT,
    Level.COMMUNITY: Level.STREET,
    Level.GRID: Level.COMMUNITY,
}


def level_of(code: str) -> Level:
    """The level a 12-digit division code or 15-digit grid code stands for."""
    if not code.isdigit() or len(code) not in (12, 15):
        raise ValidationError(
            _("%(code)s is not a division code: use the 12-digit statistical code, or 15 digits "
              "for a grid."),
            code="division_code", params={"code": code},
        )
    if len(code) == 15:
        return Level.GRID
    if code[9:] != "000":
        return Level.COMMUNITY
    if code[6:9] != "000":
        return Level.STREET
    if code[4:6] != "00":
        return Level.DISTRICT
    if code[2:4] != "00":
        return Level.CITY
    return Level.PROVINCE


def scope_prefix(code: str) -> str:
    """The prefix that every code inside ``code``'s jurisdiction starts with."""
    return code[: PREFIX_LENGTH[level_of(code)]]


def parent_code(code: str) -> str | None:
    """The code of the division directly above ``code`` (None for a province)."""
    level = level_of(code)
    if level == Level.PROVINCE:
        return None
    if level == Level.GRID:
        return code[:12]
    keep = PREFIX_LENGTH[PARENT_LEVEL[level]]
    return code[:keep].ljust(12, "0")


def is_within(code: str, prefixes: Iterable[str]) -> bool:
    return any(code.startswith(prefix) for prefix in prefixes)


def prefix_range(field: str, prefix: str) -> Q:
    """``field`` starts with ``prefix``, as a range both SQLite and PostgreSQL serve from a
    plain b-tree index (``LIKE 'x%'`` needs special operator classes or collations)."""
    if not prefix:
        return Q()
    upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    return Q(**{f"{field}__gte": prefix, f"{field}__lt": upper})


class ScopedQuerySet(models.QuerySet):
    """A queryset of records that carry a division or grid code in ``scope_field``."""

    scope_field = "grid_code"

    def in_scope(self, prefixes: Iterable[str]) -> "ScopedQuerySet":
        prefixes = list(prefixes)
        if "" in prefixes:
            return self.all()
        if not prefixes:
            return self.none()
        condition = Q()
        for prefix in prefixes:
            condition |= prefix_range(self.scope_field, prefix)
        return self.filter(condition)


Scoped = TypeVar("Scoped", bound=models.Model)


def narrowed(queryset: "models.QuerySet[Scoped]", prefixes: Iterable[str]
             ) -> "models.QuerySet[Scoped]":
    """A scoped queryset (a ``*_visible_to`` selector's) narrowed to ``prefixes`` as well,
    keeping its type: ``in_scope`` for callers that hold it as a plain QuerySet."""
    return cast("models.QuerySet[Scoped]", cast(ScopedQuerySet, queryset).in_scope(prefixes))

