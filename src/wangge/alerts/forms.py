"""Forms of the alert pages: publish, update, cancel, and a preparedness message."""

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from wangge.access.models import User
from wangge.divisions.selectors import grids_visible_to

from .models import Alert, PreparednessMessage, Status
from .selectors import participants_choosable

INFO = ["category", "event", "urgency", "severity", "certainty", "headline", "description",
        "instruction", "effective", "onset", "expires", "web"]
# The model's URLField would make a form field that warns of Django 6's default scheme.
MODEL_INFO = [name for name in INFO if name != "web"]
MOMENT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class AlertInfoForm(forms.ModelForm):
    """The info of an alert and its grids; the reason is kept in its history (and is the
    CAP note of an update)."""

    web = forms.URLField(label=_("web link"), required=False, assume_scheme="https")
    reason = forms.CharField(label=_("Why"), max_length=200)

    class Meta:
        model = Alert
        fields = [*MODEL_INFO, "grids"]
        widgets = {"effective": MOMENT, "onset": MOMENT, "expires": MOMENT,
                   "grids": forms.CheckboxSelectMultiple,
                   "description": forms.Textarea(attrs={"rows": 4}),
                   "instruction": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelMultipleChoiceField, self.fields["grids"]).queryset = (
            grids_visible_to(user))

    def _post_clean(self) -> None:
        """The service validates and saves (the form leaves the record as read)."""


class AlertForm(AlertInfoForm):
    class Meta(AlertInfoForm.Meta):
        fields = [*MODEL_INFO, "grids", "status", "participants"]
        widgets = {**AlertInfoForm.Meta.widgets,
                   "participants": forms.CheckboxSelectMultiple}

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        self.fields["status"].initial = Status.ACTUAL
        cast(forms.ModelMultipleChoiceField, self.fields["participants"]).queryset = (
            participants_choosable(user))
        self.fields["participants"].help_text = _(
            "An exercise or a test reaches its participants only.")


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Why is it cancelled"), max_length=200)


class PreparednessForm(forms.ModelForm):
    reason = forms.CharField(label=_("Why"), max_length=200)

    class Meta:
        model = PreparednessMessage
        fields = ["community_code", "topic", "headline", "description", "instruction",
                  "starts_on", "repeat", "active"]
        widgets = {"starts_on": forms.DateInput(attrs={"type": "date"})}

    def _post_clean(self) -> None:
        """The service validates and saves."""
