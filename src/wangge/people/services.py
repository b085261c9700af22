"""Writes for people and households: validated, scoped, and recorded with a reason."""

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from wangge.divisions.models import Grid
from wangge.foundation.actors import Actor, user_of
from wangge.foundation.codes import Level, level_of
from wangge.foundation.history import delete_unless_used, save_with_history, stated_reason
from wangge.foundation.permissions import Action, require, require_in_scope
from wangge.normalisers import (
    DocumentType,
    ResidentId,
    normalise_document_number,
    normalise_phone,
    parse_resident_id,
)
from wangge.places.models import Dwelling

from .models import Household, Person, PersonMove, Relationship, VulnerableTag

EDITABLE_FIELDS = {
    "name", "document_type", "id_number", "sex", "birth_date", "ethnicity", "phone",
    "residence_type", "occupation", "health_status", "vulnerable_tags",
}


# Built once: person_errors runs for every row of an import, and TextChoices.values is a
# property that builds its list on each use.
VULNERABLE_TAGS = frozenset(VulnerableTag.values)


def person_errors(person: Person) -> dict[str, list[str]]:
    """Normalise the person's name, document and phone in place, derive birth date and sex
    from a resident ID, and return the broken rules by field. Reads nothing from the database,
    so imports can check a million rows with it."""
    errors: dict[str, list[str]] = {}
    person.name = " ".join(person.name.split())
    if not person.name:
        errors["name"] = [_("A name is required.")]
    if person.id_number:
        try:
            if person.document_type == DocumentType.RESIDENT_ID:
                _check_against_resident_id(person, parse_resident_id(person.id_number), errors)
            else:
                person.id_number = normalise_document_number(person.document_type,
                                                             person.id_number)
        except ValidationError as error:
            errors["id_number"] = error.messages
    if person.phone:
        try:
            person.phone = normalise_phone(person.phone)
        except ValidationError as error:
            errors["phone"] = error.messages
    unknown_tags = set(person.vulnerable_tags or []) - VULNERABLE_TAGS
    if unknown_tags:
        errors["vulnerable_tags"] = [_("Unknown vulnerable group: %(tags)s.")
                                     % {"tags": ", ".join(sorted(unknown_tags))}]
    person.vulnerable_tags = sorted(set(person.vulnerable_tags or []))
    return errors


def person_validate(person: Person) -> None:
    """Check the person (see person_errors) and that no other record has the same document;
    raise one ValidationError naming every field that breaks a rule."""
    errors = person_errors(person)
    if person.id_number and "id_number" not in errors:
        duplicate = Person.objects.filter(
            document_type=person.document_type, id_number=person.id_number
        ).exclude(pk=person.pk)
        if duplicate.exists():
            errors["id_number"] = [_("Another person already has this ID number; one person "
                                     "has one record.")]
    if errors:
        raise ValidationError(errors)
    person.full_clean(exclude=["grid_code", "dwelling", "household"], validate_unique=False,
                      validate_constraints=False)


def _check_against_resident_id(person: Person, resident_id: ResidentId,
                               errors: dict[str, list[str]]) -> None:
    """Birth date and sex come from the ID; an entered value that differs is an error."""
    person.id_number = resident_id.number
    if person.birth_date and _as_date(person.birth_date) != resident_id.birth_date:
        errors["birth_date"] = [
            _("The birth date %(entered)s contradicts the ID number, which says %(derived)s.")
            % {"entered": person.birth_date, "derived": resident_id.birth_date.isoformat()}
        ]
    if person.sex and person.sex != resident_id.sex:
        errors["sex"] = [_("The sex entered contradicts the ID number (its 17th digit is odd "
                           "for men, even for women).")]
    person.birth_date = person.birth_date or resident_id.birth_date
    person.sex = person.sex or resident_id.sex


def _as_date(value: Any) -> datetime.date:
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(str(value))


def _grid_code_for(*, dwelling: Dwelling | None, grid_code: str | None) -> str:
    if dwelling is not None:
        return dwelling.grid_code
    if not grid_code or level_of(grid_code) != Level.GRID or not Grid.objects.filter(
        code=grid_code
    ).exists():
        raise ValidationError({"grid_code": _("Give the person's dwelling, or an existing "
                                              "15-digit grid code.")})
    return grid_code


@transaction.atomic
def person_create(
    *, by: Actor, reason: str = "", dwelling: Dwelling | None = None,
    grid_code: str | None = None, household: Household | None = None,
    relationship: str = "", **fields: Any,
) -> Person:
    require(by, Action.EDIT_PEOPLE)
    if unknown := set(fields) - EDITABLE_FIELDS:
        raise ValidationError(_("Unknown fields: %(fields)s") % {"fields": ", ".join(unknown)})
    person = Person(**fields)
    person.dwelling = dwelling
    person.grid_code = _grid_code_for(dwelling=dwelling, grid_code=grid_code)
    require_in_scope(by, person.grid_code, "dwelling" if dwelling else "grid_code")
    person.household, person.relationship = household, relationship
    person_validate(person)
    return save_with_history(person, by=by, reason=reason)


