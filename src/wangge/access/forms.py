"""The second factor's code; the account pages' forms."""

from typing import Any, cast

from django import forms
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.utils.translation import gettext_lazy as _

from wangge.divisions.selectors import area_choices, area_names
from wangge.foundation.permissions import Role, grantable_roles

from .models import User


class CodeForm(forms.Form):
    code = forms.RegexField(
        label=_("Code from your authenticator app"), regex=r"^\s*\d{6}\s*$", max_length=12,
        error_messages={"invalid": _("Enter the six digits your authenticator app shows.")},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                      "autofocus": True}),
    )

    def clean_code(self) -> str:
        return self.cleaned_data["code"].strip()


# The most grids the jurisdiction picker lists one by one (above it, divisions only: a grid
# worker's grid is then given from the list of a community, or by the API).
ACCOUNT_GRID_LIMIT = 2000


class ReasonField(forms.CharField):
    """Why: required, kept in the account's history."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Reason"))
        kwargs.setdefault("max_length", 200)
        kwargs.setdefault("help_text", _("Kept in the account's history with your name."))
        kwargs.setdefault("widget", forms.TextInput(attrs={"autocomplete": "off"}))
        super().__init__(**kwargs)


class AccountForm(forms.Form):
    """An account's role and jurisdictions as a district, street or security administrator
    sets them: only the roles it may give, only areas of its own jurisdiction, by name. The
    accounts services check both again (``user_create``, ``user_update``)."""

    first_name = forms.CharField(label=_("Full name"), max_length=150,
                                 widget=forms.TextInput(attrs={"autocomplete": "off"}))
    role = forms.ChoiceField(label=_("Role"))
    jurisdictions = forms.MultipleChoiceField(
        label=_("Jurisdictions"), widget=forms.CheckboxSelectMultiple,
        help_text=_("The grids or divisions this account answers for."))
    reason = ReasonField()

    def __init__(self, *args: Any, by: User, current: list[str] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._choices("role").choices = [(role.value, role.label) for role in Role
                                       if role.value in grantable_roles(by)]
        areas = area_choices(by.scope_prefixes, grid_limit=ACCOUNT_GRID_LIMIT)
        known = {code for code, _name in areas}
        missing = [code for code in current or [] if code not in known]
        names = area_names(missing)
        self._choices("jurisdictions").choices = areas + [
            (code, names.get(code, code)) for code in missing]


    def _choices(self, name: str) -> forms.ChoiceField:
        return cast(forms.ChoiceField, self.fields[name])


class AccountCreateForm(AccountForm):
    username = forms.CharField(
        label=_("Username"), max_length=150, validators=[UnicodeUsernameValidator()],
        help_text=_("Used to sign in and in the logs; it cannot be changed later."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none"}))

    field_order = ["username", "first_name", "role", "jurisdictions", "reason"]


class AccountChangeForm(AccountForm):
    email = forms.EmailField(label=_("Email"), required=False)

    field_order = ["first_name", "email", "role", "jurisdictions", "reason"]


class AccountReasonForm(forms.Form):
    """A reset or a deactivation: only why."""

    reason = ReasonField()


class AccountFilterForm(forms.Form):
    q = forms.CharField(label=_("Find an account"), required=False, max_length=150)
    role = forms.ChoiceField(label=_("Role"), required=False)
    active = forms.ChoiceField(label=_("Status"), required=False, choices=[
        ("", _("Any")), ("yes", _("Active")), ("no", _("Deactivated"))])

    def __init__(self, *args: Any, by: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["role"]).choices = [("", _("Any role"))] + [
            (role.value, role.label) for role in Role if role.value in grantable_roles(by)]


class PasswordChooseForm(SetPasswordForm):
    """The owner's new password, through a set-password link; the policy is checked by the
    form and again by ``user_password_choose``."""
