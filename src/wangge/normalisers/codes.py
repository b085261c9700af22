"""Unified social credit codes (GB 32100) for enterprises and organizations."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum import exceptions as stdnum_errors
from stdnum.cn import uscc

from .text import fold_width


def normalise_credit_code(value: str) -> str:
    number = fold_width(str(value)).upper()
    try:
        return uscc.validate(number)
    except stdnum_errors.ValidationError as error:
        raise ValidationError(
            _("%(value)s is not a valid unified social credit code (18 characters, GB 32100 "
              "check character)."),
            code="credit_code", params={"value": value},
        ) from error
