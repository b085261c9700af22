"""Writes of care: visit rules (the back office, as data) and visits (on a phone).

A visit that finds someone in need of help files an event through
``events.services.event_report`` (the one way an event is made), under the rule's category,
in the same transaction, and links it from the visit.
"""

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from wangge.divisions.selectors import grid_point
from wangge.events.models import Category, Channel, Priority
from wangge.events.services import event_report
from wangge.foundation.actors import Actor, user_of
from wangge.foundation.history import save_with_history, stated_reason
from wangge.foundation.permissions import (
    Action,
    SensitiveField,
    require,
    require_in_scope,
    sees_unmasked,
)
from wangge.people.models import Person
from wangge.populations.models import Circumstance, FieldKind, Population, PopulationField

from .models import CareRule, CareVisit, Outcome

# The rules every installation starts with: population, field, value, days, category.
SHIPPED_RULES = [
    ("older_people", "living_situation", "alone", 7, "elderly-alone"),
    ("disability", "", "", 30, "disability"),
    ("chronic_illness", "", "", 30, "medical"),
    ("left_behind_child", "", "", 14, "left-behind-child"),
]

YES = {"true", "1", "yes", "是"}
NO = {"false", "0", "no", "否"}


def rules_install(rule_model: type[CareRule] = CareRule,
                  population_model: type[Population] = Population,
                  category_model: type[Category] = Category) -> int:
    """Install the shipped rules (the data migration, and tests on a flushed database);
    a rule already there, changed or not, is left as it is."""
    installed = 0
    for population, field_key, field_value, days, category in SHIPPED_RULES:
        found = population_model.objects.filter(key=population).first()
        chosen = category_model.objects.filter(code=category).first()
        if found is None or chosen is None:
            continue  # a trimmed installation: nothing to attach the rule to
        _rule, created = rule_model.objects.get_or_create(
            population=found, field_key=field_key, field_value=field_value,
            defaults={"interval_days": days, "category": chosen})
        installed += created
    return installed


def condition_value(field: PopulationField, text: str) -> Any:
    """A rule's condition as the circumstance's JSON holds it: a choice's code, true/false,
    a number, or the text; a ValidationError naming what the field accepts."""
    text = text.strip()
    if field.kind == FieldKind.CHOICE:
        codes = [code for code, _label in field.choice_list()]
        if text not in codes:
            raise ValidationError({"field_value": _("%(label)s is one of: %(codes)s.")
                                   % {"label": field.label, "codes": ", ".join(codes)}})
        return text
    if field.kind == FieldKind.YES_NO:
        if text.lower() not in YES | NO:
            raise ValidationError({"field_value": _("Write true or false.")})
        return text.lower() in YES
    if field.kind == FieldKind.NUMBER:
        try:
            number = float(text)
        except ValueError:
            raise ValidationError({"field_value": _("Write a number.")}) from None
        return int(number) if number.is_integer() else number
    if field.kind in (FieldKind.TEXT, FieldKind.DATE):
        return text
    raise ValidationError({"field_key": _("A rule's condition is a choice, yes/no, number, "
                                          "text or date field.")})


def rule_members(rule: CareRule, on: datetime.date | None = None) -> Q:
    """The circumstances ``rule`` applies to, as a condition on Circumstance: current ones,
    or those current on the day ``on`` (by the values they hold now: a value's history is
    not consulted). Reads the population's fields as fetched (prefetch them for a list)."""
    condition = Q(population_id=rule.population_id)
    if on is None:
        condition &= Q(ended_on=None)
    else:
        condition &= (Q(ended_on=None) | Q(ended_on__gt=on)) & (Q(since=None)
                                                               | Q(since__lte=on))
    if rule.field_key:
        field = next((field for field in rule.population.fields.all()
                      if field.key == rule.field_key), None)
        if field is None:
            return Q(pk__in=[])  # the field was removed: the rule applies to no one
        condition &= Q(**{f"values__{rule.field_key}": condition_value(
            field, rule.field_value)})
    return condition


