"""The rule types of the risk grades, as data: their schema, its check, the default rule set,
and the reason lines the rules give.

A rule set is a list of rule objects. Each names the ``subject`` it grades, the kind of fact it
looks at (``if``), that kind's parameters, and the ``grade`` it gives when it matches:

- a person: ``case`` (a case of one of ``statuses`` reported or confirmed within
  ``within_days``), ``exposure`` (a close or secondary contact, last contact within
  ``within_days``), ``check_in_alert`` (``at_least`` check-ins needing attention within
  ``within_days``);
- a building, a grid, a community: ``cases`` (``at_least`` residents with such a case),
  ``residents`` (``at_least`` residents ``graded`` medium or high or more);
- a grid, a community: ``buildings`` (``at_least`` buildings graded so);
- a community: ``grids`` (``at_least`` grids graded so).

A subject's grade is the highest grade of the rules that match it (low when none does); its
reasons are the rules that matched with the facts they matched on, stored as data
(``{"rule": index, "if": ..., "params": {...}, "facts": {...}}``) and rendered as a line in
the reader's language only when shown (``reason_text``).
"""

import datetime
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from wangge.epidemic.models import CaseStatus, ExposureDegree
from wangge.risk.models import Level, SubjectKind

MAX_RULES = 50
MAX_DAYS = 365
MAX_COUNT = 100_000
GRADES = {"medium": Level.MEDIUM, "high": Level.HIGH}

# What each subject may be graded on, and the parameters of each kind of rule (besides
# ``subject``, ``if`` and ``grade``): name → (kind of value, required).
_WINDOW = {"within_days": ("days", True)}
_PERSON_RULES: dict[str, dict[str, tuple[str, bool]]] = {
    "case": {"statuses": ("statuses", True), **_WINDOW},
    "exposure": {"degree": ("degree", True), **_WINDOW},
    "check_in_alert": {"at_least": ("count", False), **_WINDOW},
}
_CASES = {"statuses": ("statuses", True), "at_least": ("count", False), **_WINDOW}
_GRADED = {"graded": ("grade", True), "at_least": ("count", False)}
SCHEMA: dict[str, dict[str, dict[str, tuple[str, bool]]]] = {
    SubjectKind.PERSON: _PERSON_RULES,
    SubjectKind.BUILDING: {"cases": _CASES, "residents": _GRADED},
    SubjectKind.GRID: {"cases": _CASES, "residents": _GRADED, "buildings": _GRADED},
    SubjectKind.COMMUNITY: {"cases": _CASES, "residents": _GRADED, "buildings": _GRADED,
                            "grids": _GRADED},
}
SUBJECT_ORDER = [SubjectKind.PERSON, SubjectKind.BUILDING, SubjectKind.GRID,
                 SubjectKind.COMMUNITY]


@dataclass(frozen=True)
class Rule:
    """One checked rule: its place in the set (``index``, from 0), what it grades and how."""

    index: int
    subject: str
    kind: str  # the rule's "if"
    grade: int
    params: dict[str, Any]

    @property
    def within_days(self) -> int:
        return int(self.params.get("within_days", 0))

    @property
    def at_least(self) -> int:
        return int(self.params.get("at_least", 1))

    @property
    def graded(self) -> int:
        return GRADES[self.params["graded"]]

    def since(self, today: datetime.date) -> datetime.date:
        """The first day inside the rule's window: "within 14 days" counts today and the 13
        days before."""
        return today - datetime.timedelta(days=self.within_days - 1)

    def reason(self, facts: dict[str, Any]) -> dict[str, Any]:
        return {"rule": self.index, "if": self.kind, "params": self.params, "facts": facts}


def _holds(kind: str, value: Any) -> bool:
    """Whether ``value`` is a good value for a parameter of ``kind``."""
    if kind in {"days", "count"}:
        most = MAX_DAYS if kind == "days" else MAX_COUNT
        return type(value) is int and 1 <= value <= most
    if kind == "grade":
        return isinstance(value, str) and value in GRADES
    if kind == "degree":
        return isinstance(value, str) and value in ExposureDegree.values
    return (isinstance(value, list) and 0 < len(value) <= len(CaseStatus.values)
            and all(status in CaseStatus.values for status in value))


