"""Forms of the event pages; choices come from the scoped selectors."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from wangge.access.models import User
from wangge.places.selectors import buildings_visible_to

from .models import Event, Priority
from .selectors import category_choices, dispatch_targets, handlers_for

# A building list longer than this is no help on a phone; the location is used instead.
MAX_BUILDING_CHOICES = 300


class MultiplePhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several photos at once, each checked by the service (type, size, EXIF stripped)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultiplePhotoInput(attrs={"accept": "image/*",
                                                              "capture": "environment"}))
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = data if isinstance(data, list | tuple) else [data] if data else []
        return [super(PhotosField, self).clean(file, initial) for file in files]


class ReportForm(forms.Form):
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

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["category"].choices = [("", "—"), *category_choices()]
        buildings = buildings_visible_to(user).order_by("grid_code", "name")
        listed = list(buildings.values_list("pk", "name")[:MAX_BUILDING_CHOICES + 1])
        if len(listed) > MAX_BUILDING_CHOICES:
            del self.fields["building"]
        else:
            self.fields["building"].choices = [("", _("— use my location —")), *listed]
            self.fields["building"].help_text = _("Or leave it and use the location.")

    def clean_building(self) -> Any:
        pk = self.cleaned_data.get("building")
        return None if pk is None else buildings_visible_to(self.user).filter(pk=pk).first()


class TransitionForm(forms.Form):
    action = forms.CharField(widget=forms.HiddenInput)
    comment = forms.CharField(label=_("Comment"), max_length=2000, required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))
    organization = forms.TypedChoiceField(label=_("Handling organization"), coerce=int,
                                          required=False, empty_value=None)
    deadline = forms.DateTimeField(
        label=_("Deadline"), required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text=_("Leave empty to keep the deadline of the category."))

    def __init__(self, *args: Any, user: User, event: Event, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.targets = dispatch_targets(user, event)
        self.fields["organization"].choices = [
            ("", "—"), *((o.pk, f"{o.name} · {o.get_kind_display()}") for o in self.targets)]

    def clean_organization(self) -> Any:
        pk = self.cleaned_data.get("organization")
        return None if pk is None else self.targets.filter(pk=pk).first()


class CommentForm(forms.Form):
    text = forms.CharField(label=_("Comment"), max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}),
                           help_text=_("Write @username to tell someone."))


class AssignForm(forms.Form):
    assignee = forms.TypedChoiceField(label=_("Assign to"), coerce=int)

    def __init__(self, *args: Any, event: Event, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.handlers = handlers_for(event)
        self.fields["assignee"].choices = [
            (user.pk, f"{user.get_full_name() or user.username} · {user.get_role_display()}")
            for user in self.handlers]

    def clean_assignee(self) -> User:
        found = self.handlers.filter(pk=self.cleaned_data["assignee"]).first()
        if found is None:
            raise forms.ValidationError(_("This person cannot handle events in this grid."))
        return found
