"""Saving and deleting a record with its history entry: who, and why (django-simple-history)."""

from typing import TypeVar

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from wangge.foundation.actors import Actor, history_reason, user_of

Record = TypeVar("Record", bound=models.Model)


class RecordInUseError(Exception):
    """A delete refused because other records still depend on the record (the API's 409)."""


def stated_reason(reason: str, missing: str | None = None) -> str:
    """The reason given for a change, trimmed; a ValidationError on ``reason`` (``missing``,
    by default "Say why you are changing this record.") when none was given."""
    if not reason.strip():
        raise ValidationError({"reason": missing or _("Say why you are changing this record.")})
    return reason.strip()


def save_with_history(record: Record, *, by: Actor, reason: str) -> Record:
    """Save ``record``; its historical row names ``by`` as the user (none for the system, which
    is named in the reason) and ``reason`` as the why. ``by=None`` is a TypeError."""
    record._history_user = user_of(by)
    record._change_reason = history_reason(by, reason)
    record.save()
    return record


def dependants(record: models.Model) -> list[str]:
    """What still points at ``record`` by key, as "kind (count)" (history rows aside, which
    keep only a copy of the key and never block a delete)."""
    found = []
    for relation in record._meta.get_fields(include_hidden=True):
        if not (relation.auto_created and not relation.concrete
                and (relation.one_to_many or relation.one_to_one)
                and relation.on_delete is not models.DO_NOTHING):
            continue
        count = relation.related_model._base_manager.filter(
            **{relation.field.name: record}).count()
        if count:
            found.append(f"{relation.related_model._meta.verbose_name_plural} ({count})")
    return found


def delete_with_history(record: models.Model, *, by: Actor, reason: str) -> None:
    """Delete ``record``; its last historical row names ``by`` and ``reason``."""
    record._history_user = user_of(by)
    record._change_reason = history_reason(by, reason)
    record.delete()


def delete_unless_used(record: models.Model, *, by: Actor, reason: str,
                       used_by: list[str] | None = None) -> None:
    """Delete ``record`` with the reason for it, refused (``RecordInUseError``, naming them)
    while other records depend on it: ``used_by``, by default its ``dependants``. Nothing is
    deleted along with it, so nothing is orphaned or lost without its own reason."""
    reason = stated_reason(reason, _("Say why you are deleting this record."))
    used_by = dependants(record) if used_by is None else used_by
    if used_by:
        raise RecordInUseError(_("%(record)s cannot be deleted: %(kinds)s still refer to it.")
                               % {"record": record, "kinds": ", ".join(used_by)})
    delete_with_history(record, by=by, reason=reason)
