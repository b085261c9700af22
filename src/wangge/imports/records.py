"""The shape shared by the kinds whose files hold thousands of rows, not millions (buildings,
dwellings, facilities, organizations): each row is checked, found by its natural key, and
created or updated through the model's own validation and ``save_with_history``, one row at a
time inside its own savepoint."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wangge.foundation.actors import Actor, actor_checked
from wangge.foundation.codes import is_within
from wangge.foundation.history import save_with_history
from wangge.spreadsheets import cell_text

from .cells import choice, choice_words
from .rows import Outcome, Row, RowError, RowWarning


@dataclass
class RecordRow:
    """A row made into a record's fields (only the filled cells, plus what they imply)."""

    fields: dict[str, Any]
    key: tuple
    extra: dict[str, Any] = field(default_factory=dict)


def field_errors(error: ValidationError) -> dict[str, list[str]]:
    """A ValidationError's messages by field (``__all__`` for those that name none)."""
    if hasattr(error, "error_dict"):
        return dict(error.message_dict)
    return {"__all__": error.messages}


class RecordKind:
    """A kind of record imported row by row. Subclasses declare their choice columns
    (``choices``: the choices, and the words departments use for them), say how any other
    cell is read (``cell``), what the cells imply together (``complete``), the natural key
    (``key`` and ``find``), and may check a record before it is saved (``check``) or add to it
    after (``after``)."""

    name: ClassVar[str]
    model: ClassVar[type[models.Model]]
    headers: ClassVar[dict[str, tuple[str, ...]]]
    required_columns: ClassVar[tuple[str, ...]]
    key_column: ClassVar[str]
    # The template's example row: its first cell marks it (see PersonKind.example).
    example: ClassVar[dict[str, str]]
    choices: ClassVar[dict[str, tuple[type[models.TextChoices], dict[str, str]]]] = {}
    duplicate: ClassVar[Promise] = gettext_lazy(
        "The same record as row %(row)d: one row per record.")

    def __init__(self, user: Actor):
        self.user = actor_checked(user)
        # The command line (a system actor) imports for every jurisdiction.
        self.prefixes = user.scope_prefixes
        self._words = {name: choice_words(choices, words)
                       for name, (choices, words) in self.choices.items()}

    # --- reading a row -------------------------------------------------------------------

    def prepare(self, row: Row) -> RecordRow:
        errors: dict[str, list[str]] = {}
        fields: dict[str, Any] = {}
        extra: dict[str, Any] = {}
        for name, value in row.values.items():
            text = cell_text(value)
            if not text:
                continue
            try:
                fields[name] = (choice(self._words[name], self.choices[name][0], text)
                                if name in self._words else self.cell(name, value, text))
            except ValidationError as error:
                errors[name] = error.messages
        for name in self.required_columns:
            if name not in fields and name not in errors:
                errors[name] = [_("This cell must be filled in.")]
        if not errors:
            try:
                extra = self.complete(fields)
            except ValidationError as error:
                errors.update(field_errors(error))
        if errors:
            raise RowError(errors)
        return RecordRow(fields=fields, key=self.key(fields), extra=extra)

    def cell(self, name: str, value: Any, text: str) -> Any:
        raise NotImplementedError

    def complete(self, fields: dict[str, Any]) -> dict[str, Any]:
        """Check the cells against each other and the registry; fill in what they imply (a
        grid from a point, a building's key from its name). Returns what is not a field."""
        return {}

    def key(self, fields: dict[str, Any]) -> tuple:
        raise NotImplementedError

    # --- landing a chunk -----------------------------------------------------------------

    def write(self, rows: list[tuple[Row, RecordRow]], *, reason: str) -> Iterable[Outcome]:
        outcomes: list[Outcome | RowError] = []
        for row, prepared in rows:
            try:
                outcomes.append(self.land(prepared, reason=f"{reason}, {_('row')} {row.number}"))
            except ValidationError as error:
                outcomes.append(RowError(field_errors(error)))
        return outcomes

    def land(self, prepared: RecordRow, *, reason: str) -> Outcome:
        record = self.find(prepared.key)
        if record is not None and not is_within(record.grid_code, self.prefixes):
            raise ValidationError({self.key_column: _(
                "This record belongs to %(code)s, outside your jurisdiction; ask them to "
                "correct it.") % {"code": record.grid_code}})
        created = record is None
        record = record if record is not None else self.model()
        stored = {name: value for name, value in prepared.fields.items()
                  if name in self.stored_fields}
        changes = {name: value for name, value in stored.items()
                   if getattr(record, name) != value}
        if not created and not changes and not self.pending(record, prepared):
            return Outcome.UNCHANGED
        with transaction.atomic():  # a rejected row leaves nothing behind, even with --partial
            before = {name: getattr(record, name) for name in changes}
            for name, value in changes.items():
                setattr(record, name, value)
            self.check(record, created=created, before=before)
            record.full_clean(validate_constraints=False)
            if changes:
                save_with_history(record, by=self.user, reason=reason)
            self.after(record, prepared, reason=reason)
        return Outcome.CREATED if created else Outcome.UPDATED

    @property
    def stored_fields(self) -> set[str]:
        return {model_field.attname for model_field in self.model._meta.concrete_fields}

    def find(self, key: tuple) -> Any:
        raise NotImplementedError

    def check(self, record: Any, *, created: bool, before: dict[str, Any]) -> None:
        """Rules that depend on the record as stored (``before`` holds the changed fields'
        old values)."""

    def pending(self, record: Any, prepared: RecordRow) -> bool:
        """Whether ``after`` has something to add to an otherwise unchanged record."""
        return False

    def plausible(self, landed: list[tuple[Row, RecordRow]]) -> list[RowWarning]:
        """Warnings on the rows of a chunk just written: none for these kinds yet."""
        return []

    def after(self, record: Any, prepared: RecordRow, *, reason: str) -> None:
        """Related rows written once the record is saved, with the row's ``reason``."""
