"""What a report column may show, and which persons a report covers.

Every report field is read from the registry as it stands; a template column naming any other
field is a value the registry does not hold, which the gap report names for the department.
"""

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from stdnum import numdb

from wangge.foundation.permissions import SensitiveField
from wangge.people.models import HealthStatus, Person, ResidenceType, VulnerableTag


@dataclass(frozen=True)
class ReportField:
    label: Any  # a (lazily translated) string
    # Reads a person (or, for a template with another source, that source's record).
    read: Callable[[Any, "Places"], Any]
    # The masked field this value is, if any: a role that sees it masked gets it masked.
    sensitive: SensitiveField | None = None
    # A value a grid worker can collect when it is missing (derived values are not tasks).
    collectable: bool = True


@dataclass
class Places:
    """Names of grids and divisions, looked up once per report."""

    names: dict[str, str]

    def name(self, code: str) -> str:
        return self.names.get(code, "")


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


REPORT_FIELDS: dict[str, ReportField] = {
    "name": ReportField(_("name"), lambda p, _: p.name),
    "sex": ReportField(_("sex"), lambda p, _: _label(p, "sex")),
    "birth_date": ReportField(_("birth date"), lambda p, _: p.birth_date,
                              SensitiveField.BIRTH_DATE),
    "age": ReportField(_("age"), lambda p, _: age(p), collectable=False),
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
    "unit": ReportField(_("unit"), lambda p, _: p.dwelling.unit if p.dwelling else None),
    "floor": ReportField(_("floor"), lambda p, _: p.dwelling.floor if p.dwelling else None),
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
                                 collectable=False),
}


POPULATION_FILTERS = ("age_at_least", "age_below", "residence_types", "health_statuses",
                      "vulnerable_any", "any")


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


def population_condition(population: dict[str, Any]) -> Q:
    """The filter a template's population stands for. Keys: ``age_at_least``, ``age_below``,
    ``residence_types``, ``health_statuses``, ``vulnerable_any`` (any of the tags), and
    ``any`` (a list of such dicts, any of which may hold); all keys must hold."""
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
