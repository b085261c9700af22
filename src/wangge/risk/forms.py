"""The rules form: the rule set as JSON text, checked by the services (errors by rule and
field shown on the form, never a 500)."""

import json
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

MAX_TEXT = 50_000


class RuleSetForm(forms.Form):
    rules = forms.CharField(label=_("Rules (JSON)"), max_length=MAX_TEXT,
                            widget=forms.Textarea(attrs={"rows": 24, "spellcheck": "false",
                                                         "class": "mono"}))
    note = forms.CharField(label=_("What changed"), max_length=200, required=False)

    def clean_rules(self) -> Any:
        try:
            return json.loads(self.cleaned_data["rules"])
        except ValueError as error:
            raise forms.ValidationError(
                _("This is not valid JSON: %(problem)s") % {"problem": str(error)[:200]}
            ) from error
