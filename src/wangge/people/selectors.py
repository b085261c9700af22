"""Reads of people: every one goes through the caller's jurisdiction."""

from collections.abc import Callable, Iterable
from contextlib import suppress
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Case, Count, Q, QuerySet, When
from django.db.models.functions import Substr
from django.utils.translation import gettext as _

from wangge.access.models import User
from wangge.crypto import matches
from wangge.foundation.codes import narrowed
from wangge.foundation.permissions import Action, Asker, SensitiveField, can, sees_unmasked, shown
from wangge.normalisers import normalise_phone, parse_resident_id
from wangge.normalisers.text import fold_width

from .models import Household, Person, VulnerableTag


def persons_visible_to(user: User) -> QuerySet[Person]:
    """Persons in the user's jurisdiction; a record merged into another is hidden (the
    merge, and its undoing, are linkage's: see linkage.selectors)."""
    if not can(user, Action.VIEW_PEOPLE):
        return Person.objects.none()
    return Person.objects.in_scope(user.scope_prefixes).filter(merged_into=None)


def persons_search(user: User, text: str) -> QuerySet[Person]:
    """Visible persons by name prefix, exact phone or exact ID number. A role that sees a
    field masked cannot search by it: a match would reveal the masked value."""
    text = text.strip()
    persons = persons_visible_to(user)
    if not text:
        return persons
    return persons.filter(Q(name__startswith=text) | number_matches(user, text))


def number_matches(user: Asker, text: str) -> Q:
    """The persons whose ID number or phone is ``text`` (normalised), among the fields the
    user sees unmasked; through their blind indexes, since both are encrypted."""
    condition = Q(pk__in=[])
    for field, value in _searchable_numbers(user, text.strip()).items():
        condition |= matches(Person, field.value, value)
    return condition


def sensitive_search_terms(user: User, text: str) -> dict[SensitiveField, str]:
    """The sensitive fields ``persons_search`` compares ``text`` with, as the normalised
    number it looks for; only those that look like a number of that kind (what the access
    log records as a search by ID or phone)."""
    found = _searchable_numbers(user, text.strip())
    number = found.get(SensitiveField.ID_NUMBER, "")
    if sum(character.isdigit() for character in number) < ID_SEARCH_DIGITS:
        found.pop(SensitiveField.ID_NUMBER, None)
    return found


# A search with fewer digits than this is by name (or a stray number), not by an ID.
ID_SEARCH_DIGITS = 6


def _searchable_numbers(user: Asker, text: str) -> dict[SensitiveField, str]:
    found: dict[SensitiveField, str] = {}
    if not text:
        return found
    if sees_unmasked(user, SensitiveField.ID_NUMBER):
        # Stored numbers are normalised: full-width folded, an old 15-digit ID made 18.
        number = fold_width(text).upper()
        with suppress(ValidationError):
            number = parse_resident_id(text).number
        found[SensitiveField.ID_NUMBER] = number
    if sees_unmasked(user, SensitiveField.PHONE):
        # Text that is not a phone number searches by name (and ID) only.
        with suppress(ValidationError):
            found[SensitiveField.PHONE] = normalise_phone(text)
    return found


def households_visible_to(user: User) -> QuerySet[Household]:
    if not can(user, Action.VIEW_PEOPLE):
        return Household.objects.none()
    return Household.objects.in_scope(user.scope_prefixes)


def residents_per_dwelling(user: User, dwellings: QuerySet) -> dict[int, int]:
    """How many residents each of ``dwellings`` has (dwelling id → count), in one query, for
    anyone who may see the dwellings, whether or not the role sees people: a number, never
    who (the building table shows occupancy to every role that sees the building). Scoped
    like ``persons_visible_to``, without its action check."""
    persons = Person.objects.in_scope(user.scope_prefixes).filter(
        merged_into=None, dwelling__in=dwellings)
    return dict(persons.order_by().values("dwelling").annotate(count=Count("pk"))
                .values_list("dwelling", "count"))


def household_name(household: Household) -> str:
    """How people name a household: by its head (张伟户), else by its number, else as a
    numbered record. Load ``head`` with the household (``select_related``) in lists."""
    if household.head_id is not None and household.head is not None:
        return _("Household of %(head)s") % {"head": household.head.name}
    return str(household)


