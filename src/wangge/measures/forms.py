"""Forms of the measures' pages: the proposal (what it lacks is named by the service), the
approval, extension and lifting, an appeal's answer, and the person's confirmation and
appeal."""

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from wangge.access.models import User
from wangge.foundation.permissions import Action, can

from .models import MeasureKind
from .selectors import deciding_authorities, legal_bases

DATE = forms.DateInput(attrs={"type": "date"})


class ProposalForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=MeasureKind.choices)
    cause = forms.CharField(label=_("Reason for the measure"), required=False, max_length=2000,
                            widget=forms.Textarea(attrs={"rows": 3}))
    legal_basis = forms.TypedChoiceField(label=_("Legal basis"), required=False, coerce=int,
                                         empty_value=None)
    authority = forms.TypedChoiceField(label=_("Deciding authority"), required=False,
                                       coerce=int, empty_value=None)
    starts_on = forms.DateField(label=_("Start"), required=False, widget=DATE)
    ends_on = forms.DateField(label=_("End or review date"), required=False, widget=DATE)
    responsible = forms.TypedChoiceField(label=_("Person responsible for the household"),
                                         required=False, coerce=int, empty_value=None)
    notified_at = forms.DateTimeField(
        label=_("Person notified at"), required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    food = forms.CharField(label=_("Food"), required=False, max_length=200)
    medicine = forms.CharField(label=_("Medicine"), required=False, max_length=200)
    dependants_care = forms.CharField(label=_("Care for dependants"), required=False,
                                      max_length=200)
    appeal_channel = forms.CharField(label=_("Appeal channel shown to the person"),
                                     required=False, max_length=300)
    submit = forms.BooleanField(label=_("Send for approval now"), required=False)

    def __init__(self, *args: Any, user: User, grid_code: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        blank: list[tuple[Any, str]] = [("", "—")]
        choices = {name: cast(forms.ChoiceField, self.fields[name])
                   for name in ("legal_basis", "authority", "responsible")}
        choices["legal_basis"].choices = blank + [
            (basis.pk, f"{basis} · {', '.join(str(MeasureKind(k).label) for k in basis.kinds)}")
            for basis in legal_bases()]
        choices["authority"].choices = blank + [
            (org.pk, org.name) for org in deciding_authorities(user)]
        responsible = [candidate for candidate in User.objects.filter(
            is_active=True, jurisdictions__prefix__in=_prefixes(grid_code)).distinct()
            .order_by("username") if can(candidate, Action.VIEW_MEASURES)]
        choices["responsible"].choices = blank + [
            (candidate.pk, candidate.get_full_name() or candidate.username)
            for candidate in responsible]


def _prefixes(code: str) -> list[str]:
    return [code[:length] for length in (2, 4, 6, 9, 12, 15) if length <= len(code)]


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Why"), max_length=500,
                             widget=forms.Textarea(attrs={"rows": 2}))


class ExtendForm(ReasonForm):
    ends_on = forms.DateField(label=_("New end or review date"), widget=DATE)


class AnswerForm(forms.Form):
    upheld = forms.TypedChoiceField(
        label=_("Answer"), coerce=lambda value: value == "1", widget=forms.RadioSelect,
        choices=[("1", _("Uphold: lift the measure")), ("0", _("Reject"))])
    answer = forms.CharField(label=_("Reasons"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 3}))


class ConfirmForm(forms.Form):
    last_four = forms.CharField(label=_("Last four characters of your ID number"),
                                min_length=4, max_length=4)


class AppealForm(forms.Form):
    seen = forms.CharField(widget=forms.HiddenInput, max_length=300)
    text = forms.CharField(label=_("What do you object to?"), max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 4}))
    contact = forms.CharField(label=_("How can we reach you? (optional)"), required=False,
                              max_length=100)
