"""Forms of the residents' pages. They only collect input; rules live in the services."""

from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from wangge.events.forms import PhotosField
from wangge.events.models import RATING_COMMENT_MAX, Satisfaction

from .models import RecordPart, RequestKind
from .services import (
    ANSWER_CHARACTERS,
    CODE_DIGITS,
    CORRECTION_CHARACTERS,
    REQUEST_CHARACTERS,
    mobile_checked,
)


class PhoneForm(forms.Form):
    phone = forms.CharField(
        label=_("Your mobile number"), max_length=30,
        help_text=_("The number on your record with the community. If it is there, a code "
                    "is sent to it."),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}))

    def clean_phone(self) -> str:
        try:
            return mobile_checked(self.cleaned_data["phone"])
        except ValidationError as error:
            raise ValidationError(error.messages) from error


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("The code in the message"), max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code",
                                      "pattern": r"\d*", "size": CODE_DIGITS}))


class CorrectionForm(forms.Form):
    parts = forms.MultipleChoiceField(label=_("What is wrong?"), choices=RecordPart.choices,
                                      widget=forms.CheckboxSelectMultiple, required=False)
    text = forms.CharField(label=_("What should it say?"), max_length=CORRECTION_CHARACTERS,
                           widget=forms.Textarea(attrs={"rows": 4}))


class CorrectionAnswerForm(forms.Form):
    corrected = forms.TypedChoiceField(
        label=_("Outcome"), coerce=lambda value: value == "1", widget=forms.RadioSelect,
        choices=[("1", _("Corrected (on the person's page, with a reason)")),
                 ("0", _("Not changed"))])
    answer = forms.CharField(label=_("Answer to the resident"), max_length=ANSWER_CHARACTERS,
                             widget=forms.Textarea(attrs={"rows": 3}))


class RequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("What is it?"), choices=RequestKind.choices,
                             widget=forms.RadioSelect)
    text = forms.CharField(label=_("Your request"), max_length=REQUEST_CHARACTERS,
                           help_text=_("Your grid worker and whoever answers it read this."),
                           widget=forms.Textarea(attrs={"rows": 5}))
    photos = PhotosField(label=_("Photos (optional)"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["photos"].help_text = _("Up to %(count)s photos; location and camera "
                                            "details are removed.") % {
            "count": settings.WANGGE_PUBLIC_MAX_PHOTOS}


class RequestRatingForm(forms.Form):
    satisfaction = forms.ChoiceField(label=_("Are you satisfied with the answer?"),
                                     choices=Satisfaction.choices, widget=forms.RadioSelect)
    comment = forms.CharField(label=_("Anything to add (optional)"),
                              max_length=RATING_COMMENT_MAX, required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))
