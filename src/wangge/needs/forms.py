"""Forms of the needs' pages. They only collect input; rules live in the services."""

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from wangge.access.models import User
from wangge.divisions.selectors import area_choices, grids_visible_to
from wangge.foundation.codes import Level, level_of
from wangge.foundation.permissions import Action, can
from wangge.organizations.models import Organization
from wangge.organizations.selectors import organizations_visible_to

from .models import MOST, Category, Kind, Need, Urgency
from .selectors import areas_around, organizations_answered_for
from .services import (
    ITEM_CHARACTERS,
    NAME_CHARACTERS,
    NOTE_CHARACTERS,
    TEXT_CHARACTERS,
    UNIT_CHARACTERS,
    may_be_responsible,
)

# Grids and areas listed by name in a picker; above it, divisions only.
GRID_CHOICES = 300
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _what(form: forms.Form) -> None:
    form.fields["kind"] = forms.ChoiceField(label=_("Kind"), choices=Kind.choices)
    form.fields["category"] = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    form.fields["item"] = forms.CharField(label=_("Item"), max_length=ITEM_CHARACTERS,
                                          help_text=_("A short name: rice, a wheelchair, "
                                                      "a ride to hospital."))
    form.fields["quantity"] = forms.IntegerField(label=_("Quantity"), min_value=1,
                                                 max_value=MOST)
    form.fields["unit"] = forms.CharField(label=_("Unit"), max_length=UNIT_CHARACTERS,
                                          help_text=_("bags, pieces, hours, trips..."))


class NeedForm(forms.Form):
    grid_code = forms.ChoiceField(label=_("Grid"))

    def __init__(self, *args: Any, user: User, fixed_grid: bool = False, **kwargs: Any):
        super().__init__(*args, **kwargs)
        _what(self)
        self.fields["description"] = forms.CharField(
            label=_("Public description"), max_length=TEXT_CHARACTERS, required=False,
            widget=forms.Textarea(attrs={"rows": 3}),
            help_text=_("Shown on the board: what is needed, never who needs it nor their "
                        "health or circumstances."))
        self.fields["urgency"] = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices,
                                                   initial=Urgency.NORMAL)
        self.fields["needed_by"] = forms.DateField(label=_("Needed by"), required=False,
                                                   widget=DATE)
        if fixed_grid:
            del self.fields["grid_code"]
        else:
            cast(forms.ChoiceField, self.fields["grid_code"]).choices = list(
                grids_visible_to(user).order_by("code").values_list("code", "name")
                [:GRID_CHOICES])


class OfferForm(forms.Form):
    area_code = forms.ChoiceField(label=_("Area served"),
                                  help_text=_("A grid, or a division: every grid in it."))
    organization: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Organization"), required=False, queryset=Organization.objects.none(),
        help_text=_("From the registry; or name the donor below."))
    donor_name = forms.CharField(label=_("Donor (a person or business)"), required=False,
                                 max_length=NAME_CHARACTERS)
    donor_contact = forms.CharField(label=_("Donor's phone"), required=False, max_length=20)
    named_publicly = forms.BooleanField(label=_("The donor agrees to be named publicly"),
                                        required=False)

    def __init__(self, *args: Any, user: User, **kwargs: Any):
        super().__init__(*args, **kwargs)
        _what(self)
        self.fields["description"] = forms.CharField(
            label=_("Description"), max_length=TEXT_CHARACTERS, required=False,
            widget=forms.Textarea(attrs={"rows": 3}))
        self.fields["available_until"] = forms.DateField(label=_("Available until"),
                                                         required=False, widget=DATE)
        cast(forms.ChoiceField, self.fields["area_code"]).choices = area_choices(
            user.scope_prefixes, grid_limit=GRID_CHOICES)
        organization = cast(forms.ModelChoiceField, self.fields["organization"])
        if can(user, Action.MATCH_NEEDS):
            organization.queryset = organizations_visible_to(user).order_by("name")
        else:  # an organization's desk offers in its own name only
            organization.queryset = organizations_answered_for(user).order_by("name")
            organization.required, organization.help_text = True, ""
            own = list(organization.queryset[:2])
            if len(own) == 1:  # the usual desk answers for one
                organization.initial = own[0]
            del self.fields["donor_name"], self.fields["donor_contact"]


class MatchForm(forms.Form):
    offer = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**63 - 1)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=MOST)
    assignee = forms.TypedChoiceField(label=_("Person responsible for the delivery"),
                                      coerce=int, required=False,
                                      help_text=_("Empty: the grid worker of the need's "
                                                  "grid."))

    def __init__(self, *args: Any, need: Need, **kwargs: Any):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["assignee"]).choices = [("", "—")] + [
            (user.pk, user.get_full_name() or user.username)
            for user in responsible_choices(need)]


def responsible_choices(need: Need) -> list[User]:
    """Staff who answer for the need's grid and may be responsible for a delivery."""
    users = (User.objects.filter(is_active=True, jurisdictions__code__in=areas_around(
        need.grid_code)).distinct().order_by("role", "username")[:100])
    return [user for user in users if may_be_responsible(user, need)]


class DeliverForm(forms.Form):
    quantity = forms.IntegerField(label=_("Quantity delivered"), min_value=0, max_value=MOST)
    note = forms.CharField(label=_("Note"), max_length=NOTE_CHARACTERS, required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Why?"), max_length=NOTE_CHARACTERS)


class DonationForm(forms.Form):
    code = forms.ChoiceField(label=_("Went to (a grid or community)"))
    organization: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Organization"), required=False, queryset=Organization.objects.none())
    donor_name = forms.CharField(label=_("Donor (a person or business)"), required=False,
                                 max_length=NAME_CHARACTERS)
    named_publicly = forms.BooleanField(label=_("The donor agrees to be named publicly"),
                                        required=False)
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    item = forms.CharField(label=_("Item"), max_length=ITEM_CHARACTERS)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=MOST)
    unit = forms.CharField(label=_("Unit"), max_length=UNIT_CHARACTERS)
    donated_on = forms.DateField(label=_("Donated on"), widget=DATE)

    def __init__(self, *args: Any, user: User, **kwargs: Any):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["code"]).choices = [
            (code, name) for code, name in area_choices(user.scope_prefixes,
                                                        grid_limit=GRID_CHOICES)
            if level_of(code) in (Level.GRID, Level.COMMUNITY)]
        cast(forms.ModelChoiceField, self.fields["organization"]).queryset = (
            organizations_visible_to(user).order_by("name"))


class BoardFilter(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), required=False,
                             choices=[("", _("Any kind")), *Kind.choices])
    category = forms.ChoiceField(label=_("Category"), required=False,
                                 choices=[("", _("Any category")), *Category.choices])
    code = forms.ChoiceField(label=_("Area"), required=False)

    def __init__(self, *args: Any, user: User, **kwargs: Any):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["code"]).choices = [
            ("", _("All my jurisdiction")), *area_choices(user.scope_prefixes,
                                                          grid_limit=GRID_CHOICES)]


class PeriodForm(forms.Form):
    start = forms.DateField(label=_("From"), required=False, widget=DATE)
    end = forms.DateField(label=_("To"), required=False, widget=DATE)
