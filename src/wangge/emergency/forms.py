"""The forms of the emergency pages: what a person types, before the services decide."""

from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Hazard, Severity, TeamKind
from .services import MAX_DAYS, MAX_HOURS, MAX_ROWS, PLAN_NAME_LENGTH


def choices_set(form: forms.Form, name: str, choices: list[tuple[str, str]]) -> None:
    """Offer ``choices`` (the caller's plans, areas, accounts) in the choice field ``name``."""
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Why"), max_length=500)


class RenameForm(ReasonForm):
    name = forms.CharField(label=_("New name"), max_length=PLAN_NAME_LENGTH)


class PlanForm(ReasonForm):
    name = forms.CharField(label=_("Name"), max_length=100)
    hazard = forms.ChoiceField(label=_("Hazard"), choices=Hazard.choices)
    grid_code = forms.ChoiceField(label=_("Area"))


class ActionRow(forms.Form):
    """One action of a level's checklist; the service checks it (and names its row)."""

    title = forms.CharField(label=_("What is to be done"), max_length=200, required=False)
    owner = forms.ChoiceField(label=_("Owner"), required=False)
    hours = forms.FloatField(label=_("Hours after activation"), required=False,
                             widget=forms.NumberInput(attrs={
                                 "min": 0, "max": MAX_HOURS, "step": "any",
                                 "inputmode": "decimal"}))

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices_set(self, "owner", [("", "—"), *choices])

    def row(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {"title": data["title"], "owner": int(data["owner"]) if data["owner"] else None,
                "hours": _plain(data["hours"])}


class ResourceRow(forms.Form):
    """One resource rule: a quantity per affected resident (per day, for some days)."""

    category = forms.ChoiceField(label=_("Resource"), required=False)
    per_person = forms.FloatField(label=_("Per affected resident"), required=False,
                                  widget=forms.NumberInput(attrs={
                                      "min": 0, "step": "any", "inputmode": "decimal"}))
    unit = forms.CharField(label=_("Unit"), max_length=20, required=False)
    per_day = forms.BooleanField(label=_("Per day"), required=False)
    days = forms.IntegerField(label=_("Days to cover"), required=False,
                              widget=forms.NumberInput(attrs={"min": 1, "max": MAX_DAYS}))

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices_set(self, "category", [("", "—"), *choices])

    def row(self) -> dict[str, Any]:
        data = self.cleaned_data
        row = {"category": data["category"] or None, "per_person": _plain(data["per_person"]),
               "unit": data["unit"], "per_day": data["per_day"]}
        if data["days"] is not None:
            row["days"] = data["days"]
        return row


def _plain(number: float | None) -> float | int | None:
    """2.0 as 2: what a person typed, for the service to check."""
    return int(number) if number is not None and number == int(number) else number


def _blank(form: forms.Form) -> bool:
    """A row left wholly empty (the blank rows offered to add more): ignored."""
    return all(value in (None, "", False) for value in form.cleaned_data.values())


# Rows per level and kind: at most the service's bound, whatever TOTAL_FORMS claims.
ActionRows = forms.formset_factory(ActionRow, extra=2, max_num=MAX_ROWS,
                                   absolute_max=MAX_ROWS, validate_max=True)
ResourceRows = forms.formset_factory(ResourceRow, extra=2, max_num=MAX_ROWS,
                                     absolute_max=MAX_ROWS, validate_max=True)


class TeamsForm(forms.Form):
    teams = forms.MultipleChoiceField(label=_("Teams to call"), required=False,
                                      widget=forms.CheckboxSelectMultiple)


@dataclass
class LevelPart:
    """The editor's forms for one level: actions, teams, resources."""

    level: str
    label: str
    colour: str
    actions: forms.BaseFormSet
    teams: TeamsForm
    resources: forms.BaseFormSet

    def filled(self) -> dict[str, list[Any]]:
        return {"actions": [form.row() for form in self.actions if not _blank(form)],
                "teams": [int(pk) for pk in self.teams.cleaned_data["teams"]],
                "resources": [form.row() for form in self.resources if not _blank(form)]}

    @property
    def present(self) -> bool:
        """Whether the level has anything (its <details> opens)."""
        if not self.actions.is_bound:
            return bool(self.actions.initial or self.teams.initial.get("teams")
                        or self.resources.initial)
        # As submitted: any value in the level's rows or teams (not the formsets' counts).
        return any(value and not name.endswith("FORMS")
                   for name, value in self.actions.data.items()
                   if name.startswith(f"{self.level}-"))


class TeamForm(ReasonForm):
    name = forms.CharField(label=_("Name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=TeamKind.choices)
    grid_code = forms.ChoiceField(label=_("Area"))


class MemberForm(ReasonForm):
    user = forms.ChoiceField(label=_("Account"))
    deputy = forms.ChoiceField(label=_("Deputy"), required=False)
    skills = forms.CharField(label=_("Skills (comma separated)"), required=False,
                             max_length=300)
    duty_days = forms.MultipleChoiceField(
        label=_("Days on duty (none: every day)"), required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[(str(day), name) for day, name in enumerate(
            (_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")))])


class DeclareForm(ReasonForm):
    plan = forms.ChoiceField(label=_("Plan"))
    level = forms.ChoiceField(label=_("Level"), choices=Severity.choices)
    grids = forms.MultipleChoiceField(label=_("Affected grids"),
                                      widget=forms.CheckboxSelectMultiple)


class LevelForm(ReasonForm):
    level = forms.ChoiceField(label=_("New level"), choices=Severity.choices)


class DrillForm(ReasonForm):
    plan = forms.ChoiceField(label=_("Plan"))
    level = forms.ChoiceField(label=_("Level"), choices=Severity.choices)
    grids = forms.MultipleChoiceField(label=_("Affected grids"),
                                      widget=forms.CheckboxSelectMultiple)
    scheduled_at = forms.DateTimeField(label=_("Scheduled for"), widget=forms.DateTimeInput(
        attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"))
    participants = forms.MultipleChoiceField(
        label=_("Participants (members of the level's teams)"),
        widget=forms.CheckboxSelectMultiple)


class DraftEditor:
    """A plan's draft as forms a person fills on a phone: for each level its actions (what,
    owner by name, hours), the teams to call (by name) and the resource rules; the rows
    become the ``levels`` that ``services.plan_version_save`` checks (their errors name the
    level and row and show above the form, ``form``)."""

    def __init__(self, data: Any, *, levels: dict[str, Any], owners: list[tuple[str, str]],
                 teams: list[tuple[str, str]], categories: list[tuple[str, str]],
                 colours: dict[Any, str]) -> None:
        self.form = ReasonForm(data)
        self.parts: list[LevelPart] = []
        for level, label in Severity.choices:
            content = levels.get(level, {})
            actions = ActionRows(data, prefix=f"{level}-actions", form_kwargs={
                "choices": owners}, initial=[
                {**row, "owner": str(row["owner"]), "hours": _plain(row["hours"])}
                for row in content.get("actions", [])])
            resources = ResourceRows(data, prefix=f"{level}-resources", form_kwargs={
                "choices": categories}, initial=[
                {**row, "per_person": _plain(row["per_person"])}
                for row in content.get("resources", [])])
            chosen = TeamsForm(data, prefix=f"{level}-teams", initial={
                "teams": [str(pk) for pk in content.get("teams", [])]})
            choices_set(chosen, "teams", teams)
            self.parts.append(LevelPart(level, str(label), colours[level], actions, chosen,
                                        resources))

    def is_valid(self) -> bool:
        # Every form is cleaned (so each shows its errors), not only up to the first invalid.
        results = [self.form.is_valid()]
        for part in self.parts:
            results += [part.actions.is_valid(), part.teams.is_valid(),
                        part.resources.is_valid()]
        return all(results)

    def levels(self) -> dict[str, Any]:
        """The levels as the service takes them: those with any action, team or resource."""
        return {part.level: filled for part in self.parts
                if any((filled := part.filled()).values())}
