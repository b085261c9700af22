"""Importing persons: a row's cells made into a person's fields, and chunks of rows landed on
the one record per person (by normalised document number)."""

import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.db.models.base import ModelState
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_update_with_history

from wangge.bulk import assign_keys, insert_with_history
from wangge.crypto import matches
from wangge.divisions.models import Grid
from wangge.foundation.actors import Actor, actor_checked, history_reason, user_of
from wangge.foundation.codes import is_within
from wangge.foundation.history import save_with_history
from wangge.normalisers import DocumentType
from wangge.people.models import (
    HealthStatus,
    Household,
    Person,
    Relationship,
    ResidenceType,
    Sex,
    VulnerableTag,
)
from wangge.people.services import person_errors
from wangge.places.addresses import AddressBase, Refusal, Why
from wangge.spreadsheets import PERSON_HEADERS, cell_date, cell_text

from .cells import choice, choice_words, tidy, whole_number
from .places import PlaceFinder, grid_of
from .plausibility import PersonPlausibility, birth_date_errors
from .rows import AddressUnplacedError, Outcome, Row, RowError, RowWarning

# Words departments use for our choices, besides the codes and their labels.
CHOICE_WORDS: dict[str, dict[str, str]] = {
    "document_type": {
        "身份证": DocumentType.RESIDENT_ID, "居民身份证": DocumentType.RESIDENT_ID,
        "护照": DocumentType.PASSPORT, "港澳通行证": DocumentType.HK_MACAU_PERMIT,
        "港澳居民来往内地通行证": DocumentType.HK_MACAU_PERMIT,
        "台胞证": DocumentType.TAIWAN_PERMIT, "台湾居民来往大陆通行证": DocumentType.TAIWAN_PERMIT,
        "外国人永久居留身份证": DocumentType.FOREIGN_PERMANENT,
    },
    "sex": {"男": Sex.MALE, "女": Sex.FEMALE, "male": Sex.MALE, "female": Sex.FEMALE,
            "m": Sex.MALE, "f": Sex.FEMALE, "1": Sex.MALE, "2": Sex.FEMALE},
    "residence_type": {
        "户籍": ResidenceType.REGISTERED, "户籍人口": ResidenceType.REGISTERED,
        "常住": ResidenceType.REGISTERED, "常住人口": ResidenceType.REGISTERED,
        "流动": ResidenceType.FLOATING, "流动人口": ResidenceType.FLOATING,
        "出租": ResidenceType.RENTING, "租住": ResidenceType.RENTING,
        "租户": ResidenceType.RENTING, "外出": ResidenceType.AWAY,
        "人户分离": ResidenceType.AWAY,
    },
    "health_status": {
        "健康": HealthStatus.HEALTHY, "良好": HealthStatus.HEALTHY,
        "慢性病": HealthStatus.CHRONIC, "慢病": HealthStatus.CHRONIC,
        "重病": HealthStatus.SERIOUS, "大病": HealthStatus.SERIOUS,
        "残疾": HealthStatus.DISABLED, "未知": HealthStatus.UNKNOWN,
    },
    "vulnerable_tags": {
        "独居老人": VulnerableTag.ELDERLY_ALONE, "空巢老人": VulnerableTag.ELDERLY_ALONE,
        "残疾人": VulnerableTag.DISABLED, "残疾": VulnerableTag.DISABLED,
        "慢性病": VulnerableTag.CHRONICALLY_ILL, "慢病": VulnerableTag.CHRONICALLY_ILL,
        "孕妇": VulnerableTag.PREGNANT, "孕产妇": VulnerableTag.PREGNANT,
        "留守儿童": VulnerableTag.LEFT_BEHIND_CHILD,
        "低保": VulnerableTag.LOW_INCOME, "低收入": VulnerableTag.LOW_INCOME,
    },
    "relationship": {
        "户主": Relationship.HEAD, "本人": Relationship.HEAD,
        "配偶": Relationship.SPOUSE, "妻": Relationship.SPOUSE, "夫": Relationship.SPOUSE,
        "妻子": Relationship.SPOUSE, "丈夫": Relationship.SPOUSE,
        "子": Relationship.CHILD, "女": Relationship.CHILD, "儿子": Relationship.CHILD,
        "女儿": Relationship.CHILD, "子女": Relationship.CHILD,
        "父亲": Relationship.PARENT, "母亲": Relationship.PARENT, "父母": Relationship.PARENT,
        "孙子": Relationship.GRANDCHILD, "孙女": Relationship.GRANDCHILD,
        "兄弟姐妹": Relationship.SIBLING, "兄": Relationship.SIBLING, "弟": Relationship.SIBLING,
        "姐": Relationship.SIBLING, "妹": Relationship.SIBLING, "其他": Relationship.OTHER,
    },
}
CHOICES = {"document_type": DocumentType, "sex": Sex, "residence_type": ResidenceType,
           "health_status": HealthStatus, "vulnerable_tags": VulnerableTag,
           "relationship": Relationship}
