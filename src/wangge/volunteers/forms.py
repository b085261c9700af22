"""Forms of the volunteers' pages. They only collect input; rules live in the services."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from wangge.divisions.models import Division
from wangge.foundation.api_support import MAX_ID
from wangge.foundation.codes import Level
from wangge.organizations.models import Organization, OrganizationKind

from .models import Skill, TaskKind, Weekday
from .selectors import party_choices
from .services import (
    DESCRIPTION_CHARACTERS,
    NOTE_CHARACTERS,
    PLACE_CHARACTERS,
    SKILLS_TEXT_CHARACTERS,
    TIMES_CHARACTERS,
    TITLE_CHARACTERS,
)

MOMENT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def communities_of(prefixes: list[str]) -> list[tuple[str, str]]:
    return list(Division.objects.in_scope(prefixes).filter(level=Level.COMMUNITY)
                .order_by("code").values_list("code", "name"))


PARTY_SEARCH_CHARACTERS = 100


class ReportInForm(forms.Form):
    """``search``: the words typed to find one's party organization (sent again by the
    search field as one types, and with the form); ``path``: the page the search asks."""

    as_volunteer = forms.BooleanField(label=_("As a volunteer"), required=False, initial=True)
    as_party_member = forms.BooleanField(label=_("As a party member (双报到)"), required=False)
    party_search = forms.CharField(
        label=_("Find my party organization"), required=False,
        max_length=PARTY_SEARCH_CHARACTERS,
        help_text=_("Type part of its name, then choose it in the list below."))
    party_organization = forms.ModelChoiceField(
        label=_("My party organization"), required=False,
        queryset=Organization.objects.filter(kind=OrganizationKind.PARTY))
    skills = forms.MultipleChoiceField(label=_("Skills"), choices=Skill.choices,
                                       required=False, widget=forms.CheckboxSelectMultiple)
    skills_text = forms.CharField(label=_("Other skills"), required=False,
                                  max_length=SKILLS_TEXT_CHARACTERS)
    days = forms.TypedMultipleChoiceField(label=_("Days I am free"), coerce=int,
                                          choices=Weekday.choices, required=False,
                                          widget=forms.CheckboxSelectMultiple)
    times = forms.CharField(label=_("Times I am free"), required=False,
                            max_length=TIMES_CHARACTERS,
                            help_text=_("For example: evenings, weekend mornings"))

    def __init__(self, *args: Any, search: str, path: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        finder = self.fields["party_search"].widget
        finder.input_type = "search"
        finder.attrs.update({
            "autocomplete": "off", "hx-get": path,
            "hx-trigger": "input changed delay:300ms, search",
            "hx-target": "#id_party_organization", "hx-select": "#id_party_organization",
            "hx-swap": "outerHTML"})
        search = (self.data.get("party_search") or search).strip()[:PARTY_SEARCH_CHARACTERS]
        if "\x00" in search:  # PostgreSQL can neither store nor compare one
            search = ""
        chosen = (self.data.get("party_organization") if self.is_bound
                  else self.initial.get("party_organization"))
        chosen = str(getattr(chosen, "pk", chosen) or "")
        self.fields["party_organization"].widget.choices = [("", "---------"), *party_choices(
            search, int(chosen) if chosen.isdigit() and int(chosen) <= MAX_ID else None)]

    def details(self) -> dict[str, Any]:
        return {name: value for name, value in self.cleaned_data.items()
                if name != "party_search"}


class RegisterForm(ReportInForm):
    """Staff report a person in on their behalf: the person by their record's number."""

    person = forms.IntegerField(label=_("Person (record number)"), min_value=1,
                                max_value=MAX_ID)
    field_order = ["person"]

    def details(self) -> dict[str, Any]:
        return {name: value for name, value in super().details().items() if name != "person"}


class DecideForm(forms.Form):
    note = forms.CharField(label=_("Note (required to decline)"), required=False,
                           max_length=NOTE_CHARACTERS)


class TaskForm(forms.Form):
    code = forms.ChoiceField(label=_("Community"))
    title = forms.CharField(label=_("Title"), max_length=TITLE_CHARACTERS)
    description = forms.CharField(label=_("Description"), required=False,
                                  max_length=DESCRIPTION_CHARACTERS,
                                  widget=forms.Textarea(attrs={"rows": 4}))
    place = forms.CharField(label=_("Place"), max_length=PLACE_CHARACTERS)
    starts_at = forms.DateTimeField(label=_("Starts"), widget=MOMENT)
    ends_at = forms.DateTimeField(label=_("Ends"), widget=MOMENT)
    kind = forms.ChoiceField(label=_("Kind"), choices=TaskKind.choices)
    urgent = forms.BooleanField(label=_("Urgent"), required=False)
    skills = forms.MultipleChoiceField(label=_("Skills wanted"), choices=Skill.choices,
                                       required=False, widget=forms.CheckboxSelectMultiple)
    needed = forms.IntegerField(label=_("Volunteers needed"), min_value=1, max_value=500)
    contact_phone = forms.CharField(label=_("Phone for volunteers to call"), required=False,
                                    max_length=20)

    def __init__(self, *args: Any, prefixes: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["code"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = communities_of(prefixes)


class CallForm(forms.Form):
    registrations = forms.TypedMultipleChoiceField(
        label=_("Volunteers to call"), coerce=int, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["registrations"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices


class HoursForm(forms.Form):
    hours = forms.DecimalField(label=_("Hours"), min_value=0, max_value=24, decimal_places=1)
    reason = forms.CharField(label=_("Why changed (when correcting)"), required=False,
                             max_length=NOTE_CHARACTERS)


class CorrectionForm(forms.Form):
    points = forms.DecimalField(label=_("Points (negative to take away)"), max_digits=6,
                                decimal_places=1, min_value=-1000, max_value=1000)
    reason = forms.CharField(label=_("Why"), max_length=NOTE_CHARACTERS)


class RuleForm(forms.Form):
    code = forms.ChoiceField(label=_("Community"))
    points_per_hour = forms.DecimalField(label=_("Points per hour"), min_value=0,
                                         max_value=100, decimal_places=1)
    urgent_bonus = forms.DecimalField(label=_("Bonus for an urgent task"), min_value=0,
                                      max_value=1000, decimal_places=1, initial=0)
    reason = forms.CharField(label=_("Why"), required=False, max_length=NOTE_CHARACTERS)

    def __init__(self, *args: Any, prefixes: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["code"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = communities_of(prefixes)
        for kind, label in TaskKind.choices:
            self.fields[f"bonus_{kind}"] = forms.DecimalField(
                label=_("Bonus per task: %(kind)s") % {"kind": label}, required=False,
                min_value=0, max_value=1000, decimal_places=1)

    def rule(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {"code": data["code"], "points_per_hour": data["points_per_hour"],
                "urgent_bonus": data["urgent_bonus"] or 0, "reason": data["reason"],
                "kind_bonus": {kind: data[f"bonus_{kind}"] for kind in TaskKind.values
                               if data.get(f"bonus_{kind}")}}


class RankingForm(forms.Form):
    code = forms.ChoiceField(label=_("Community"), required=False)
    since = forms.DateField(label=_("From"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("To"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, prefixes: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["code"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = communities_of(prefixes)
