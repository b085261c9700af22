"""What a report column may show, and which persons a report covers.

Every report field is read from the registry as it stands; a template column naming any other
field is a value the registry does not hold, which the gap report names for the department.
Besides the person's own fields (``REPORT_FIELDS``), each field of each population is a report
field named ``<population>.<field>`` (``older_people.capability``), read from the person's
current circumstance; a population a department adds in the back office gets its fields the
same way (``population_fields``), with no code.
"""

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from stdnum import numdb

from wangge.foundation.codes import is_within
from wangge.foundation.permissions import SensitiveField, mask_phone
from wangge.people.models import HealthStatus, Person, ResidenceType, VulnerableTag
from wangge.populations.models import (
    Check,
    Circumstance,
    FieldKind,
    Population,
    PopulationField,
)


@dataclass(frozen=True)
class ReportField:
    label: Any  # a (lazily translated) string
    # Reads a person (or, for a template with another source, that source's record).
    read: Callable[[Any, "Lookups"], Any]
    # The masked field this value is, if any: a role that sees it masked gets it masked.
    sensitive: SensitiveField | None = None
    # A value a grid worker can collect when it is missing (derived values are not tasks).
    collectable: bool = True
    # A field shown only to a role that sees this one unmasked, masked whole (***) to the
    # others: a circumstance says as much about a person as a vulnerable-group tag, and more.
    within: SensitiveField | None = None
    # The population whose current circumstance the field reads (its key), if any.
    population: str = ""
    # How a column of it is written by default (reports.export.FORMATS).
    format: str = "text"


@dataclass
class Lookups:
    """What a report looks up once rather than per row: names of grids and divisions and,
    for the persons it covers, their current circumstances (person id → population key →
    values), the persons those and the dwellings' owners link to, and how many people live
    in each dwelling."""

    names: dict[str, str]
    circumstances: dict[int, dict[str, dict[str, Any]]] = field(default_factory=dict)
    linked: dict[int, Person] = field(default_factory=dict)
    occupants: dict[int, int] = field(default_factory=dict)
    # The reader's jurisdiction (None: everywhere). A linked person outside it is named by a
    # masked name, as on the person's page.
    scope_prefixes: tuple[str, ...] | None = None

    def name(self, code: str) -> str:
        return self.names.get(code, "")

    def value(self, person: Person, population: str, key: str) -> Any:
        return self.circumstances.get(person.pk, {}).get(population, {}).get(key)

    def sees(self, other: Person) -> bool:
        return self.scope_prefixes is None or is_within(other.grid_code, self.scope_prefixes)

    def person_name(self, person_id: Any) -> str:
        other = self.linked.get(person_id) if isinstance(person_id, int) else None
        if other is None:
            return ""
        return other.name if self.sees(other) else other.name[:1] + "*" * (len(other.name) - 1)

    def person_phone(self, person_id: Any) -> str:
        other = self.linked.get(person_id) if isinstance(person_id, int) else None
        if other is None:
            return ""
        return other.phone if self.sees(other) else mask_phone(other.phone)


def age(person: Person) -> int | None:
    if person.birth_date is None:
        return None
    today = timezone.localdate()
    born = person.birth_date
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def registered_place(person: Person) -> str:
    """Where a resident ID was issued: province, city and county from its first six digits."""
    if person.document_type != "resident_id" or len(person.id_number) != 18:
        return ""
    parts = numdb.get("cn/loc").info(person.id_number[:6])
    names = [value for _, properties in parts for value in properties.values()]
    # A county renamed over time is listed as "[1983-]江岸区,[-1982]旧名"; keep the newest.
    return "".join(re.sub(r"^\[[^\]]*\]", "", name.split(",")[0]) for name in names)


def _address(person: Person) -> str:
    dwelling = person.dwelling
    if dwelling is None:
        return ""
    return f"{dwelling.building.address}{dwelling.unit}单元{dwelling.room}室"


def _label(person: Person, field: str) -> str:
    return str(getattr(person, f"get_{field}_display")()) if getattr(person, field) else ""


def _yes_no(value: bool | None) -> str:
    return "" if value is None else ("是" if value else "否")


def _dwelling(read: Callable[[Any], Any]) -> Callable[[Person, Lookups], Any]:
    """A fact of the person's dwelling (empty without one)."""
    return lambda person, _lookups: read(person.dwelling) if person.dwelling else None


def _lease_period(dwelling: Any) -> str:
    if not dwelling.lease_start and not dwelling.lease_end:
        return ""
    start, end = dwelling.lease_start, dwelling.lease_end
    return f"{start.isoformat() if start else ''}至{end.isoformat() if end else ''}"