# Fields compared with the existing record; an empty cell never erases what is known.
COMPARED = ("name", "document_type", "id_number", "sex", "birth_date", "ethnicity", "phone",
            "residence_type", "occupation", "health_status", "vulnerable_tags", "grid_code")
COMPARED_SET = frozenset(COMPARED)
# Written with the numbers they digest (crypto.BlindIndexField).
INDEXES = ("id_number_index", "phone_index")
LIMITS = {name: Person._meta.get_field(name).max_length for name in COMPARED
          } | {"household_number": Household._meta.get_field("number").max_length}
# Between tags: LIST_SEPARATORS but spaces, which may also be inside a tag.
TAG_SEPARATORS = re.compile(r"[,，、;；/|]+")
PLACE_CELLS = ("address", "building", "unit", "floor", "room")
# A new Person's attributes before its cells are set: what Model.__init__ would give it.
DEFAULTS = {model_field.attname: model_field.get_default()
            for model_field in Person._meta.concrete_fields}


def new_person(values: dict[str, Any]) -> Person:
    """A Person with ``values``, made without Model.__init__, which costs ten times as much
    (it walks every field and its default): a million rows spend seconds there."""
    person = Person.__new__(Person)
    person.__dict__.update(DEFAULTS)
    person.__dict__.update(values)
    person.vulnerable_tags = values.get("vulnerable_tags") or []
    person._state = ModelState()
    return person


def person_key(person: Person) -> tuple:
    """What finds a person's record: their document, or without one, what the row says."""
    if person.id_number:
        return (person.document_type, person.id_number)
    return ("", person.name, person.grid_code, str(person.birth_date or ""), person.phone)


@dataclass
class PersonRow:
    """A row made into a person's fields (only the cells that were filled)."""

    fields: dict[str, Any]
    person: Person
    household_number: str = ""
    relationship: str = ""
    key: tuple = field(default=())


