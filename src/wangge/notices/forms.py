"""Forms of the notices' pages. They only collect input; rules live in the services."""

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from wangge.access.models import User
from wangge.divisions.selectors import area_choices, grids_visible_to
from wangge.organizations.models import Organization
from wangge.organizations.selectors import organizations_visible_to
from wangge.places.selectors import buildings_visible_to
from wangge.populations.models import Population

from .models import Audience
from .services import (
    BODY_CHARACTERS,
    BUILDINGS_LISTED,
    GRIDS_LISTED,
    NOTE_CHARACTERS,
    OLDEST_AGE,
    TITLE_CHARACTERS,
)

# Grids listed by name on the compose page; above it, areas are divisions only.
GRID_CHOICES = 300


class NoticeForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=TITLE_CHARACTERS)
    body = forms.CharField(label=_("Text"), max_length=BODY_CHARACTERS,
                           widget=forms.Textarea(attrs={"rows": 6}))
    urgent = forms.BooleanField(label=_("Urgent: ask each resident to confirm"),
                                required=False)
    audience = forms.ChoiceField(label=_("Who is it for?"), choices=Audience.choices,
                                 widget=forms.RadioSelect)
    grids = forms.MultipleChoiceField(label=_("Grids"), required=False,
                                      widget=forms.CheckboxSelectMultiple)
    buildings = forms.TypedMultipleChoiceField(label=_("Buildings"), coerce=int,
                                               required=False)
    area = forms.ChoiceField(label=_("In the area"), required=False,
                             help_text=_("For a care population, an age band, an "
                                         "organization's members, or everyone in it."))
    population = forms.ModelChoiceField(label=_("Care population"), required=False,
                                        queryset=Population.objects.order_by("name"),
                                        to_field_name="key")
    organization: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Organization"), required=False, queryset=Organization.objects.none())
    age_min = forms.IntegerField(label=_("From age"), min_value=0, max_value=OLDEST_AGE,
                                 required=False)
    age_max = forms.IntegerField(label=_("To age"), min_value=0, max_value=OLDEST_AGE,
                                 required=False)
    publish_at = forms.DateTimeField(
        label=_("Publish at"), required=False, help_text=_("Empty: now."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"))

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["grids"]).choices = list(
            grids_visible_to(user).order_by("code").values_list("code", "name")[:GRIDS_LISTED])
        cast(forms.ChoiceField, self.fields["buildings"]).choices = [
            (pk, f"{name} · {address}") for pk, name, address in
            buildings_visible_to(user).order_by("grid_code", "name")
            .values_list("pk", "name", "address")[:BUILDINGS_LISTED]]
        cast(forms.ChoiceField, self.fields["area"]).choices = area_choices(
            user.scope_prefixes, grid_limit=GRID_CHOICES)
        cast(forms.ModelChoiceField, self.fields["organization"]).queryset = (
            organizations_visible_to(user).order_by("name"))

    def service_fields(self) -> dict[str, Any]:
        """The cleaned data as ``notice_built`` takes it."""
        data = self.cleaned_data
        return {"title": data["title"], "body": data["body"], "urgent": data["urgent"],
                "audience": data["audience"], "area_code": data["area"] or "",
                "grid_codes": data["grids"], "building_ids": data["buildings"],
                "population": data["population"], "organization": data["organization"],
                "age_min": data["age_min"], "age_max": data["age_max"],
                "publish_at": data["publish_at"]}


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Why is it withdrawn?"), max_length=200)


class ToldForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=NOTE_CHARACTERS, required=False)
