"""Forms of the conventions' pages. They only collect input; rules live in the services."""

import datetime
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from wangge.access.models import User
from wangge.divisions.models import Division, Grid
from wangge.foundation.codes import Level
from wangge.places.models import Building

from .models import Choice, Kind, Majority, Outcome, Rule
from .services import (
    BREACH_CHARACTERS,
    COMMENT_CHARACTERS,
    NOTES_CHARACTERS,
    TEXT_CHARACTERS,
    TITLE_CHARACTERS,
    WHY_CHARACTERS,
)

# Grids listed by name on the drafting page.
GRID_CHOICES = 300


class ConventionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices, widget=forms.RadioSelect)
    title = forms.CharField(label=_("Title"), max_length=TITLE_CHARACTERS)
    text = forms.CharField(label=_("Text"), max_length=TEXT_CHARACTERS,
                           widget=forms.Textarea(attrs={"rows": 10}))
    community_code = forms.ChoiceField(label=_("Community"))
    grid_codes = forms.MultipleChoiceField(
        label=_("Only these grids (none: the whole community)"), required=False,
        widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        prefixes = user.scope_prefixes
        cast(forms.ChoiceField, self.fields["community_code"]).choices = list(
            Division.objects.in_scope(prefixes).filter(level=Level.COMMUNITY)
            .order_by("code").values_list("code", "name")[:GRID_CHOICES])
        cast(forms.ChoiceField, self.fields["grid_codes"]).choices = list(
            Grid.objects.in_scope(prefixes).order_by("code")
            .values_list("code", "name")[:GRID_CHOICES])

    def service_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in (
            "kind", "title", "text", "community_code", "grid_codes")}


class VersionForm(forms.Form):
    text = forms.CharField(label=_("New text"), max_length=TEXT_CHARACTERS,
                           widget=forms.Textarea(attrs={"rows": 10}))
    why = forms.CharField(label=_("Why"), max_length=WHY_CHARACTERS)
    from_comment = forms.IntegerField(widget=forms.HiddenInput, required=False,
                                      min_value=1, max_value=2**63 - 1)


class VoteForm(forms.Form):
    rule = forms.ChoiceField(label=_("Who votes"), choices=Rule.choices,
                             widget=forms.RadioSelect, initial=Rule.HOUSEHOLD)
    # xgettext:no-python-format
    quorum_percent = forms.IntegerField(label=_("Quorum (% of the electorate who must vote)"),
                                        min_value=1, max_value=100, initial=50)
    majority = forms.ChoiceField(label=_("Majority"), choices=Majority.choices,
                                 initial=Majority.SIMPLE)
    deadline = forms.DateTimeField(label=pgettext_lazy("a vote", "Deadline"),
                                   widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        later = timezone.localtime() + datetime.timedelta(days=7)
        self.fields["deadline"].initial = later.strftime("%Y-%m-%dT%H:%M")


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Why"), max_length=WHY_CHARACTERS)


class CommentForm(forms.Form):
    text = forms.CharField(label=_("Your comment"), max_length=COMMENT_CHARACTERS,
                           widget=forms.Textarea(attrs={"rows": 3}))
    amendment = forms.CharField(
        label=_("Propose a new text (optional)"), max_length=TEXT_CHARACTERS, required=False,
        widget=forms.Textarea(attrs={"rows": 4}))


class BallotForm(forms.Form):
    choice = forms.ChoiceField(label=_("Your vote"), choices=Choice.choices,
                               widget=forms.RadioSelect)


class BreachForm(forms.Form):
    text = forms.CharField(label=pgettext_lazy("a breach of a convention", "What happened"),
                           max_length=BREACH_CHARACTERS,
                           widget=forms.Textarea(attrs={"rows": 3}))
    building = forms.TypedChoiceField(label=_("Where (optional)"), coerce=int, required=False,
                                      empty_value=None)

    def __init__(self, *args: Any, community_code: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        buildings = (Building.objects.in_scope([community_code])
                     .order_by("name", "pk").values_list("pk", "name")[:GRID_CHOICES])
        cast(forms.ChoiceField, self.fields["building"]).choices = [("", "—"), *buildings]


class HandleForm(forms.Form):
    action_taken = forms.CharField(label=_("What was done"), max_length=BREACH_CHARACTERS,
                                   widget=forms.Textarea(attrs={"rows": 3}))


class ReviewForm(forms.Form):
    reviewed_on = forms.DateField(label=_("Reviewed on"),
                                  widget=forms.DateInput(attrs={"type": "date"}))
    outcome = forms.ChoiceField(label=pgettext_lazy("a convention's review", "Outcome"),
                                choices=Outcome.choices)
    notes = forms.CharField(label=_("Notes"), max_length=NOTES_CHARACTERS, required=False,
                            widget=forms.Textarea(attrs={"rows": 3}))
