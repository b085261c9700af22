"""Writes of populations and circumstances: checked, scoped, and recorded with a reason."""

import datetime
import json
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wangge.foundation.actors import Actor
from wangge.foundation.history import delete_with_history, save_with_history, stated_reason
from wangge.foundation.permissions import (
    Action,
    SensitiveField,
    require,
    require_in_scope,
    sees_unmasked,
)
from wangge.people.models import Person
from wangge.people.selectors import persons_visible_to

from .models import Circumstance, FieldKind, Population, PopulationField
from .values import values_checked

SHIPPED = Path(__file__).with_name("shipped_populations.json")
FIELD_KEYS = ("key", "label", "kind", "choices", "required", "check_rule", "synonyms")


def populations_install(population_model: type[Population] = Population,
                        field_model: type[PopulationField] = PopulationField) -> int:
    """Install or refresh the shipped populations and their fields (the data migration,
    and tests on a flushed database); a department's own populations are left alone."""
    shipped = json.loads(SHIPPED.read_text(encoding="utf-8"))
    for entry in shipped:
        population, _created = population_model.objects.update_or_create(
            key=entry["key"], defaults={
                "name": entry["name"], "department": entry.get("department", ""),
                "description": entry.get("description", ""), "built_in": True,
                "tag": entry.get("tag", ""), "tag_field": entry.get("tag_field", ""),
                "tag_value": entry.get("tag_value", "")})
        for position, field in enumerate(entry["fields"]):
            field_model.objects.update_or_create(
                population=population, key=field["key"],
                defaults={**{name: field.get(name, "" if name != "required" else False)
                             for name in FIELD_KEYS if name != "key"},
                          "position": position})
    return len(shipped)


def population_definition_errors(population: Population,
                                 fields: list[PopulationField]) -> dict[str, list[str]]:
    """What is wrong with a population's fields as a department defines them."""
    errors: dict[str, list[str]] = {}
    keys = [field.key for field in fields]
    if repeated := sorted({key for key in keys if keys.count(key) > 1}):
        errors["fields"] = [_("Each field needs its own code: %(keys)s repeat.")
                            % {"keys": ", ".join(repeated)}]
    for field in fields:
        if field.kind == FieldKind.CHOICE and not field.choice_list():
            errors.setdefault("fields", []).append(
                _("%(label)s is a choice and needs its choices, one per line.")
                % {"label": field.label})
    if population.tag_field and population.tag_field not in keys:
        errors["tag_field"] = [_("No field has the code %(key)s.") % {"key": population.tag_field}]
    return errors


def person_finder(*, by: Actor, visible: Any) -> Any:
    """How a person field names someone: the id of a person ``visible`` (a queryset of the
    persons the actor sees), or a resident ID number of anyone in the registry (knowing the
    whole number is knowing the person; imports give numbers)."""
    def find(value: Any) -> int:
        if isinstance(value, Person):
            value = value.pk
        if isinstance(value, int) and not isinstance(value, bool):
            if visible.filter(pk=value).exists():
                return value
            raise ValidationError(_("No such person in your area."))
        text = str(value).strip()
        if text.isdigit() and len(text) < 12:
            return find(int(text))
        found = list(Person.objects.matching(id_number=text).filter(merged_into=None)
                     .values_list("pk", flat=True)[:2])
        if len(found) != 1:
            raise ValidationError(_("No person in the registry has the ID number %(number)s; "
                                    "record them first.") % {"number": text[:4] + "…"})
        return found[0]
    return find


def _tag_applies(population: Population, values: dict[str, Any]) -> bool:
    return bool(population.tag) and (not population.tag_field
                                     or values.get(population.tag_field) == population.tag_value)


def _tags_synced(person: Person, population: Population, *, by: Actor, reason: str) -> None:
    """Give the person ``population``'s tag while a current circumstance says it applies;
    take it away when none does. Other tags are left as they are."""
    if not population.tag:
        return
    applies = any(_tag_applies(circumstance.population, circumstance.values)
                  for circumstance in Circumstance.objects.filter(
                      person=person, ended_on=None, population__tag=population.tag)
                  .select_related("population"))
    tags = set(person.vulnerable_tags or [])
    wanted = tags | {population.tag} if applies else tags - {population.tag}
    if wanted != tags:
        person.vulnerable_tags = sorted(wanted)
        save_with_history(person, by=by, reason=reason)


