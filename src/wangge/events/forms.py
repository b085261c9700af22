"""Forms of the event pages; choices come from the scoped selectors."""

import datetime
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from wangge.access.models import User
from wangge.places.selectors import buildings_visible_to

from .models import RATING_COMMENT_MAX, Channel, Event, Priority, Satisfaction, State
from .selectors import (
    EventFilters,
    categories_active,
    category_choices,
    days_refused,
    dispatch_targets,
    handlers_for,
    usual_handler,
)

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
    photos = PhotosField(label=_("Photos after handling"), required=False)

    def __init__(self, *args: Any, user: User, event: Event, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.targets = dispatch_targets(user, event)
        self.fields["organization"].choices = [
            ("", "—"), *((o.pk, f"{o.name} · {o.get_kind_display()}") for o in self.targets)]

    def preselect(self, user: User, event: Event) -> None:
        """Choose the organization that usually handles the event's category (the page's
        dispatch form; ``usual_handler`` says how it is found)."""
        usual = usual_handler(user, event)
        if usual is not None:
            self.fields["organization"].initial = usual.pk
            self.fields["organization"].help_text = _(
                "Chosen for you: %(name)s usually handles this kind of event.") % {
                "name": usual.name}

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


class EventFilterForm(forms.Form):
    """The event list's filters from the query string: ``state``, ``category`` (an id),
    ``channel``, ``from`` and ``to`` (YYYY-MM-DD, the days reported) and ``q`` (words). A
    value that is not one of them is an error to show, never a 500."""

    state = forms.ChoiceField(label=_("State"), required=False,
                              choices=[("", _("Any state")), *State.choices])
    category = forms.TypedChoiceField(label=_("Category"), required=False, coerce=int,
                                      empty_value=None)
    channel = forms.ChoiceField(label=_("Channel"), required=False,
                                choices=[("", _("Any channel")), *Channel.choices])
    q = forms.CharField(label=_("Words"), required=False, max_length=100,
                        widget=forms.TextInput(attrs={"type": "search"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        categories = list(categories_active())
        parents = {c.parent_id for c in categories if c.parent_id is not None}
        # A group (which takes its children) and then each category one reports under.
        groups = [(c.pk, c.name) for c in categories if c.pk in parents]
        self.fields["category"].choices = [("", _("Any category")), *groups,
                                           *category_choices()]
        # "from" is a word Python keeps for itself: these two are named in the form only.
        for name, label in (("from", _("Reported from")), ("to", _("Reported until"))):
            self.fields[name] = forms.DateField(
                label=label, required=False, input_formats=["%Y-%m-%d"],
                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name, message in days_refused(data.get("from"), data.get("to")).items():
            self.add_error(name, message)
        return data

    def filters(self) -> EventFilters:
        """The filters that are valid (an invalid one narrows nothing)."""
        data = self.cleaned_data if self.is_bound else {}
        return EventFilters(
            state=data.get("state") or "", category_id=data.get("category"),
            channel=data.get("channel") or "",
            reported_from=_date(data.get("from")), reported_to=_date(data.get("to")),
            words=data.get("q") or "")


def _date(value: Any) -> datetime.date | None:
    return value if isinstance(value, datetime.date) else None


class RatingForm(forms.Form):
    """A satisfaction rating: on the event page after a follow-up call, and (the same
    fields) on the resident's status page."""

    satisfaction = forms.ChoiceField(label=_("How satisfied is the resident?"),
                                     choices=Satisfaction.choices, widget=forms.RadioSelect)
    comment = forms.CharField(label=_("What they said (optional)"),
                              max_length=RATING_COMMENT_MAX,
                              required=False, widget=forms.Textarea(attrs={"rows": 2}))
