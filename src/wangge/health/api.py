"""API of daily health monitoring: a grid's day (who has not checked in, the check-ins, masked
by role and their reads logged), and lists of check-ins in bulk, as institutions send them."""

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from wangge.access.models import User
from wangge.auditlog.models import Kind, Purpose
from wangge.auditlog.services import access_record, purpose_text
from wangge.foundation.api_support import (
    CodeFilter,
    Pages,
    RecordId,
    acting,
    caller,
    stated_purpose,
    visible,
)
from wangge.foundation.permissions import Action
from wangge.normalisers import parse_resident_id
from wangge.normalisers.text import fold_width
from wangge.people.models import Person

from .models import CheckIn, CheckInChannel, EnteredBy, Symptom, TestResult
from .selectors import check_in_shown, day_check_ins, not_checked_in, sees_health
from .services import NOT_FOUND, Entry, answer_checked, check_ins_save, today

router = Router(tags=["health"])
VIEW = Action.VIEW_CHECK_INS
# Entries in one request: a school's or an employer's list, not a city's.
MAX_ENTRIES = 2000


class DayFilter(CodeFilter):
    day: datetime.date | None = Field(None, description="The day (default today; not later)")

    @property
    def the_day(self) -> datetime.date:
        return min(self.day or today(), today())


class MissingOut(Schema):
    id: int
    name: str
    dwelling: str = Field(description="Building, unit and room, or empty")
    household_id: int | None

    @staticmethod
    def resolve_dwelling(person: Person) -> str:
        return str(person.dwelling) if person.dwelling else ""


class CheckInOut(Schema):
    person_id: int
    name: str
    day: datetime.date
    grid_code: str
    temperature: Decimal | str = Field(description="°C; *** for a role that sees it masked")
    symptoms: list[str]
    test_result: str
    alert: bool | str = Field(description="A fever, a listed symptom or a positive test")
    entered_by: EnteredBy
    channel: CheckInChannel
    at: datetime.datetime
    revisions: int = Field(description="Answers given that day (the last counts)")


class EntryIn(Schema):
    """A person by ``person_id``, or by ``name`` and ``id_number`` as an institution holds
    them."""

    person_id: RecordId | None = None
    name: str = Field("", max_length=50)
    id_number: str = Field("", max_length=20)
    temperature: Decimal = Field(max_digits=4, decimal_places=2)
    symptoms: list[Symptom] = Field(default_factory=list, max_length=len(Symptom.values))
    test_result: TestResult | None = None
    day: datetime.date | None = Field(None, description="Default today")


class BatchIn(Schema):
    entries: list[EntryIn] = Field(min_length=1, max_length=MAX_ENTRIES)


class BatchOut(Schema):
    saved: int
    updated: int = Field(description="Of those saved, how many replaced an earlier answer")
    alerts: int = Field(description="Answers that opened (or joined) an event")


@router.get("/check-ins/missing", response=list[MissingOut])
@paginate(Pages)
def missing_list(request: HttpRequest, filters: Query[DayFilter]) -> QuerySet:
    """The grid worker's list: residents (but those living away) who have not checked in that
    day, grid by grid, a household together; ``code`` narrows it to a grid or division."""
    return filters.narrow(visible(request, lambda user: not_checked_in(user, filters.the_day),
                                  VIEW))


class CheckInPages(Pages):
    """A page of check-ins as the caller may see them; showing answers unmasked is a read of
    health data, logged (with ``X-Purpose``, or the purpose of health monitoring)."""

    def paginate_queryset(self, queryset: QuerySet, pagination: Pages.Input,
                          request: HttpRequest, **params: Any) -> dict[str, Any]:
        page = super().paginate_queryset(queryset, pagination, request, **params)
        user = caller(request)
        check_ins = list(page["items"])
        if check_ins and sees_health(user):
            access_record(by=user, kind=Kind.LIST, request=request, fields=["health_status"],
                          record_ids=[check_in.person_id for check_in in check_ins],
                          target="check-ins",
                          purpose=stated_purpose(request) or purpose_text(Purpose.HEALTH))
        page["items"] = [_out(user, check_in) for check_in in check_ins]
        return page


@router.get("/check-ins", response=list[CheckInOut])
@paginate(CheckInPages)
def check_in_list(request: HttpRequest, filters: Query[DayFilter]) -> QuerySet:
    """The check-ins of a day, grid by grid, those needing attention first; ``code`` narrows
    it to a grid or division. Answers are health data: masked for roles that see health status
    masked."""
    return filters.narrow(visible(request, lambda user: day_check_ins(user, filters.the_day),
                                  VIEW))


def _out(user: User, check_in: CheckIn) -> dict:
    shown = check_in_shown(user, check_in)
    return {"person_id": check_in.person_id, "name": check_in.person.name,
            "day": check_in.day, "grid_code": check_in.grid_code, **shown,
            "entered_by": check_in.entered_by, "channel": check_in.channel,
            "at": check_in.at, "revisions": check_in.revisions}


@router.post("/check-ins", response=BatchOut)
def check_ins_post(request: HttpRequest, payload: BatchIn) -> dict:
    """Check in a list (an institution's: a school, an employer), all or nothing: one refused
    entry (a 422 naming ``entries.N.field``) and none is stored. A person is named by
    ``person_id`` or by ``name`` and ``id_number``; either way one not registered in the
    caller's jurisdiction is refused with the same words. A repeated entry for a person and
    day replaces the earlier answer; a fever, a listed symptom or a positive test opens an
    event (once per person and day)."""
    by = acting(request, Action.RECORD_CHECK_INS)
    errors: dict[str, list[str]] = {}
    numbers = {}
    for position, item in enumerate(payload.entries):
        if item.person_id is None:
            try:
                numbers[position] = parse_resident_id(fold_width(item.id_number)).number
            except ValidationError:
                errors[f"entries.{position}.person"] = [str(NOT_FOUND)]
    found = {person.id_number: person for person in
             Person.objects.matching(id_number=list(numbers.values())).filter(merged_into=None)
             .only("id", "name", "id_number")} if numbers else {}
    entries = []
    for position, item in enumerate(payload.entries):
        person_id = item.person_id
        if person_id is None and position in numbers:
            person = found.get(numbers[position])
            if person is None or "".join(person.name.split()) != "".join(item.name.split()):
                errors[f"entries.{position}.person"] = [str(NOT_FOUND)]
                continue
            person_id = person.pk
        if person_id is None:
            continue
        try:
            answer = answer_checked(temperature=item.temperature, symptoms=item.symptoms,
                                    test_result=item.test_result or "")
        except ValidationError as error:
            errors.update({f"entries.{position}.{name}": messages
                           for name, messages in error.message_dict.items()})
            continue
        entries.append(Entry(person_id=person_id, answer=answer,
                             entered_by=EnteredBy.INSTITUTION, channel=CheckInChannel.API,
                             recorder_id=by.pk, day=item.day))
    if errors:
        raise ValidationError(errors)
    outcome = check_ins_save(entries=entries, by=by, partial=False)
    saved = [item for item in outcome.saved if item is not None]
    return {"saved": len(saved), "updated": sum(item.updated for item in saved),
            "alerts": sum(item.alert for item in saved)}
