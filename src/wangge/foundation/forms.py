"""What every page form does with a service's refusal."""

from django import forms
from django.core.exceptions import ValidationError


def service_errors_shown(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ``ValidationError`` on ``form``: each message beside the field it
    names, the rest above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, messages in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages)
