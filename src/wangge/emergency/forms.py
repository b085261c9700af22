"""The forms of the emergency pages: what a person types, before the services decide."""

import json
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Hazard, Severity, TeamKind


def choices_set(form: forms.Form, name: str, choices: list[tuple[str, str]]) -> None:
    """Offer ``choices`` (the caller's plans, areas, accounts) in the choice field ``name``."""
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Why"), max_length=500)


class PlanForm(ReasonForm):
    name = forms.CharField(label=_("Name"), max_length=100)
    hazard = forms.ChoiceField(label=_("Hazard"), choices=Hazard.choices)
    grid_code = forms.ChoiceField(label=_("Area"))


class DraftForm(ReasonForm):
    levels = forms.CharField(label=_("Levels (JSON)"), widget=forms.Textarea(attrs={"rows": 16}))

    def clean_levels(self) -> Any:
        try:
            return json.loads(self.cleaned_data["levels"])
        except (ValueError, RecursionError) as error:  # RecursionError: nested too deep
            raise forms.ValidationError(_("This is not valid JSON.")) from error


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
