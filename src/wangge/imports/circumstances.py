"""A population's list (残疾人花名册, 慢性病患者名单, ...) imported as circumstances: one kind of
file per population, ``population-<key>``, made from the population's fields when asked for,
so a population a department added in the back office is importable at once.

A row names its person by the resident ID number (and, to catch a wrong number, the name when
given); the person must already be in the registry and in the importer's jurisdiction. Its
values are checked by the same rules as the page (populations.values) and written through
``circumstance_save``, with its history."""

from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wangge.foundation.actors import Actor, actor_checked
from wangge.people.models import Person
from wangge.populations.models import Circumstance, FieldKind, Population
from wangge.populations.services import circumstance_save
from wangge.spreadsheets import cell_date, cell_text

from .records import RecordRow
from .rows import Outcome, Row, RowError, RowWarning

PREFIX = "population-"
ID_HEADERS = ("公民身份号码", "身份证号码", "身份证号", "证件号码", "身份证", "ID number")
NAME_HEADERS = ("姓名", "name")
SINCE_HEADERS = ("纳入日期", "登记日期", "起始日期", "since")


class CircumstanceKind:
    """The import kind of one population (made by ``circumstance_kind``)."""

    population: ClassVar[Population]
    headers: ClassVar[dict[str, tuple[str, ...]]]
    required_columns: ClassVar[tuple[str, ...]] = ("id_number",)
    key_column = "id_number"
    example: ClassVar[dict[str, str]]
    choices: ClassVar[dict[str, tuple[type[models.TextChoices], dict[str, str]]]]
    duplicate = gettext_lazy("The same person as row %(row)d: one row per person.")

    def __init__(self, user: Actor):
        self.user = actor_checked(user)
        self.fields = list(self.population.fields.all())

    def prepare(self, row: Row) -> RecordRow:
        number = cell_text(row.values.get("id_number")).upper()
        errors: dict[str, list[str]] = {}
        found = list(Person.objects.matching(id_number=number).filter(merged_into=None)
                     .in_scope(self.user.scope_prefixes)[:1]) if number else []
        if not found:
            errors["id_number"] = [_("No resident in your jurisdiction has this ID number; "
                                     "import them as residents first.")]
        elif (name := cell_text(row.values.get("name"))) and name != found[0].name:
            errors["name"] = [_("The registry has %(name)s under this ID number.")
                              % {"name": found[0].name}]
        since = None
        try:
            since = cell_date(row.values.get("since"))
        except ValidationError as error:
            errors["since"] = error.messages
        if errors:
            raise RowError(errors)
        values = {field.key: row.values.get(field.key) for field in self.fields
                  if cell_text(row.values.get(field.key))}
        return RecordRow(fields=values, key=(found[0].pk,),
                         extra={"person": found[0], "since": since})

    def write(self, rows: list[tuple[Row, RecordRow]], *, reason: str) -> list[Any]:
        outcomes: list[Any] = []
        for row, prepared in rows:
            person = prepared.extra["person"]
            before = Circumstance.objects.filter(person=person, population=self.population,
                                                 ended_on=None).first()
            try:
                with transaction.atomic():
                    saved = circumstance_save(
                        person=person, population=self.population, values=prepared.fields,
                        since=prepared.extra["since"], by=self.user,
                        reason=f"{reason}, {_('row')} {row.number}")
            except ValidationError as error:
                outcomes.append(RowError(dict(error.message_dict)))
                continue
            if before is None:
                outcomes.append(Outcome.CREATED)
            elif (before.values, before.since) == (saved.values, saved.since):
                outcomes.append(Outcome.UNCHANGED)
            else:
                outcomes.append(Outcome.UPDATED)
        return outcomes

    def plausible(self, landed: list[tuple[Row, RecordRow]]) -> list[RowWarning]:
        return []


def _choices(population: Population) -> dict[str, tuple[type[models.TextChoices], dict]]:
    """Choice fields as TextChoices, for the template's drop-down lists."""
    found: dict[str, tuple[type[models.TextChoices], dict]] = {}
    for field in population.fields.all():
        if field.kind == FieldKind.CHOICE and field.choice_list():
            members = [(f"C{index}", (code, label))
                       for index, (code, label) in enumerate(field.choice_list())]
            choices = models.TextChoices(f"{field.key}_choices", members)  # type: ignore[call-overload]
            found[field.key] = (choices, {})
    return found


def circumstance_kind(population: Population) -> type[CircumstanceKind]:
    """The import kind of ``population``: its columns are its fields (label and the other
    headers departments use), after the ID number, the name and the date it began."""
    headers: dict[str, tuple[str, ...]] = {"id_number": ID_HEADERS, "name": NAME_HEADERS}
    example = {"id_number": "420102198005171234", "name": "张伟"}
    for field in population.fields.all():
        headers[field.key] = (field.label, *(line.strip() for line in field.synonyms
                                             .splitlines() if line.strip()))
        if field.kind == FieldKind.CHOICE and field.choice_list():
            example[field.key] = field.choice_list()[0][0]
    headers["since"] = SINCE_HEADERS
    return type(f"{population.key.title()}Kind", (CircumstanceKind,), {
        "population": population, "headers": headers, "example": example,
        "choices": _choices(population)})


def population_kind(key: str) -> type[CircumstanceKind] | None:
    """The kind of the population ``key``, or None when there is no such population."""
    population = Population.objects.prefetch_related("fields").filter(key=key).first()
    return circumstance_kind(population) if population is not None else None


def population_kinds() -> dict[str, type[CircumstanceKind]]:
    """``population-<key>`` → its kind, for every population as it stands now."""
    return {f"{PREFIX}{population.key}": circumstance_kind(population)
            for population in Population.objects.prefetch_related("fields")}
