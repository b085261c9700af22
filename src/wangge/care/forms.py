"""Forms of the care pages; choices come from the scoped selectors."""

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import CareRule, Outcome
from .selectors import rule_label


class VisitForm(forms.Form):
    """One screen on a phone: how it went, a note, and (for someone under several rules)
    which rule the visit is for."""

    outcome = forms.ChoiceField(label=_("How did the visit go?"), choices=Outcome.choices,
                                widget=forms.RadioSelect)
    note = forms.CharField(label=_("Note"), max_length=200, required=False,
                           help_text=_("Needed when they need help: say what help."),
                           widget=forms.Textarea(attrs={"rows": 3}))
    rule = forms.TypedChoiceField(label=_("Visit rule"), coerce=int)

    def __init__(self, *args: Any, rules: list[CareRule], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rules = {rule.pk: rule for rule in rules}
        cast(forms.ChoiceField, self.fields["rule"]).choices = [
            (rule.pk, rule_label(rule)) for rule in rules]
        self.only_rule = rules[0] if len(rules) == 1 else None
        if self.only_rule is not None:
            del self.fields["rule"]  # nothing to choose

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.only_rule is not None:
            cleaned["rule"] = self.only_rule
        elif "rule" in cleaned:
            cleaned["rule"] = self.rules[cleaned["rule"]]
        return cleaned
