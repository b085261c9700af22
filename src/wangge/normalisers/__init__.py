"""Normalisers and validators for identity documents, phones and credit codes.

One set, used by services, forms, the API, imports and linkage. Each ``normalise_*`` returns the
canonical form or raises ``django.core.exceptions.ValidationError`` with a message that names
the rule that failed.
"""

from .codes import normalise_credit_code
from .ids import (
    DocumentType,
    ResidentId,
    normalise_document_number,
    parse_resident_id,
    resident_id_from_legacy,
)
from .phones import normalise_phone

__all__ = [
    "DocumentType",
    "ResidentId",
    "normalise_credit_code",
    "normalise_document_number",
    "normalise_phone",
    "parse_resident_id",
    "resident_id_from_legacy",
]