def _number(value: Decimal | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


REPORT_FIELDS: dict[str, ReportField] = {
    "name": ReportField(_("name"), lambda p, _: p.name),
    "sex": ReportField(_("sex"), lambda p, _: _label(p, "sex")),
    "birth_date": ReportField(_("birth date"), lambda p, _: p.birth_date,
                              SensitiveField.BIRTH_DATE, format="date"),
    "age": ReportField(_("age"), lambda p, _: age(p), collectable=False, format="number"),
    "ethnicity": ReportField(_("ethnicity"), lambda p, _: p.ethnicity),
    "document_type": ReportField(_("document type"), lambda p, _: _label(p, "document_type")),
    "id_number": ReportField(_("ID number"), lambda p, _: p.id_number,
                             SensitiveField.ID_NUMBER),
    "registered_place": ReportField(_("place the ID was issued"),
                                    lambda p, _: registered_place(p), collectable=False),
    "phone": ReportField(_("phone"), lambda p, _: p.phone, SensitiveField.PHONE),
    "residence_type": ReportField(_("residence type"), lambda p, _: _label(p, "residence_type")),
    "occupation": ReportField(_("occupation"), lambda p, _: p.occupation),
    "health_status": ReportField(
        _("health status"),
        lambda p, _: "" if p.health_status == "unknown" else _label(p, "health_status"),
        SensitiveField.HEALTH_STATUS),
    "vulnerable_tags": ReportField(
        _("vulnerable groups"),
        lambda p, _: "、".join(str(VulnerableTag(tag).label) for tag in p.vulnerable_tags),
        SensitiveField.VULNERABLE_TAGS, collectable=False),
    "address": ReportField(_("address"), lambda p, _: _address(p)),
    "building": ReportField(_("building"),
                            lambda p, _: p.dwelling.building.name if p.dwelling else ""),
    "unit": ReportField(_("unit"), lambda p, _: p.dwelling.unit if p.dwelling else None,
                        format="number"),
    "floor": ReportField(_("floor"), lambda p, _: p.dwelling.floor if p.dwelling else None,
                         format="number"),
    "room": ReportField(_("room"), lambda p, _: p.dwelling.room if p.dwelling else ""),
    "household_number": ReportField(_("household number"),
                                    lambda p, _: p.household.number if p.household else ""),
    "relationship": ReportField(_("relationship to head"), lambda p, _: _label(p, "relationship")),
    "grid": ReportField(_("grid"), lambda p, places: places.name(p.grid_code),
                        collectable=False),
    "community": ReportField(_("community"), lambda p, places: places.name(p.grid_code[:12]),
                             collectable=False),
    "street": ReportField(_("street"),
                          lambda p, places: places.name(p.grid_code[:9] + "000"),
                          collectable=False),
    "registered_on": ReportField(_("registered on"),
                                 lambda p, _: timezone.localdate(p.created),
                                 collectable=False, format="date"),
    # The dwelling and its building: rented dwellings (出租房屋) with their owner and lease.
    "landlord": ReportField(_("landlord"), _dwelling(lambda d: d.owner_id), collectable=False),
    "landlord_phone": ReportField(_("landlord's phone"), _dwelling(lambda d: d.owner_id),
                                  SensitiveField.PHONE, collectable=False),
    "rented": ReportField(_("rented out"), _dwelling(lambda d: _yes_no(d.rented))),
    "lease_start": ReportField(_("lease start"), _dwelling(lambda d: d.lease_start),
                               format="date"),
    "lease_end": ReportField(_("lease end"), _dwelling(lambda d: d.lease_end), format="date"),
    # Departments ask for the lease in one column (租赁起止日期).
    "lease_period": ReportField(_("lease period"), _dwelling(_lease_period)),
    "floor_area": ReportField(_("floor area (m²)"), _dwelling(lambda d: _number(d.floor_area)),
                              format="number"),
    "occupants": ReportField(_("people living there"), _dwelling(lambda d: d.pk),
                             collectable=False, format="number"),
    "has_lift": ReportField(_("lift"), _dwelling(lambda d: _yes_no(d.building.has_lift))),
    # The row's number in the report (序号), counted as the rows are written.
    "row_number": ReportField(_("row number"), lambda p, _: None, collectable=False,
                              format="number"),
}

# Fields whose read gives an id that the report's lookups turn into the value.
LOOKED_UP = {"landlord": Lookups.person_name, "landlord_phone": Lookups.person_phone,
             "occupants": lambda lookups, pk: lookups.occupants.get(pk, 0)}


def _looked_up(name: str, field: ReportField) -> ReportField:
    look = LOOKED_UP[name]
    read = field.read
    return ReportField(field.label, lambda p, lookups: (
        None if (key := read(p, lookups)) is None else look(lookups, key)),
        field.sensitive, field.collectable, format=field.format)


REPORT_FIELDS.update({name: _looked_up(name, REPORT_FIELDS[name]) for name in LOOKED_UP})


def _circumstance_value(population_field: PopulationField) -> Callable[[Person, Lookups], Any]:
    """How a report shows one population field's value: a choice's label, yes/no, a date as
    a date, a linked person by name, a disability certificate as the whole number (the
    holder's ID and the two digits stored)."""
    population, key = population_field.population.key, population_field.key
    kind = population_field.kind
    choices = dict(population_field.choice_list())

    def read(person: Person, lookups: Lookups) -> Any:
        value = lookups.value(person, population, key)
        if value is None or value == "":
            return None
        if kind == FieldKind.CHOICE:
            return choices.get(value, str(value))
        if kind == FieldKind.YES_NO:
            return _yes_no(bool(value))
        if kind == FieldKind.DATE:
            try:
                return datetime.date.fromisoformat(str(value))
            except ValueError:
                return str(value)
        if kind == FieldKind.PERSON:
            return lookups.person_name(value)
        if population_field.check_rule == Check.DISABILITY_CERTIFICATE:
            return person.id_number + str(value) if person.id_number else ""
        return value

    return read


FORMAT_OF_KIND: dict[str, str] = {FieldKind.DATE: "date", FieldKind.NUMBER: "number"}


def _linked_phone(population: str, key: str) -> Callable[[Person, Lookups], str]:
    return lambda person, lookups: lookups.person_phone(lookups.value(person, population, key))



def population_fields() -> dict[str, ReportField]:
    """A report field for each field of each population, ``<population>.<field>``, and for a
    person link also ``<population>.<field>.phone`` (the linked person's phone)."""
    fields: dict[str, ReportField] = {}
    for population_field in (PopulationField.objects.select_related("population")
                             .order_by("population__key", "position", "pk")):
        population = population_field.population
        name = f"{population.key}.{population_field.key}"
        sensitive = None
        if population_field.kind == FieldKind.PHONE:
            sensitive = SensitiveField.PHONE
        elif population_field.check_rule == Check.DISABILITY_CERTIFICATE:
            sensitive = SensitiveField.ID_NUMBER
        fields[name] = ReportField(f"{population.name}：{population_field.label}",
                                   _circumstance_value(population_field), sensitive,
                                   within=SensitiveField.VULNERABLE_TAGS,
                                   population=population.key,
                                   format=FORMAT_OF_KIND.get(population_field.kind, "text"))
        if population_field.kind == FieldKind.PERSON:
            fields[f"{name}.phone"] = ReportField(
                f"{population.name}：{population_field.label}（{_('phone')}）",
                _linked_phone(population.key, population_field.key), SensitiveField.PHONE,
                collectable=False, within=SensitiveField.VULNERABLE_TAGS, population=population.key)
    return fields


def person_fields() -> dict[str, ReportField]:
    """Every field a report of persons may name: the person's own, and the populations'."""
    return {**REPORT_FIELDS, **population_fields()}


POPULATION_FILTERS = ("age_at_least", "age_below", "residence_types", "health_statuses",
                      "vulnerable_any", "populations", "values", "rented", "any")


# The choices a list filter takes its values from.
_FILTER_CHOICES = {"residence_types": ResidenceType, "health_statuses": HealthStatus,
                   "vulnerable_any": VulnerableTag}


def population_errors(population: Any) -> list[str]:
    """What is wrong with a population, one message per problem (empty when it is usable)."""
    if not isinstance(population, dict):
        return [str(_("Give the population as an object of filters, e.g. "
                      '{"age_at_least": 60}.'))]
    errors: list[str] = []
    for key, value in population.items():
        if key in ("age_at_least", "age_below"):
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 150:
                errors.append(str(_("%(filter)s takes a whole number of years.")
                                  % {"filter": key}))
        elif key in _FILTER_CHOICES:
            codes = _FILTER_CHOICES[key].values
            if not isinstance(value, list) or not value:
                errors.append(str(_("%(filter)s takes a list of codes: %(codes)s.")
                                  % {"filter": key, "codes": ", ".join(codes)}))
            elif unknown := [str(code) for code in value if code not in codes]:
                errors.append(str(_("%(filter)s: unknown %(unknown)s; use %(codes)s.")
                                  % {"filter": key, "unknown": ", ".join(unknown),
                                     "codes": ", ".join(codes)}))
        elif key == "populations":
            errors += _populations_errors(value)
        elif key == "values":
            errors += _values_errors(value)
        elif key == "rented":
            if not isinstance(value, bool):
                errors.append(str(_("rented takes true or false.")))
        elif key == "any":
            if not isinstance(value, list) or not value:
                errors.append(str(_("any takes a list of populations, any of which may hold.")))
            else:
                errors += [error for alternative in value
                           for error in population_errors(alternative)]
        else:
            errors.append(str(_("Unknown population filter %(filter)s; use %(filters)s.")
                              % {"filter": key, "filters": ", ".join(POPULATION_FILTERS)}))
    return errors


def _populations_errors(value: Any) -> list[str]:
    known = set(Population.objects.values_list("key", flat=True))
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        return [str(_("populations takes a list of population codes: %(codes)s.")
                    % {"codes": ", ".join(sorted(known))})]
    if unknown := [code for code in value if code not in known]:
        return [str(_("populations: unknown %(unknown)s; use %(codes)s.")
                    % {"unknown": ", ".join(unknown), "codes": ", ".join(sorted(known))})]
    return []


def _values_errors(value: Any) -> list[str]:
    if not isinstance(value, dict) or not value:
        return [str(_('values takes an object of population fields and the value each must '
                      'hold, e.g. {"older_people.living_situation": "alone"}.'))]
    errors = []
    for name, wanted in value.items():
        population_field = _population_field(name)
        if population_field is None:
            errors.append(str(_("values: no population field %(name)s.") % {"name": name}))
        elif isinstance(wanted, list | dict) or wanted is None:
            errors.append(str(_("values: %(name)s takes one value.") % {"name": name}))
        elif population_field.kind == FieldKind.CHOICE and str(wanted) not in {
                part for pair in population_field.choice_list() for part in pair}:
            errors.append(str(_("values: %(name)s is one of %(choices)s.")
                              % {"name": name, "choices": ", ".join(
                                  code for code, _label in population_field.choice_list())}))
    return errors


def _population_field(name: str) -> PopulationField | None:
    population, _dot, key = str(name).partition(".")
    return (PopulationField.objects.filter(population__key=population, key=key)
            .select_related("population").first())


def _current(population: str, **values: Any) -> Q:
    """Persons with a current circumstance in ``population`` holding ``values``."""
    return Q(pk__in=Circumstance.objects.filter(
        ended_on=None, population__key=population, **values).values("person_id"))


def population_condition(population: dict[str, Any]) -> Q:
    """The filter a template's population stands for. Keys: ``age_at_least``, ``age_below``,
    ``residence_types``, ``health_statuses``, ``vulnerable_any`` (any of the tags),
    ``populations`` (a current circumstance in any of them), ``values`` (population fields
    each holding a value: ``{"older_people.living_situation": "alone"}``), ``rented`` (living
    in a dwelling rented out, or not), and ``any`` (a list of such dicts, any of which may
    hold); all keys must hold."""
    condition = Q()
    today = timezone.localdate()
    for key, value in population.items():
        if key == "age_at_least":
            condition &= Q(birth_date__lte=_years_before(today, int(value)))
        elif key == "age_below":
            condition &= Q(birth_date__gt=_years_before(today, int(value)))
        elif key == "residence_types":
            condition &= Q(residence_type__in=value)
        elif key == "health_statuses":
            condition &= Q(health_status__in=value)
        elif key == "vulnerable_any":
            # Tags are stored as a sorted JSON list of codes; a quoted code matches one tag.
            tags = Q(pk__in=[])
            for tag in value:
                tags |= Q(vulnerable_tags__icontains=f'"{tag}"')
            condition &= tags
        elif key == "populations":
            condition &= Q(pk__in=Circumstance.objects.filter(
                ended_on=None, population__key__in=value).values("person_id"))
        elif key == "values":
            for name, wanted in value.items():
                code, _dot, field_key = name.partition(".")
                population_field = _population_field(name)
                if population_field is not None and population_field.kind == FieldKind.CHOICE:
                    wanted = next((choice for choice, label in population_field.choice_list()
                                   if str(wanted) in (choice, label)), wanted)
                # Field keys are [a-z][a-z0-9_]*; __exact keeps one named like a lookup a key.
                condition &= _current(code, **{f"values__{field_key}__exact": wanted})
        elif key == "rented":
            condition &= Q(dwelling__rented=value)
        elif key == "any":
            alternatives = Q(pk__in=[])
            for alternative in value:
                alternatives |= population_condition(alternative)
            condition &= alternatives
        else:
            raise ValueError(f"unknown population filter {key!r}; use {POPULATION_FILTERS}")
    return condition


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)