def _value_error(kind: str, value: Any) -> str | None:
    """What is wrong with ``value`` for a parameter of ``kind``, or None."""
    if _holds(kind, value):
        return None
    if kind == "days":
        return _("must be a whole number of days from 1 to %(most)d.") % {"most": MAX_DAYS}
    if kind == "count":
        return _("must be a whole number from 1 to %(most)d.") % {"most": MAX_COUNT}
    if kind == "grade":
        return _("must be “medium” or “high”.")
    if kind == "degree":
        return _("must be one of: %(choices)s.") % {"choices": ", ".join(ExposureDegree.values)}
    return _("must be a list of case statuses from: %(choices)s.") % {
        "choices": ", ".join(CaseStatus.values)}


def _rule_errors(number: int, rule: Any) -> list[str]:
    """The errors of one rule, each naming it (by its number, from 1) and the field."""
    def error(field: str, message: str) -> str:
        return _("Rule %(number)d, “%(field)s”: %(message)s") % {
            "number": number, "field": field, "message": message}

    if not isinstance(rule, dict):
        return [_("Rule %(number)d: must be an object with “subject”, “if” and “grade”.")
                % {"number": number}]
    subject = rule.get("subject")
    if not isinstance(subject, str) or subject not in SCHEMA:
        return [error("subject", _("must be one of: %(choices)s.") % {
            "choices": ", ".join(SCHEMA)})]
    kinds = SCHEMA[subject]
    kind = rule.get("if")
    if not isinstance(kind, str) or kind not in kinds:
        return [error("if", _("a %(subject)s rule may look at: %(choices)s.") % {
            "subject": subject, "choices": ", ".join(kinds)})]
    fields = kinds[kind]
    errors = []
    if (message := _value_error("grade", rule.get("grade"))) is not None:
        errors.append(error("grade", message))
    for field, (value_kind, required) in fields.items():
        if field not in rule:
            if required:
                errors.append(error(field, _("is required.")))
        elif (message := _value_error(value_kind, rule[field])) is not None:
            errors.append(error(field, message))
    for field in sorted(set(rule) - {"subject", "if", "grade", "note", *fields}, key=str):
        errors.append(error(str(field)[:40], _("is not a field of this kind of rule.")))
    if rule.get("note") is not None and (not isinstance(rule["note"], str)
                                         or len(rule["note"]) > 200):
        errors.append(error("note", _("must be text of at most 200 characters.")))
    return errors


def rules_errors(rules: Any) -> list[str]:
    """Every error in a rule set, each naming the rule and the field; empty when it holds."""
    if not isinstance(rules, list):
        return [_("The rules must be a list of rule objects.")]
    if not rules:
        return [_("The rules must contain at least one rule.")]
    if len(rules) > MAX_RULES:
        return [_("A rule set holds at most %(most)d rules.") % {"most": MAX_RULES}]
    return [error for number, rule in enumerate(rules, start=1)
            for error in _rule_errors(number, rule)]


def rules_checked(rules: Any) -> list[Rule]:
    """The rules as ``Rule`` objects, or a ValidationError on ``rules`` listing every error."""
    if errors := rules_errors(rules):
        raise ValidationError({"rules": errors})
    return [
        Rule(index=index, subject=rule["subject"], kind=rule["if"],
             grade=GRADES[rule["grade"]],
             params={key: value for key, value in rule.items()
                     if key not in {"subject", "if", "grade", "note"}})
        for index, rule in enumerate(rules)
    ]


