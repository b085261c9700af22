"""What an import says about each row it read."""

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


@dataclass
class Row:
    """A data row: its number in the file as Excel shows it, its cells, and the cells of the
    columns mapped to fields."""

    number: int
    cells: list[Any]
    values: dict[str, Any]


class RowError(Exception):
    """The rules a row breaks, by field."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(errors)
        self.errors = errors


class AddressUnplacedError(RowError):
    """A row whose address names no single building: rejected naming the candidates, or with
    ``partial``, kept waiting in the address queue (imports/queue.py)."""

    def __init__(self, errors: dict[str, list[str]], *, refusal: Any):
        super().__init__(errors)
        self.refusal = refusal


class Outcome(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


@dataclass
class RowWarning:
    """A row written although something in it looks implausible (see plausibility.py): the
    field to check and what to check."""

    row: int
    field: str
    reason: str