def household_members(user: User, household: Household) -> QuerySet[Person]:
    """The household's members the user may see, the head first, then by relationship and
    name."""
    return (persons_visible_to(user).filter(household=household)
            .select_related("dwelling__building")
            .order_by(Case(When(pk=household.head_id or 0, then=0), default=1),
                      "relationship", "name", "pk"))


def sensitive_values(user: User, person: Person, *, revealed: bool = True) -> dict[str, Any]:
    """The person's sensitive fields as this user may see them (masked or not); see
    ``permissions.shown`` for ``revealed``."""
    return {field.value: shown(user, field, getattr(person, field.value), revealed=revealed)
            for field in SensitiveField}


def person_history(user: User, person: Person, *, revealed: bool = True) -> list[dict[str, Any]]:
    """Each version, newest first: who, when, why, and which fields changed from what to what
    (sensitive values masked as they are for ``user`` everywhere else; see
    ``permissions.shown`` for ``revealed``)."""
    return _history(person, lambda field, value: _shown(user, field, value, revealed))


def own_history(person: Person) -> list[dict[str, Any]]:
    """``person_history`` as the person themself reads it (a resident signed in as this
    person: wangge.residents): every value in full, since it is their own."""
    return _history(person, lambda field, value: value)


def _history(person: Person, show: Callable[[SensitiveField | None, Any], Any]
             ) -> list[dict[str, Any]]:
    sensitive = {field.value: field for field in SensitiveField}
    versions = list(person.history.select_related("history_user").order_by("history_id"))
    entries = []
    for previous, version in zip([None, *versions], versions, strict=False):
        changes = []
        if previous is not None:
            delta = version.diff_against(previous)
            changes = [
                {"field": change.field,
                 "label": Person._meta.get_field(change.field).verbose_name,
                 "old": show(sensitive.get(change.field), change.old),
                 "new": show(sensitive.get(change.field), change.new)}
                for change in delta.changes
            ]
        entries.append({
            "when": version.history_date,
            "who": version.history_user.username if version.history_user else "",
            # Pages name people, not accounts; the API keeps the username (``who``).
            "who_name": (version.history_user.get_full_name() or version.history_user.username
                         if version.history_user else ""),
            "reason": version.history_change_reason or "",
            "kind": version.get_history_type_display(),
            "changes": changes,
        })
    return entries[::-1]


def _shown(user: User, field: SensitiveField | None, value: Any, revealed: bool) -> Any:
    return value if field is None else shown(user, field, value, revealed=revealed)


def population_by_grid(grid_codes: Iterable[str]) -> dict[str, int]:
    """How many persons are registered in each grid (grids with none are left out)."""
    rows = (Person.objects.filter(grid_code__in=list(grid_codes), merged_into=None)
            .values("grid_code")
            .annotate(population=Count("id")).order_by())
    return {row["grid_code"]: row["population"] for row in rows}


def residents_counted(user: User, prefixes: list[str], digits: int) -> list[dict[str, Any]]:
    """The registry of an area in counts, in one pass: per area under ``prefixes`` (the first
    ``digits`` characters of a grid code) and residence type, the residents the user sees,
    how many belong to a vulnerable group and, for a role that sees the groups unmasked,
    how many to each (``VulnerableTag`` values as keys; counting by a field would tell what
    its mask hides). Empty for a role that does not see people."""
    vulnerable = ~Q(vulnerable_tags=[])
    care = {}
    if sees_unmasked(user, SensitiveField.VULNERABLE_TAGS):
        # The cheap test first: most residents have no tag.
        care = {tag: Count("pk", filter=vulnerable & _tagged(tag))
                for tag in VulnerableTag.values}
    rows = (narrowed(persons_visible_to(user), prefixes).order_by()
            .values("residence_type", area=Substr("grid_code", 1, digits))
            .annotate(residents=Count("pk"), vulnerable=Count("pk", filter=vulnerable), **care))
    return [dict(row) for row in rows]


def _tagged(tag: str) -> Q:
    """Persons in the vulnerable group ``tag``: PostgreSQL's JSON containment (``@>``); on
    SQLite, which has none, the tag's quoted code in the list's text (tags are kept as a
    sorted JSON list of codes, and no code is part of another)."""
    if connection.vendor == "postgresql":
        return Q(vulnerable_tags__contains=[tag])
    return Q(vulnerable_tags__icontains=f'"{tag}"')