@transaction.atomic
def person_update(*, person: Person, by: Actor, reason: str, **changes: Any) -> Person:
    """Correct a person's fields. A reason is required: it is kept in the history. A missing
    reason and broken rules are reported together, so a form shows every error at once."""
    require(by, Action.EDIT_PEOPLE)
    require_in_scope(by, person.grid_code, "person")
    if unknown := set(changes) - EDITABLE_FIELDS:
        raise ValidationError(_("Unknown fields: %(fields)s") % {"fields": ", ".join(unknown)})
    for field, value in changes.items():
        setattr(person, field, value)
    if {"id_number", "document_type"} & changes.keys():
        # Re-derive from the new ID unless the caller also gave them.
        person.birth_date = changes.get("birth_date")
        person.sex = changes.get("sex", "")
    errors: dict[str, list[str]] = {}  # every broken rule is shown at once
    try:
        reason = stated_reason(reason)
    except ValidationError as error:
        errors.update(error.message_dict)
    try:
        person_validate(person)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    return save_with_history(person, by=by, reason=reason)


@transaction.atomic
def person_transfer(
    *, person: Person, dwelling: Dwelling, moved_on: datetime.date, by: Actor,
    reason: str,
) -> PersonMove:
    """Move the same record to another dwelling (and so maybe another grid), with its date."""
    require(by, Action.EDIT_PEOPLE)
    require_in_scope(by, dwelling.grid_code, "dwelling")
    reason = stated_reason(reason, _("Say why the person moved."))
    if dwelling.pk == person.dwelling_id:
        raise ValidationError({"dwelling": _("The person already lives in this dwelling.")})
    if moved_on > datetime.date.today():
        raise ValidationError({"moved_on": _("A move cannot be dated in the future.")})
    move = PersonMove.objects.create(
        person=person, from_grid_code=person.grid_code, to_grid_code=dwelling.grid_code,
        from_dwelling_id=person.dwelling_id, to_dwelling=dwelling, moved_on=moved_on,
        reason=reason, by=user_of(by),
    )
    person.dwelling, person.grid_code = dwelling, dwelling.grid_code
    save_with_history(person, by=by, reason=reason)
    return move


@transaction.atomic
def household_create(
    *, head: Person, dwelling: Dwelling | None = None, number: str = "",
    by: Actor, reason: str = "",
) -> Household:
    require(by, Action.EDIT_PEOPLE)
    dwelling = dwelling or head.dwelling
    household = Household(number=number.strip(), head=head, dwelling=dwelling,
                          grid_code=dwelling.grid_code if dwelling else head.grid_code)
    require_in_scope(by, household.grid_code, "dwelling")
    save_with_history(household, by=by, reason=reason)
    household_add_member(household=household, person=head, relationship=Relationship.HEAD,
                         by=by, reason=reason)
    return household


@transaction.atomic
def household_add_member(
    *, household: Household, person: Person, relationship: str, by: Actor,
    reason: str = "",
) -> Person:
    require(by, Action.EDIT_PEOPLE)
    require_in_scope(by, person.grid_code, "person")
    if relationship not in Relationship.values:
        raise ValidationError({"relationship": _("Unknown relationship %(value)s.")
                               % {"value": relationship}})
    if relationship == Relationship.HEAD and household.head_id not in (None, person.pk):
        raise ValidationError({"relationship": _("This household already has a head.")})
    person.household, person.relationship = household, relationship
    return save_with_history(person, by=by, reason=reason)


@transaction.atomic
def household_update(
    *, household: Household, by: Actor, reason: str, **changes: Any
) -> Household:
    """Change a household's number, dwelling or head (or clear the last two). A new head must
    already be a member; the former head stays a member, as "other" until corrected."""
    require(by, Action.EDIT_PEOPLE)
    require_in_scope(by, household.grid_code, "household")
    reason = stated_reason(reason)
    if "number" in changes:
        household.number = changes["number"].strip()
    if "dwelling" in changes:
        household.dwelling = changes["dwelling"]
        if household.dwelling is not None:
            household.grid_code = household.dwelling.grid_code
            require_in_scope(by, household.grid_code, "dwelling")
    if "head" in changes and changes["head"] != household.head:
        _head_changed(household, changes["head"], by=by, reason=reason)
    household.full_clean()
    return save_with_history(household, by=by, reason=reason)


def _head_changed(household: Household, head: Person | None, *, by: Actor,
                  reason: str) -> None:
    if head is not None and head.household_id != household.pk:
        raise ValidationError({"head": _("%(name)s is not a member of this household; add "
                                         "them first.") % {"name": head.name}})
    former = household.head
    household.head = head
    if former is not None and former.household_id == household.pk:
        former.relationship = Relationship.OTHER
        save_with_history(former, by=by, reason=reason)
    if head is not None:
        head.relationship = Relationship.HEAD
        save_with_history(head, by=by, reason=reason)


@transaction.atomic
def household_remove_member(
    *, household: Household, person: Person, by: Actor, reason: str
) -> Person:
    """Take a person out of a household (the record stays; a head leaves it headless)."""
    require(by, Action.EDIT_PEOPLE)
    require_in_scope(by, person.grid_code, "person")
    reason = stated_reason(reason)
    if person.household_id != household.pk:
        raise ValidationError({"person": _("%(name)s is not a member of this household.")
                               % {"name": person.name}})
    if household.head_id == person.pk:
        household.head = None
        save_with_history(household, by=by, reason=reason)
    person.household, person.relationship = None, ""
    return save_with_history(person, by=by, reason=reason)


@transaction.atomic
def household_delete(*, household: Household, by: Actor, reason: str) -> None:
    """Delete a household without members (take them out first, each with the reason)."""
    require(by, Action.EDIT_PEOPLE)
    require_in_scope(by, household.grid_code, "household")
    delete_unless_used(household, by=by, reason=reason)
