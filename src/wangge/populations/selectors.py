"""Reads of circumstances: through the caller's jurisdiction, and only for roles that see
vulnerable groups unmasked (a circumstance says as much as a tag, and more)."""

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from wangge.access.models import User
from wangge.foundation.permissions import Action, Asker, SensitiveField, can, sees_unmasked, shown
from wangge.people.models import Person
from wangge.people.selectors import persons_visible_to

from .models import Check, Circumstance, FieldKind, Population, PopulationField


def sees_circumstances(user: Asker) -> bool:
    return can(user, Action.VIEW_PEOPLE) and sees_unmasked(user, SensitiveField.VULNERABLE_TAGS)


def circumstances_visible_to(user: User) -> QuerySet[Circumstance]:
    if not sees_circumstances(user):
        return Circumstance.objects.none()
    return Circumstance.objects.in_scope(user.scope_prefixes).filter(
        person__merged_into=None)


def populations_with_fields() -> list[Population]:
    return list(Population.objects.prefetch_related("fields"))


@dataclass(frozen=True)
class ShownValue:
    label: str
    text: str  # as the reader may see it ("" when empty)
    person_id: int | None = None  # a linked person the reader may open


def value_text(field: PopulationField, value: Any, *, user: Asker, holder: Person,
               linked: dict[int, Person], visible: set[int]) -> ShownValue:
    """One value as ``user`` may read it: a choice's label, yes/no, a phone masked for a
    role that sees phones masked, a linked person by name (and phone) when visible to them,
    a disability certificate as the whole number, masked like an ID number."""
    if value is None or value == "":
        return ShownValue(field.label, "")
    if field.kind == FieldKind.CHOICE:
        return ShownValue(field.label, dict(field.choice_list()).get(value, str(value)))
    if field.kind == FieldKind.YES_NO:
        return ShownValue(field.label, "是" if value else "否")
    if field.kind == FieldKind.PHONE:
        return ShownValue(field.label, str(shown(user, SensitiveField.PHONE, value)))
    if field.kind == FieldKind.PERSON:
        other = linked.get(value)
        if other is None:
            return ShownValue(field.label, "")
        if other.pk not in visible:
            return ShownValue(field.label, other.name[:1] + "*" * (len(other.name) - 1))
        phone = shown(user, SensitiveField.PHONE, other.phone)
        return ShownValue(field.label, f"{other.name} {phone}".strip(), other.pk)
    if field.check_rule == Check.DISABILITY_CERTIFICATE:
        return ShownValue(field.label, str(shown(user, SensitiveField.ID_NUMBER,
                                                 holder.id_number + str(value),
                                                 revealed=False)))
    return ShownValue(field.label, str(value))


@dataclass(frozen=True)
class ShownCircumstance:
    circumstance: Circumstance
    population: Population
    values: list[ShownValue]


def person_circumstances(user: User, person: Person) -> list[ShownCircumstance] | None:
    """The person's current circumstances as ``user`` may read them; None for a role that
    does not see them."""
    if not sees_circumstances(user):
        return None
    current = list(circumstances_visible_to(user).filter(person=person, ended_on=None)
                   .select_related("population").prefetch_related("population__fields"))
    linked_ids = {value for circumstance in current
                  for field in circumstance.population.fields.all()
                  if field.kind == FieldKind.PERSON
                  and isinstance(value := circumstance.values.get(field.key), int)}
    linked = Person.objects.in_bulk(linked_ids)
    visible = set(persons_visible_to(user).filter(pk__in=linked_ids)
                  .values_list("pk", flat=True))
    return [ShownCircumstance(circumstance, circumstance.population, [
        value_text(field, circumstance.values.get(field.key), user=user, holder=person,
                   linked=linked, visible=visible)
        for field in circumstance.population.fields.all()]) for circumstance in current]
