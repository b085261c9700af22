"""Forms of the care pages; choices come from the scoped selectors."""

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import AppointmentKind, CareRule, Courier, Outcome, Urgency
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


class MedicalRequestForm(forms.Form):
    symptoms = forms.CharField(label=_("Symptoms"), max_length=1000,
                               widget=forms.Textarea(attrs={"rows": 4}))
    medicines = forms.CharField(label=_("Medicines needed"), max_length=300, required=False)
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices,
                                initial=Urgency.NORMAL, widget=forms.RadioSelect)


class AppointmentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Answer by"), choices=AppointmentKind.choices,
                             widget=forms.RadioSelect)
    at = forms.DateTimeField(label=_("At"), widget=forms.DateTimeInput(
        attrs={"type": "datetime-local"}))
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class DeliveryForm(forms.Form):
    courier = forms.ChoiceField(label=_("Medicines delivered by"), choices=Courier.choices,
                                widget=forms.RadioSelect)


class FollowUpForm(forms.Form):
    on = forms.DateField(label=_("Follow-up on"), widget=forms.DateInput(
        attrs={"type": "date"}))
    note = forms.CharField(label=_("Note"), max_length=200, required=False)
