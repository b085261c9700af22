"""The form of what a person receives."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from wangge.access.models import User

from .delivery import INBOX, channel_choices, preference_of, wanted_kinds
from .models import KIND_CHOICES, WebhookFormat


class PreferenceForm(forms.Form):
    """One row of checkboxes per channel: which kinds arrive there."""

    webhook_url = forms.URLField(label=_("Group-chat bot webhook"), required=False,
                                 assume_scheme="https")
    webhook_format = forms.ChoiceField(label=_("Webhook format"),
                                       choices=WebhookFormat.choices)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        preference = preference_of(user)
        kwargs["initial"] = {"webhook_url": preference.webhook_url,
                             "webhook_format": preference.webhook_format}
        super().__init__(*args, **kwargs)
        for name, label in reversed(channel_choices()):
            self.fields = {
                f"kinds_{name}": forms.MultipleChoiceField(
                    label=label, choices=KIND_CHOICES, required=False,
                    widget=forms.CheckboxSelectMultiple,
                    initial=sorted(wanted_kinds(preference, name)
                                   if name == INBOX else preference.kinds.get(name, []))),
                **self.fields}

    def kinds(self) -> dict[str, list[str]]:
        return {name.removeprefix("kinds_"): value for name, value in self.cleaned_data.items()
                if name.startswith("kinds_")}