def circumstance_save(*, person: Person, population: Population, values: dict[str, Any],
                      since: datetime.date | None = None, by: Actor, reason: str,
                      visible: Any = None) -> Circumstance:
    """Record the person's current circumstance in ``population`` (a new one, or the current
    one changed). ``visible`` is the queryset of persons a person field may name by id (by
    default, the persons in the actor's jurisdiction)."""
    require(by, Action.EDIT_PEOPLE)
    if not sees_unmasked(by, SensitiveField.VULNERABLE_TAGS):
        raise ValidationError(_("Your role does not see people's circumstances."))
    require_in_scope(by, person.grid_code)
    reason = stated_reason(reason)
    if visible is None:
        visible = persons_visible_to(by)  # type: ignore[arg-type]  # a system actor too
    checked, errors = values_checked(
        population.fields.all(), values, find_person=person_finder(by=by, visible=visible),
        person_id=person.pk,
        person_id_number=person.id_number if person.document_type == "resident_id" else "")
    if since and since > timezone.localdate():
        errors["since"] = [_("The date cannot be in the future.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = Person.objects.select_for_update().get(pk=person.pk)
        circumstance = (Circumstance.objects.filter(person=locked, population=population,
                                                    ended_on=None).first()
                        or Circumstance(person=locked, population=population))
        since = since or circumstance.since or timezone.localdate()
        if circumstance.pk and (circumstance.values, circumstance.since) == (checked, since):
            return circumstance  # nothing new: no history row for it
        circumstance.values, circumstance.since = checked, since
        save_with_history(circumstance, by=by, reason=reason)
        _tags_synced(locked, population, by=by, reason=reason)
    return circumstance


def circumstance_end(*, circumstance: Circumstance, ended_on: datetime.date | None = None,
                     by: Actor, reason: str) -> Circumstance:
    """The person is no longer in the population (moved away, recovered, …): kept, ended."""
    require(by, Action.EDIT_PEOPLE)
    require_in_scope(by, circumstance.person.grid_code)
    reason = stated_reason(reason)
    ended_on = ended_on or timezone.localdate()
    if circumstance.ended_on is not None:
        raise ValidationError(_("This circumstance has already ended."))
    if circumstance.since and ended_on < circumstance.since:
        raise ValidationError({"ended_on": _("It cannot end before it began.")})
    with transaction.atomic():
        circumstance.ended_on = ended_on
        save_with_history(circumstance, by=by, reason=reason)
        _tags_synced(circumstance.person, circumstance.population, by=by, reason=reason)
    return circumstance


def population_save(*, population: Population, fields: list[PopulationField],
                    removed: list[PopulationField] | None = None, by: Actor,
                    reason: str) -> Population:
    """Save a department's population with its fields (new, changed, ``removed``), checked
    together. The shipped populations' fields are the shipped file's: refused here. A field
    that holds values is not removed (its values would be lost)."""
    require(by, Action.DEFINE_POPULATIONS)
    reason = stated_reason(reason)
    removed = removed or []
    if population.built_in and (fields or removed):
        raise ValidationError(_("The fields of a built-in population come with wangge; add "
                                "a population of your own for other fields."))
    kept = [field for field in fields if field not in removed]
    if population.pk:
        others = population.fields.exclude(pk__in=[f.pk for f in [*fields, *removed] if f.pk])
        kept = [*others, *kept]
    errors = population_definition_errors(population, kept)
    for field in removed:
        if field.pk and population.circumstances.filter(values__has_key=field.key).exists():
            errors.setdefault("fields", []).append(
                _("%(label)s holds values and is kept.") % {"label": field.label})
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        save_with_history(population, by=by, reason=reason)
        for field in removed:
            if field.pk:
                delete_with_history(field, by=by, reason=reason)
        for field in fields:
            if field not in removed:
                field.population = population
                save_with_history(field, by=by, reason=reason)
    return population