# Version 1, installed in force by migration 0002: the issue's examples ("a building is high
# when it has a confirmed case within 14 days; a grid is medium when one of its buildings is
# high") and what a person's own facts say.
DEFAULT_RULES: list[dict[str, Any]] = [
    {"subject": "person", "if": "case", "statuses": ["confirmed", "asymptomatic"],
     "within_days": 14, "grade": "high"},
    {"subject": "person", "if": "case", "statuses": ["suspected"], "within_days": 14,
     "grade": "medium"},
    {"subject": "person", "if": "exposure", "degree": "close", "within_days": 14,
     "grade": "medium"},
    {"subject": "person", "if": "exposure", "degree": "secondary", "within_days": 7,
     "grade": "medium"},
    {"subject": "person", "if": "check_in_alert", "within_days": 3, "grade": "medium"},
    {"subject": "building", "if": "cases", "statuses": ["confirmed", "asymptomatic"],
     "within_days": 14, "grade": "high"},
    {"subject": "building", "if": "residents", "graded": "medium", "grade": "medium"},
    {"subject": "grid", "if": "buildings", "graded": "high", "grade": "medium"},
    {"subject": "grid", "if": "buildings", "graded": "high", "at_least": 3, "grade": "high"},
    {"subject": "community", "if": "grids", "graded": "medium", "grade": "medium"},
    {"subject": "community", "if": "grids", "graded": "high", "at_least": 2, "grade": "high"},
]


def _statuses(params: dict[str, Any]) -> str:
    labels = dict(CaseStatus.choices)
    return _(" or ").join(str(labels.get(status, status)).lower()
                          for status in params.get("statuses", []))


def _level(name: str) -> str:
    return str(Level(GRADES[name]).label).lower() if name in GRADES else name


def reason_text(reason: dict[str, Any], names: dict[str, str] | None = None) -> str:
    """One reason as a line in the active language, from its rule and facts. ``names``: the
    names of the subjects it lists (building ids and grid codes), where the reader may see
    them; without them, counts only."""
    params, facts = reason.get("params", {}), reason.get("facts", {})
    days = params.get("within_days", 0)
    count = int(facts.get("count", 0))
    values = {"days": days, "count": count, "last": facts.get("last", ""),
              "statuses": _statuses(params), "level": _level(params.get("graded", "")),
              "at_least": params.get("at_least", 1)}
    kind = reason.get("if")
    if kind == "case":
        text = _("A %(statuses)s case reported or confirmed on %(last)s, within %(days)d "
                 "days.") % values
    elif kind == "exposure":
        text = (_("Close contact of a case, last contact on %(last)s, within %(days)d days.")
                if params.get("degree") == "close" else
                _("Secondary contact of a case, last contact on %(last)s, within %(days)d "
                  "days.")) % values
    elif kind == "check_in_alert":
        text = ngettext(
            "%(count)d check-in needing attention within %(days)d days, the last on %(last)s.",
            "%(count)d check-ins needing attention within %(days)d days, the last on "
            "%(last)s.", count) % values
    elif kind == "cases":
        text = ngettext("%(count)d resident with a %(statuses)s case within %(days)d days.",
                        "%(count)d residents with a %(statuses)s case within %(days)d days.",
                        count) % values
    elif kind == "residents":
        text = ngettext("%(count)d resident graded %(level)s or higher.",
                        "%(count)d residents graded %(level)s or higher.", count) % values
    elif kind == "buildings":
        text = ngettext("%(count)d building graded %(level)s or higher",
                        "%(count)d buildings graded %(level)s or higher", count) % values
        text += _names(facts, names)
    elif kind == "grids":
        text = ngettext("%(count)d grid graded %(level)s or higher",
                        "%(count)d grids graded %(level)s or higher", count) % values
        text += _names(facts, names)
    else:
        text = _("A rule that no longer exists.")
    return text


def _names(facts: dict[str, Any], names: dict[str, str] | None) -> str:
    some = [names.get(str(key), "") for key in facts.get("some", [])] if names else []
    some = [name for name in some if name]
    if not some:
        return "."
    more = "" if len(some) >= int(facts.get("count", 0)) else _(", …")
    return _(": %(names)s%(more)s.") % {"names": _("、").join(some), "more": more}


def grade_heading(kind: str, level: int) -> str:
    """"This building is high risk" — the line above a subject's reasons."""
    headings: dict[str, str] = {
        SubjectKind.PERSON: _("This person is %(level)s"),
        SubjectKind.BUILDING: _("This building is %(level)s"),
        SubjectKind.GRID: _("This grid is %(level)s"),
        SubjectKind.COMMUNITY: _("This community is %(level)s"),
    }
    return headings.get(kind, "%(level)s") % {"level": str(Level(level).label).lower()}
