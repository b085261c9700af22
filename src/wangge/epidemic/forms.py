"""The forms of the cases' pages: what a service takes, typed; the rules stay in services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import CaseSource, CaseStatus, TestKind

DATE = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


class CaseForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=CaseStatus.choices)
    source = forms.ChoiceField(label=_("Reported by"), choices=CaseSource.choices)
    source_detail = forms.CharField(label=_("Reporting unit"), max_length=100, required=False)
    reported_on = forms.DateField(label=_("Reported on"), widget=DATE)
    onset_on = forms.DateField(label=_("Onset of symptoms"), widget=DATE, required=False)
    confirmed_on = forms.DateField(label=_("Confirmed on"), widget=DATE, required=False)
    ended_on = forms.DateField(label=_("Recovered or excluded on"), widget=DATE,
                               required=False)


class CaseUpdateForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=CaseStatus.choices)
    onset_on = forms.DateField(label=_("Onset of symptoms"), widget=DATE, required=False)
    confirmed_on = forms.DateField(label=_("Confirmed on"), widget=DATE, required=False)
    ended_on = forms.DateField(label=_("Recovered or excluded on"), widget=DATE,
                               required=False)
    reason = forms.CharField(label=_("Reason"), max_length=200)


class TestForm(forms.Form):
    kind = forms.ChoiceField(label=_("Test"), choices=TestKind.choices)
    taken_on = forms.DateField(label=_("Sampled on"), widget=DATE)
    positive = forms.TypedChoiceField(label=_("Result"), coerce=lambda value: value == "1",
                                      choices=[("1", _("Positive")), ("0", _("Negative"))])
    laboratory = forms.CharField(label=_("Laboratory"), max_length=100, required=False)


class ContactForm(forms.Form):
    person = forms.IntegerField(min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput)
    last_contact_on = forms.DateField(label=_("Last contact on"), widget=DATE)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class CaseFilter(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("Any")), *CaseStatus.choices])
    reported_from = forms.DateField(label=_("Reported from"), widget=DATE, required=False)
    reported_to = forms.DateField(label=_("Reported until"), widget=DATE, required=False)
