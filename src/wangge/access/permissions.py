"""The one permissions module: what each role may do and which fields it sees unmasked.

Pages, the API and the admin all ask here. Scope (which records) is separate: a user sees
only records whose code starts with one of their jurisdictions' prefixes (see selectors).
"""

from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    GRID_WORKER = "grid_worker", _("Grid worker")
    COMMUNITY_STAFF = "community_staff", _("Community staff")
    STREET_OFFICER = "street_officer", _("Street officer")
    DISTRICT_ADMIN = "district_admin", _("District administrator")
    DEPARTMENT_STAFF = "department_staff", _("Department staff")
    VOLUNTEER = "volunteer", _("Volunteer")
    RESIDENT = "resident", _("Resident")
    AUDITOR = "auditor", _("Auditor")


class Action(StrEnum):
    VIEW_PEOPLE = "view_people"
    EDIT_PEOPLE = "edit_people"
    VIEW_PLACES = "view_places"
    EDIT_PLACES = "edit_places"
    EDIT_DIVISIONS = "edit_divisions"
    VIEW_ORGANIZATIONS = "view_organizations"
    EDIT_ORGANIZATIONS = "edit_organizations"
    VIEW_HISTORY = "view_history"
    USE_ADMIN = "use_admin"


class SensitiveField(StrEnum):
    """Fields of a person masked unless the role needs them (PIPL: minimum necessary)."""

    ID_NUMBER = "id_number"
    PHONE = "phone"
    HEALTH_STATUS = "health_status"
    VULNERABLE_TAGS = "vulnerable_tags"


_EVERY_VIEW = {Action.VIEW_PEOPLE, Action.VIEW_PLACES, Action.VIEW_ORGANIZATIONS}
ROLE_ACTIONS: dict[str, set[Action]] = {
    # Collects and corrects base data in their grids.
    Role.GRID_WORKER: _EVERY_VIEW | {Action.EDIT_PEOPLE, Action.EDIT_PLACES, Action.VIEW_HISTORY},
    Role.COMMUNITY_STAFF: _EVERY_VIEW | {
        Action.EDIT_PEOPLE, Action.EDIT_PLACES, Action.EDIT_ORGANIZATIONS, Action.VIEW_HISTORY,
        Action.USE_ADMIN,
    },
    # Oversight: reads everything in the street, edits organizations it coordinates.
    Role.STREET_OFFICER: _EVERY_VIEW | {Action.EDIT_ORGANIZATIONS, Action.VIEW_HISTORY,
                                        Action.USE_ADMIN},
    Role.DISTRICT_ADMIN: _EVERY_VIEW | {
        Action.EDIT_PEOPLE, Action.EDIT_PLACES, Action.EDIT_DIVISIONS,
        Action.EDIT_ORGANIZATIONS, Action.VIEW_HISTORY, Action.USE_ADMIN,
    },
    Role.DEPARTMENT_STAFF: set(_EVERY_VIEW),
    Role.VOLUNTEER: set(_EVERY_VIEW),
    # Residents use the public channels; they see places and organizations, not other people.
    Role.RESIDENT: {Action.VIEW_PLACES, Action.VIEW_ORGANIZATIONS},
    Role.AUDITOR: _EVERY_VIEW | {Action.VIEW_HISTORY},
}

UNMASKED_FIELDS: dict[str, set[SensitiveField]] = {
    Role.GRID_WORKER: set(SensitiveField),
    Role.COMMUNITY_STAFF: set(SensitiveField),
    Role.STREET_OFFICER: {SensitiveField.PHONE, SensitiveField.VULNERABLE_TAGS},
    Role.DISTRICT_ADMIN: set(SensitiveField),
    Role.DEPARTMENT_STAFF: {SensitiveField.PHONE},
    Role.VOLUNTEER: set(),
    Role.RESIDENT: set(),
    Role.AUDITOR: set(),
}


def can(user: models.Model, action: Action) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return action in ROLE_ACTIONS.get(user.role, set())


def sees_unmasked(user: models.Model, field: SensitiveField) -> bool:
    if user.is_superuser:
        return True
    return field in UNMASKED_FIELDS.get(user.role, set())


def mask_document_number(number: str) -> str:
    """Keep the first four and last four characters: 4201**********123X."""
    if len(number) <= 8:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def mask_phone(number: str) -> str:
    """Keep the first three and last four digits: 138****5678."""
    if len(number) <= 7:
        return "*" * len(number)
    return number[:3] + "*" * (len(number) - 7) + number[-4:]


HIDDEN = "***"


def shown(user: models.Model, field: SensitiveField, value: object) -> object:
    """``value`` as ``user`` may see it: itself, or masked."""
    if not value or sees_unmasked(user, field):
        return value
    if field == SensitiveField.ID_NUMBER:
        return mask_document_number(str(value))
    if field == SensitiveField.PHONE:
        return mask_phone(str(value))
    if field == SensitiveField.VULNERABLE_TAGS:
        return [HIDDEN]
    return HIDDEN
