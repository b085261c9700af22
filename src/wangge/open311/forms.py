"""The residents' report form: a category, a building of the community or the phone's
position, what is wrong, photos, and a way to reach the sender if they wish."""

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from wangge.divisions.models import Division
from wangge.events.forms import PhotosField, RatingForm
from wangge.events.models import Category

from .selectors import buildings_of, not_sensitive, services
from .services import DESCRIPTION_MAX


class PublicReportForm(forms.Form):
    category = forms.TypedChoiceField(label=_("What kind of problem?"), coerce=int)
    building = forms.TypedChoiceField(label=_("Where?"), coerce=int, required=False,
                                      empty_value=None)
    longitude = forms.FloatField(required=False, widget=forms.HiddenInput)
    latitude = forms.FloatField(required=False, widget=forms.HiddenInput)
    description = forms.CharField(label=_("What is wrong?"), max_length=DESCRIPTION_MAX,
                                  widget=forms.Textarea(attrs={"rows": 4}))
    photos = PhotosField(label=_("Photos"), required=False)
    contact_name = forms.CharField(label=_("Your name (optional)"), max_length=100,
                                   required=False)
    contact_phone = forms.CharField(label=_("Your phone (optional)"), max_length=20,
                                    required=False,
                                    widget=forms.TextInput(attrs={"inputmode": "tel",
                                                                  "autocomplete": "tel"}))

    def __init__(self, *args: Any, community: Division, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.buildings = buildings_of(community)
        groups: dict[str, list[tuple[int, str]]] = {}
        for category in services():
            group = category.parent.name if category.parent else category.name
            groups.setdefault(group, []).append((category.pk, category.name))
        self.fields["category"].choices = [("", "—"), *groups.items()]
        self.fields["building"].choices = [
            ("", _("— choose the building —")), *self.buildings.values_list("pk", "name")]
        self.fields["photos"].help_text = _("Up to %(count)s photos; location and camera "
                                            "details are removed.") % {
            "count": settings.WANGGE_PUBLIC_MAX_PHOTOS}
        self.fields["contact_phone"].help_text = _("Only the staff handling your report see "
                                                   "it, to ask you more if needed.")

    def clean_category(self) -> Category:
        category = Category.objects.filter(not_sensitive(), pk=self.cleaned_data["category"],
                                           active=True).first()
        if category is None:
            raise forms.ValidationError(_("Choose what kind of problem it is."))
        return category

    def clean_building(self) -> Any:
        pk = self.cleaned_data.get("building")
        return None if pk is None else self.buildings.filter(pk=pk).first()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("building") is None and (data.get("longitude") is None
                                             or data.get("latitude") is None):
            self.add_error("building", _("Choose the building, or use your location."))
        return data


class PublicRatingForm(RatingForm):
    """The rating on the status page, in the resident's own words."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["satisfaction"].label = _("How satisfied are you?")
        self.fields["comment"].label = _("Anything to add? (optional)")
        self.fields["comment"].help_text = _("Only the staff read it.")