class PersonKind:
    name = "persons"
    headers = PERSON_HEADERS
    required_columns = ("name",)
    key_column = "id_number"
    choices = {name: (choices, CHOICE_WORDS[name]) for name, choices in CHOICES.items()}
    duplicate = gettext_lazy("The same person as row %(row)d: one row per person.")
    # The template's example row; its first cell marks it (an upload still holding it is
    # refused on that row). Choices are codes, written in the template's language.
    example = {"name": "张三（示例）", "id_number": "420102198001011231", "sex": Sex.MALE,
               "birth_date": "1980-01-01", "ethnicity": "汉族", "phone": "13800138000",
               "grid_code": "420102001001001", "residence_type": ResidenceType.REGISTERED,
               "health_status": HealthStatus.HEALTHY, "household_number": "H0001",
               "relationship": Relationship.HEAD, "building": "1栋", "unit": "1",
               "floor": "1", "room": "101"}

    def __init__(self, user: Actor):
        self.user = actor_checked(user)
        # The command line (a system actor) imports for every jurisdiction.
        self.prefixes = user.scope_prefixes
        self._words = {name: choice_words(choices, words)
                       for name, (choices, words) in self.choices.items()}
        self._grids: dict[str, bool] = {}
        self.places = PlaceFinder(self.prefixes)
        self._unplaced: Refusal | None = None  # the last row's address, when it waits
        self.plausibility = PersonPlausibility()
        # How each column's cell is read, looked up once per cell.
        self._readers: dict[str, Callable[[Any, str], Any]] = {
            **{name: lambda value, text: tidy(text) for name in PLACE_CELLS},
            "birth_date": lambda value, text: cell_date(value),
            "vulnerable_tags": self._tags,
            "grid_code": lambda value, text: self._grid(text),
            "unit": lambda value, text: whole_number(value, least=1),
            "floor": lambda value, text: whole_number(value),
            # An ID's length is checked by the document rules (person_errors), which also
            # explain an ID that Excel made a number (4.2010219800101123E+17 is too long too).
            "id_number": lambda value, text: text,
            **{name: self._choice(name) for name in CHOICES if name != "vulnerable_tags"},
        }

    def prepare(self, row: Row) -> PersonRow:
        """Cells to fields, normalised and checked against each other; RowError names every
        cell that breaks a rule."""
        errors: dict[str, list[str]] = {}
        fields: dict[str, Any] = {}
        readers = self._readers
        for name, value in row.values.items():
            text = cell_text(value)
            if not text:
                continue
            try:
                fields[name] = (readers[name](value, text) if name in readers
                                else self._bounded(name, text))
            except ValidationError as error:
                errors[name] = error.messages
        fields.setdefault("document_type", DocumentType.RESIDENT_ID)
        if future := birth_date_errors(fields.get("birth_date")):
            errors["birth_date"] = future
        dwelling_id = self._dwelling(fields, errors)
        if "grid_code" not in fields and errors.keys().isdisjoint({*PLACE_CELLS, "grid_code"}):
            errors["grid_code"] = [_("Fill in the person's 15-digit grid code, or their "
                                     "address, or building, unit and room.")]
        compared = COMPARED_SET.intersection(fields)
        person = new_person({name: fields[name] for name in compared})
        for name, messages in person_errors(person).items():
            errors.setdefault(name, messages)
        if errors:
            if self._unplaced is not None and errors.keys() == {"address"}:
                raise AddressUnplacedError(errors, refusal=self._unplaced)
            raise RowError(errors)
        values = {name: getattr(person, name) for name in compared}
        for name in ("birth_date", "sex"):  # read from a resident ID when the row has none
            if name not in values and getattr(person, name):
                values[name] = getattr(person, name)
        if dwelling_id is not None:
            values["dwelling_id"] = person.dwelling_id = dwelling_id
        return PersonRow(fields=values, person=person, key=person_key(person),
                         household_number=fields.get("household_number", ""),
                         relationship=fields.get("relationship", ""))

    def _choice(self, name: str) -> Callable[[Any, str], str]:
        words, choices = self._words[name], CHOICES[name]
        return lambda value, text: choice(words, choices, text)

    def _tags(self, value: Any, text: str) -> list[str]:
        """Tags separated by 、, commas or spaces; a tag written in words with spaces between
        (Low income, from an English template) is one tag."""
        words = self._words["vulnerable_tags"]
        tags = set()
        for part in TAG_SEPARATORS.split(text):
            part = part.strip()
            for word in [part] if part.lower() in words else part.split():
                tags.add(choice(words, VulnerableTag, word))
        return sorted(tags)

    @staticmethod
    def _bounded(name: str, text: str) -> str:
        limit = LIMITS.get(name)
        if limit and len(text) > limit:
            raise ValidationError(_("At most %(limit)d characters.") % {"limit": limit})
        return text

    @functools.cached_property
    def addresses(self) -> AddressBase:
        """The buildings of the jurisdiction, loaded once the first address is read."""
        return AddressBase(self.prefixes)

    def _dwelling(self, fields: dict[str, Any], errors: dict[str, list[str]]) -> int | None:
        """The dwelling the row names (building, unit and room, or an address alone, resolved
        through the address base), which must already be registered; it sets the person's
        grid."""
        self._unplaced = None
        if fields.keys().isdisjoint(PLACE_CELLS):
            return None  # most rows name no dwelling
        cells = {name: fields.pop(name) for name in PLACE_CELLS if name in fields}
        address = cells.pop("address", "")
        if errors.keys() & {*PLACE_CELLS, "grid_code"}:
            return None
        if not cells:
            return self._dwelling_at(address, fields, errors)
        if missing := [name for name in ("building", "unit", "room") if name not in cells]:
            for name in missing:
                errors[name] = [_("Give the building, unit and room together.")]
            return None
        try:
            building = self.places.building(cells["building"], fields.get("grid_code"))
            dwelling = self.places.dwelling(building, cells["unit"], cells["room"])
            if "floor" in cells and cells["floor"] != dwelling.floor:
                raise ValidationError({"floor": _(
                    "Room %(room)s is on floor %(floor)d.") % {
                        "room": dwelling.room, "floor": dwelling.floor}})
            fields["grid_code"] = grid_of(dwelling, fields.get("grid_code"), self.prefixes)
        except ValidationError as error:
            errors.update(error.message_dict)
            return None
        return dwelling.pk

    def _dwelling_at(self, address: str, fields: dict[str, Any],
                     errors: dict[str, list[str]]) -> int | None:
        """An address alone: placed when it names one dwelling; a grid code only narrows. An
        address that names no dwelling at all (no unit or room) is kept as written when the
        row has a grid code."""
        placed = self.addresses.resolve(address, within=fields.get("grid_code"))
        if isinstance(placed, Refusal):
            if placed.why == Why.NO_DWELLING and "grid_code" in fields:
                return None
            errors["address"] = [placed.message]
            if placed.why == Why.BUILDING:
                self._unplaced = placed
            return None
        fields["grid_code"] = placed.grid_code
        return placed.dwelling_id

    def _grid(self, code: str) -> str:
        if code not in self._grids:
            self._grids[code] = Grid.objects.filter(code=code).exists() and is_within(
                code, self.prefixes)
        if not self._grids[code]:
            raise ValidationError(_("%(code)s is not a grid in your jurisdiction.")
                                  % {"code": code})
        return code

    def plausible(self, landed: list[tuple[Row, PersonRow]]) -> list[RowWarning]:
        """Warnings on the rows of a chunk just written (see plausibility.py)."""
        return self.plausibility.warnings(landed)

    def write(self, rows: list[tuple[Row, PersonRow]], *,
              reason: str) -> Iterable[Outcome | RowError]:
        """Land a chunk: one query finds the existing records, then new ones are created and
        changed ones updated in bulk, each with its history row and its own source."""
        existing = self._existing([prepared.key for _, prepared in rows])
        created, updated, outcomes = [], [], []
        row_word = _("row")
        for row, prepared in rows:
            person = existing.get(prepared.key)
            # Bulk rows bypass save_with_history: the system's name goes into the reason here.
            source = history_reason(self.user, f"{reason}, {row_word} {row.number}")
            if person is None:
                person = prepared.person
                person._change_reason = source
                created.append(person)
                outcomes.append(Outcome.CREATED)
            elif not is_within(person.grid_code, self.prefixes):
                outcomes.append(RowError({"id_number": [_(
                    "This ID number belongs to a resident registered outside your "
                    "jurisdiction; ask their grid to transfer them.")]}))
            elif person.dwelling_id and prepared.fields.get("dwelling_id", person.dwelling_id) \
                    != person.dwelling_id:
                outcomes.append(RowError({"room": [_(
                    "This person is registered in another dwelling; a move is recorded as a "
                    "transfer with its date, not by import.")]}))
            elif changes := {name: value for name, value in prepared.fields.items()
                             if getattr(person, name) != value}:
                for name, value in changes.items():
                    setattr(person, name, value)
                person._change_reason = source
                updated.append(person)
                outcomes.append(Outcome.UPDATED)
            else:
                outcomes.append(Outcome.UNCHANGED)
        if created:
            assign_keys(created)
            insert_with_history(Person, created, reason=history_reason(self.user, reason),
                                user_id=getattr(user_of(self.user), "pk", None))
        if updated:
            bulk_update_with_history(updated, Person, [*COMPARED, *INDEXES, "dwelling"],
                                     batch_size=1000,
                                     default_user=user_of(self.user))
        self._households(rows, reason=reason)
        return outcomes

    def _existing(self, keys: list[tuple]) -> dict[tuple, Person]:
        by_document = [key for key in keys if key[0]]
        without = [key for key in keys if not key[0]]
        condition = Q(pk__in=[])
        if by_document:
            condition |= matches(Person, "id_number", [number for _, number in by_document])
        if without:
            condition |= Q(id_number_index="", name__in=[key[1] for key in without])
        matched = list(Person.objects.filter(condition))
        # A record merged into another by record linkage is hidden (and may still hold its
        # passport's number): its rows land on the record it was merged into.
        loaded = {person.pk: person for person in matched}
        while waiting := {person.merged_into_id for person in loaded.values()
                          if person.merged_into_id and person.merged_into_id not in loaded}:
            loaded |= {person.pk: person for person in Person.objects.filter(pk__in=waiting)}

        def kept(person: Person) -> Person:
            while person.merged_into_id:
                person = loaded[person.merged_into_id]
            return person

        found: dict[tuple, Person] = {}
        for person in sorted(matched, key=lambda person: person.merged_into_id is None):
            found[person_key(person)] = kept(person)
        return found

    def _households(self, rows: list[tuple[Row, PersonRow]], *, reason: str) -> None:
        """Households named by number in the file: created in the person's grid, members
        attached with their relationship, the head set."""
        wanted = [(row.number, prepared.key, prepared) for row, prepared in rows
                  if prepared.household_number]
        if not wanted:
            return
        persons = self._existing([key for _, key, _ in wanted])
        numbers = {(p.fields["grid_code"], p.household_number) for _, _, p in wanted}
        households = {(h.grid_code, h.number): h for h in Household.objects.filter(
            number__in=[number for _, number in numbers])}
        dwellings = {(p.fields["grid_code"], p.household_number): p.fields.get("dwelling_id")
                     for _, _, p in wanted}
        for grid_code, number in numbers - households.keys():
            households[grid_code, number] = save_with_history(
                Household(number=number, grid_code=grid_code,
                          dwelling_id=dwellings[grid_code, number]), by=self.user, reason=reason)
        changed = []
        for number, key, prepared in wanted:
            person = persons[key]
            household = households[prepared.fields["grid_code"], prepared.household_number]
            relationship = prepared.relationship or person.relationship or Relationship.OTHER
            if person.household_id and person.household_id != household.pk:
                self.plausibility.moved_out(person.household_id, number)
            if (person.household_id, person.relationship) != (household.pk, relationship):
                person.household, person.relationship = household, relationship
                changed.append(person)
            if relationship == Relationship.HEAD and household.head_id != person.pk:
                household.head = person
                save_with_history(household, by=self.user, reason=reason)
        if changed:
            bulk_update_with_history(changed, Person, ["household", "relationship"],
                                     batch_size=1000, default_user=user_of(self.user),
                                     default_change_reason=history_reason(self.user, reason))
