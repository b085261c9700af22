"""The residents' identity form: the least that tells one person from another at an address."""

from django import forms
from django.utils.translation import gettext_lazy as _


class IdentifyForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=50,
                           widget=forms.TextInput(attrs={"autocomplete": "name"}))
    last_four = forms.CharField(
        label=_("Last four characters of your ID number"), min_length=4, max_length=4,
        help_text=_("Only these four: never the whole number."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text",
                                      "autocapitalize": "characters", "size": 4}))
