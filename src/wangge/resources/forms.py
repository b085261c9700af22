"""The form of a record of the resource database: its kind's fields, the code to file it
under (a place with no location in a grid), and the reason kept in its history. The model's
rules are the services' to check (``resource_checked``), so the form leaves the record as
read."""

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from wangge.divisions.selectors import area_choices, grids_in
from wangge.organizations.selectors import organizations_visible_to

from .allocation import MAX_QUANTITY
from .kinds import Kind
from .models import UNIT, Depot, Material, MaterialCategory, Urgency
from .selectors import depots_visible_to

GRID_CHOICES = 200  # above it, a jurisdiction is chosen among divisions alone


class ResourceForm(forms.ModelForm):
    reason = forms.CharField(label=_("Reason for this change"), max_length=200)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only organizations and depots the user sees are offered.
        for name, field in self.fields.items():
            if isinstance(field, forms.ModelChoiceField) and name in ("owner", "organization"):
                field.queryset = organizations_visible_to(user)
            elif isinstance(field, forms.ModelChoiceField) and name == "depot":
                field.queryset = depots_visible_to(user)
        if "owner" in self.fields and issubclass(self._meta.model, Material):
            self.fields["owner"].required = False
            self.fields["owner"].help_text = _("The depot's owner when left empty.")
        if "expires_on" in self.fields:
            self.fields["expires_on"].widget = forms.DateInput(attrs={"type": "date"})

    def _post_clean(self) -> None:
        pass  # the service checks the record (see the module's docstring)


class PlacedForm(ResourceForm):
    grid_code = forms.CharField(
        label=_("Grid or division code"), required=False, max_length=15,
        help_text=_("Where to file it when its location lies in no grid; leave empty to "
                    "place it by its location or by the building its address names."))


def form_class(kind: Kind) -> type[ResourceForm]:
    fields = [name for name in kind.fields if not (kind.placed and name == "grid_code")]
    base = PlacedForm if kind.placed else ResourceForm
    return cast(type[ResourceForm],
                forms.modelform_factory(kind.model, form=base, fields=fields))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200)


class SupplyRequestForm(forms.Form):
    """A grid's request, short enough to fill in on a phone."""

    grid_code = forms.ChoiceField(label=_("Grid"))
    category = forms.ModelChoiceField(label=_("Category"),
                                      queryset=MaterialCategory.objects.all())
    item = forms.CharField(label=_("Item"), max_length=100)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=MAX_QUANTITY)
    unit = forms.CharField(label=UNIT, max_length=20)
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices)
    for_vulnerable = forms.BooleanField(
        label=_("For vulnerable residents"), required=False,
        help_text=_("Served first, whatever the urgency."))
    why = forms.CharField(label=_("Why it is needed"), max_length=200)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["grid_code"]).choices = list(
            grids_in(user.scope_prefixes).values_list("code", "name"))


class AllocationRunForm(forms.Form):
    code = forms.ChoiceField(label=_("Jurisdiction"),
                             help_text=_("Its open requests and its depots are allocated."))
    reason = forms.CharField(label=_("Reason"), max_length=200)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["code"]).choices = area_choices(
            user.scope_prefixes, grid_limit=GRID_CHOICES)


class ShipmentForm(forms.Form):
    quantity = forms.IntegerField(label=_("Quantity"), min_value=0, max_value=MAX_QUANTITY,
                                  help_text=_("0 drops the line."))
    depot = forms.ModelChoiceField(label=_("Depot"), queryset=Depot.objects.none())
    reason = forms.CharField(label=_("Reason for this change"), max_length=200)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["depot"]).queryset = depots_visible_to(user)
