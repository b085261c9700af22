"""Forms of the patrol pages; choices come from the scoped selectors."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from wangge.access.models import User
from wangge.events.forms import PhotosField
from wangge.events.models import Priority
from wangge.events.selectors import category_choices
from wangge.places.selectors import buildings_visible_to

from .models import Patrol
from .selectors import patrol_grids


class StartForm(forms.Form):
    grid = forms.ChoiceField(label=_("Grid"))

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["grid"].choices = [(grid.code, grid.name)
                                       for grid in patrol_grids(user)]


class FindingForm(forms.Form):
    """What was found, where: a building of the patrol's grid, or the phone's location."""

    category = forms.TypedChoiceField(label=_("Category"), coerce=int)
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices,
                                 initial=Priority.NORMAL)
    description = forms.CharField(label=_("What did you find?"), max_length=2000,
                                  widget=forms.Textarea(attrs={"rows": 4}))
    building = forms.TypedChoiceField(label=_("Building"), coerce=int, required=False,
                                      empty_value=None)
    longitude = forms.FloatField(label=_("Longitude"), required=False)
    latitude = forms.FloatField(label=_("Latitude"), required=False)
    address = forms.CharField(label=_("Where exactly"), max_length=200, required=False)
    photos = PhotosField(label=_("Photos"), required=False)

    def __init__(self, *args: Any, patrol: Patrol, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.buildings = buildings_visible_to(user).filter(grid_code=patrol.grid_code)
        self.fields["category"].choices = [("", "—"), *category_choices()]
        self.fields["building"].choices = [
            ("", _("— use my location —")), *self.buildings.values_list("pk", "name")]

    def clean_building(self) -> Any:
        pk = self.cleaned_data.get("building")
        return None if pk is None else self.buildings.filter(pk=pk).first()
