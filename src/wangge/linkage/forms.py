"""Forms of the review pages: they collect a decision and its reason; the rules are in the
services."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import MatchCandidate


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200,
                             widget=forms.TextInput(attrs={"autocomplete": "off"}))


class AcceptForm(ReasonForm):
    """One person: which record to keep (the other is merged into it)."""

    def __init__(self, *args: Any, candidate: MatchCandidate, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["keep"] = forms.TypedChoiceField(
            label=_("Keep the record of"), coerce=int, widget=forms.RadioSelect,
            choices=[(person.pk, _("%(name)s · record %(id)s") % {"name": person.name,
                                                                   "id": person.pk})
                     for person in (candidate.left, candidate.right)])
        self.order_fields(["keep", "reason"])
