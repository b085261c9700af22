"""Saving a record with its history entry: who changed it and why (django-simple-history)."""

from typing import Any, TypeVar

from django.db import models

Record = TypeVar("Record", bound=models.Model)


def save_with_history(record: Record, *, by: Any, reason: str) -> Record:
    """Save ``record``; its historical row names ``by`` as the user and ``reason`` as the why."""
    record._history_user = by
    record._change_reason = reason
    record.save()
    return record


def dependants(record: models.Model) -> list[str]:
    """The kinds of records that still point at ``record`` (history rows aside, which keep
    only a copy of the key and never block a delete)."""
    return [
        str(relation.related_model._meta.verbose_name_plural)
        for relation in record._meta.get_fields(include_hidden=True)
        if relation.auto_created and not relation.concrete
        and (relation.one_to_many or relation.one_to_one)
        and relation.on_delete is not models.DO_NOTHING
        and relation.related_model._base_manager.filter(**{relation.field.name: record}).exists()
    ]


def delete_with_history(record: models.Model, *, by: Any, reason: str) -> None:
    """Delete ``record``; its last historical row names ``by`` and ``reason``."""
    record._history_user = by
    record._change_reason = reason
    record.delete()
