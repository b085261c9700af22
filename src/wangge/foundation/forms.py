"""What every page form does with a service's refusal."""

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _


def service_errors_shown(form: forms.BaseForm, error: ValidationError) -> None:
    """Show a service's ``ValidationError`` on ``form``: each message beside the field it
    names, the rest above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, messages in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages)


def refusal_text(error: ValidationError | PermissionDenied) -> str:
    """A service's refusal as one line for a page's message: its own words, or, for a bare
    PermissionDenied, that the role may not do this."""
    if isinstance(error, PermissionDenied):
        return str(error) or _("Your role may not do this.")
    return " ".join(error.messages)