def care_rule_save(*, rule: CareRule, by: Actor, reason: str) -> CareRule:
    """Save a visit rule (new or changed), checked: its condition names a field of the
    population and a value that field can hold."""
    require(by, Action.DEFINE_POPULATIONS)
    reason = stated_reason(reason)
    errors: dict[str, list[str]] = {}
    rule.field_key, rule.field_value = rule.field_key.strip(), rule.field_value.strip()
    if rule.field_value and not rule.field_key:
        errors["field_key"] = [_("Name the field the value is for.")]
    if rule.field_key:
        field = rule.population.fields.filter(key=rule.field_key).first()
        if field is None:
            errors["field_key"] = [_("%(population)s has no field %(key)s.") % {
                "population": rule.population.name, "key": rule.field_key}]
        elif not rule.field_value:
            errors["field_value"] = [_("Give the value the field must hold.")]
        else:
            try:
                condition_value(field, rule.field_value)
            except ValidationError as error:
                for name, messages in error.message_dict.items():
                    errors.setdefault(name, []).extend(messages)
    if not rule.category.active:
        errors["category"] = [_("This category is no longer in use.")]
    same = CareRule.objects.filter(population=rule.population, field_key=rule.field_key,
                                   field_value=rule.field_value).exclude(pk=rule.pk)
    if same.exists():
        errors.setdefault("field_value", []).append(
            _("This population already has a rule for this condition."))
    if errors:
        raise ValidationError(errors)
    try:
        rule.full_clean(exclude=["population", "category"], validate_unique=False,
                        validate_constraints=False)
    except ValidationError as error:
        raise ValidationError(error.message_dict) from error
    with transaction.atomic():
        return save_with_history(rule, by=by, reason=reason)


def _require_visitor(by: Actor) -> None:
    """Those who record people's data and see who is vulnerable: a visit says both."""
    require(by, Action.EDIT_PEOPLE)
    if not sees_unmasked(by, SensitiveField.VULNERABLE_TAGS):
        raise PermissionDenied(_("Your role does not see people's circumstances."))


def event_place(person: Person) -> dict[str, Any]:
    """Where the event of a visit is: the person's dwelling, or a point in their grid."""
    if person.dwelling_id is not None:
        return {"dwelling": person.dwelling}
    point = grid_point(person.grid_code)
    if point is None:
        raise ValidationError(_("%(name)s has neither a dwelling nor a grid to place the "
                                "event in.") % {"name": person.name})
    return {"longitude": point[0], "latitude": point[1]}


def care_visit_record(*, person: Person, rule: CareRule, outcome: str, by: Actor,
                      note: str = "", channel: str = Channel.WEB,
                      visited_at: datetime.datetime | None = None) -> CareVisit:
    """Record a visit to ``person`` under ``rule`` (now, unless ``visited_at`` says when
    earlier today or before). "Needs help" files an event under the rule's category and
    links it; it needs a note saying what help."""
    _require_visitor(by)
    require_in_scope(by, person.grid_code, "person")
    note = note.strip()
    errors: dict[str, list[str]] = {}
    if outcome not in Outcome.values:
        errors["outcome"] = [_("Choose how the visit went.")]
    if outcome == Outcome.NEEDS_HELP and not note:
        errors["note"] = [_("Say what help is needed.")]
    if len(note) > 200:
        errors["note"] = [_("Keep the note to 200 characters.")]
    now = timezone.now()
    if visited_at is not None and visited_at > now:
        errors["visited_at"] = [_("The visit cannot be in the future.")]
    if not rule.active:
        errors["rule"] = [_("This visit rule is no longer in use.")]
    elif not Circumstance.objects.filter(rule_members(rule), person=person).exists():
        errors["rule"] = [_("%(name)s is not under this visit rule.") % {"name": person.name}]
    if person.merged_into_id is not None:
        errors["person"] = [_("This record was merged into another.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        visit = CareVisit(person=person, rule=rule, grid_code=person.grid_code,
                          visited_at=visited_at or now, visitor=user_of(by),
                          outcome=outcome, note=note)
        if outcome == Outcome.NEEDS_HELP:
            visit.event = event_report(
                category=rule.category, priority=Priority.HIGH, channel=channel, by=by,
                description=_("Care visit to %(name)s (%(population)s): needs help. "
                              "%(note)s") % {"name": person.name,
                                             "population": rule.population.name,
                                             "note": note},
                **event_place(person))
        return save_with_history(visit, by=by, reason=_("visited"))
