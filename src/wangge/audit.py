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
