"""API for care visits (the rules, the visits due and overdue, recording a visit, the
visits made, the share of people visited on time per grid) and remote medical help (the
queue, a request, the centre's steps)."""

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from wangge.divisions.selectors import area_names
from wangge.events.models import Channel, Priority, State
from wangge.foundation.api_support import (
    MAX_PAGE,
    CodeFilter,
    Pages,
    RecordId,
    acting,
    caller,
    referenced,
    visible,
    visible_one,
)
from wangge.foundation.codes import scope_prefix
from wangge.foundation.permissions import Action
from wangge.people.selectors import persons_visible_to
from wangge.populations.selectors import sees_circumstances

from .medical import (
    medical_appointment_set,
    medical_delivery_arrange,
    medical_delivery_confirm,
    medical_follow_up_set,
    medical_request_file,
)
from .models import (
    AppointmentKind,
    CareRule,
    CareVisit,
    Courier,
    MedicalRequest,
    Outcome,
    Urgency,
)
from .selectors import (
    care_rules,
    medical_queue,
    medical_requests_visible_to,
    rule_label,
    visit_due_for,
    visits_due,
    visits_on_time,
    visits_visible_to,
)
from .services import care_visit_record

router = Router(tags=["care"])


@contextmanager
def body_names() -> Iterator[None]:
    """The services name a person and a rule as ``person`` and ``rule``; the bodies call
    them ``person_id`` and ``rule_id``: a refusal names the field as sent."""
    try:
        yield
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            for name in ("person", "rule"):
                if name in error.error_dict:
                    error.error_dict[f"{name}_id"] = error.error_dict.pop(name)
        raise


def _seeing(request: HttpRequest) -> Any:
    """The caller, refused (403) unless their role sees people's circumstances: who is due a
    visit says who is in a vulnerable population."""
    user = acting(request, Action.VIEW_PEOPLE)
    if not sees_circumstances(user):
        raise PermissionDenied(_("Your role does not see people's circumstances."))
    return user


class CareRuleOut(Schema):
    id: int
    population: str = Field(description="The population's code (older_people, ...)")
    population_name: str
    field_key: str = Field(description="Only people whose field holds field_value; empty: "
                                       "everyone in the population")
    field_value: str
    interval_days: int = Field(description="Days from one visit to the next")
    category_id: int = Field(description="The event category a visit that finds someone "
                                         "in need of help is filed under")
    label: str


class DueVisitOut(Schema):
    person_id: int
    name: str
    grid_code: str
    rule_id: int
    last_visit: datetime.datetime | None = Field(description="Null: never visited")
    since: datetime.date | None = Field(description="When the circumstance began")
    due_on: datetime.date
    overdue: bool = Field(description="due_on is before today")
    days_overdue: int


class DueVisitList(Schema):
    count: int
    items: list[DueVisitOut]


class DueFilter(Schema):
    code: str = Field("", pattern=r"^(\d{12}|\d{15})?$",
                      description="A division or grid of the jurisdiction")
    page: int = Field(1, ge=1, le=MAX_PAGE)


class CareVisitIn(Schema):
    person_id: RecordId
    rule_id: RecordId | None = Field(None, description="Default: the tightest rule the "
                                                       "person is under")
    outcome: Outcome
    note: str = Field("", max_length=200, description="Needed for needs_help: what help")


class CareVisitOut(Schema):
    id: int
    person_id: int
    rule_id: int
    grid_code: str
    visited_at: datetime.datetime
    visitor_id: int | None
    outcome: Outcome
    note: str
    event_id: int | None = Field(description="The event needs_help opened")


class CareVisitFilter(CodeFilter):
    person_id: RecordId | None = None

    def narrow(self, queryset: QuerySet) -> QuerySet:
        queryset = super().narrow(queryset)
        if self.person_id is not None:
            queryset = queryset.filter(person_id=self.person_id)
        return queryset


class OnTimeQuery(Schema):
    code: str = Field("", pattern=r"^(\d{12}|\d{15})?$",
                      description="A division or grid of the jurisdiction (default: all of "
                                  "it)")
    on: datetime.date | None = Field(None, description="The day (default and at most: "
                                                       "today)")


class OnTimeOut(Schema):
    code: str = Field(description="Grid code")
    name: str
    people: int = Field(description="People under a visit rule that day (a person under "
                                    "two rules counts under each)")
    on_time: int = Field(description="Of them, visited within their rule's interval before "
                                     "that day, or under it for less than an interval")
    share: float | None


@router.get("/care/rules", response=list[CareRuleOut])
def rule_list(request: HttpRequest) -> list[dict[str, Any]]:
    """The visit rules in use."""
    _seeing(request)
    return [{"id": rule.pk, "population": rule.population.key,
             "population_name": rule.population.name, "field_key": rule.field_key,
             "field_value": rule.field_value, "interval_days": rule.interval_days,
             "category_id": rule.category_id, "label": rule_label(rule)}
            for rule in care_rules()]


@router.get("/care/due", response=DueVisitList)
def due_list(request: HttpRequest, filters: Query[DueFilter]) -> dict[str, Any]:
    """The visits due today and overdue in the caller's jurisdiction (or the division or
    grid ``code`` of it), the longest overdue first, ``settings.WANGGE_PAGE_SIZE`` a page;
    a person under several rules once, under the rule that makes them due first."""
    due = visits_due(_seeing(request), code=filters.code)
    size = settings.WANGGE_PAGE_SIZE
    start = (filters.page - 1) * size
    return {"count": len(due), "items": [
        {"person_id": entry.person.pk, "name": entry.person.name,
         "grid_code": entry.person.grid_code, "rule_id": entry.rule.pk,
         "last_visit": entry.last_visit, "since": entry.since, "due_on": entry.due_on,
         "overdue": entry.overdue, "days_overdue": entry.days_overdue}
        for entry in due[start:start + size]]}


@router.get("/care/visits", response=list[CareVisitOut])
@paginate(Pages)
def visit_list(request: HttpRequest, filters: Query[CareVisitFilter]) -> QuerySet:
    """Visits in the jurisdiction, newest first (``person_id``: one person's)."""
    _seeing(request)
    return filters.narrow(visible(request, visits_visible_to, None))


@router.post("/care/visits", response={201: CareVisitOut})
def visit_post(request: HttpRequest, payload: CareVisitIn) -> CareVisit:
    """Record a visit made now. ``needs_help`` files an event in the closed loop (its id is
    the answer's ``event_id``) and needs a note; a person under no rule, or not under
    ``rule_id``, is a 422 on ``rule_id``."""
    by = acting(request, Action.EDIT_PEOPLE)
    _seeing(request)
    person = referenced(request, persons_visible_to, Action.VIEW_PEOPLE, field="person_id",
                        pk=payload.person_id)
    rules = visit_due_for(by, person)
    rule: CareRule | None = rules[0] if rules else None
    if payload.rule_id is not None:
        rule = next((rule for rule in rules if rule.pk == payload.rule_id), None)
    if rule is None:
        raise ValidationError({"rule_id": _("%(name)s is not under this visit rule.")
                               % {"name": person.name}})
    with body_names():
        return care_visit_record(person=person, rule=rule, outcome=payload.outcome,
                                 note=payload.note, channel=Channel.API, by=by)


@router.get("/care/on-time", response=list[OnTimeOut])
def on_time_list(request: HttpRequest, query: Query[OnTimeQuery]) -> list[dict[str, Any]]:
    """Per grid of the jurisdiction (or of ``code``): the people under a visit rule on the
    day ``on`` and how many of them were visited on time as of that day."""
    user = _seeing(request)
    today = timezone.localdate()
    on = query.on or today
    if on > today:
        raise ValidationError({"on": _("The day cannot be in the future.")})
    prefixes = [scope_prefix(query.code)] if query.code else list(user.scope_prefixes)
    found = visits_on_time(user, prefixes, 15, on=on)
    names = area_names(found)
    return [{"code": code, "name": names.get(code, code), "people": figure.people,
             "on_time": figure.on_time, "share": figure.share}
            for code, figure in sorted(found.items())]


class MedicalRequestIn(Schema):
    person_id: RecordId
    symptoms: str = Field(max_length=1000)
    medicines: str = Field("", max_length=300)
    urgency: Urgency = Urgency.NORMAL


class MedicalRequestOut(Schema):
    id: int
    person_id: int
    grid_code: str
    centre_id: int
    event_id: int = Field(description="The event that times the request (dispatched to the "
                                      "centre; closed by the grid worker)")
    state: State = Field(alias="event.state")
    priority: Priority = Field(alias="event.priority",
                               description="The urgency, one higher for a person under "
                                           "a restrictive measure")
    deadline: datetime.datetime = Field(alias="event.deadline")
    symptoms: str
    medicines: str
    urgency: Urgency
    under_measure: bool
    requested_at: datetime.datetime
    appointment_kind: str
    appointment_at: datetime.datetime | None
    appointment_note: str
    courier: str
    delivery_arranged_at: datetime.datetime | None
    delivered_at: datetime.datetime | None
    follow_up_on: datetime.date | None
    follow_up_note: str


class AppointmentIn(Schema):
    kind: AppointmentKind
    at: datetime.datetime
    note: str = Field("", max_length=200)


class DeliveryIn(Schema):
    courier: Courier


class FollowUpIn(Schema):
    on: datetime.date
    note: str = Field("", max_length=200)


def _medical_one(request: HttpRequest, id: int) -> MedicalRequest:
    return visible_one(request, medical_requests_visible_to, Action.VIEW_PEOPLE, pk=id)


@router.get("/care/medical", response=list[MedicalRequestOut])
@paginate(Pages)
def medical_list(request: HttpRequest) -> QuerySet:
    """The open requests the caller sees, in the order they are served: people under an
    active restrictive measure first, then by priority, the oldest first."""
    return visible(request, medical_queue, Action.VIEW_PEOPLE)


@router.post("/care/medical", response={201: MedicalRequestOut})
def medical_post(request: HttpRequest, payload: MedicalRequestIn) -> MedicalRequest:
    """Ask the community health centre serving the person's grid for remote medical help;
    a 422 on ``person_id`` when no centre serves it."""
    by = acting(request, Action.EDIT_PEOPLE)
    person = referenced(request, persons_visible_to, Action.VIEW_PEOPLE, field="person_id",
                        pk=payload.person_id)
    with body_names():
        return medical_request_file(person=person, symptoms=payload.symptoms,
                                    medicines=payload.medicines, urgency=payload.urgency,
                                    channel=Channel.API, by=by)


@router.get("/care/medical/{id}", response=MedicalRequestOut)
def medical_get(request: HttpRequest, id: RecordId) -> MedicalRequest:
    return _medical_one(request, id)


@router.post("/care/medical/{id}/appointment", response=MedicalRequestOut)
def medical_appointment_post(request: HttpRequest, id: RecordId,
                             payload: AppointmentIn) -> MedicalRequest:
    """The centre's staff answer by a phone or video appointment (the event is then being
    handled); anyone else is a 403."""
    return medical_appointment_set(request=_medical_one(request, id), kind=payload.kind,
                                   at=payload.at, note=payload.note, by=caller(request))


@router.post("/care/medical/{id}/delivery", response=MedicalRequestOut)
def medical_delivery_post(request: HttpRequest, id: RecordId,
                          payload: DeliveryIn) -> MedicalRequest:
    """The centre's staff arrange the medicines delivered by a volunteer or the grid
    worker."""
    return medical_delivery_arrange(request=_medical_one(request, id),
                                    courier=payload.courier, by=caller(request))


@router.post("/care/medical/{id}/delivered", response=MedicalRequestOut)
def medical_delivered_post(request: HttpRequest, id: RecordId) -> MedicalRequest:
    """The medicines arrived: confirmed by the grid worker or the centre's staff."""
    return medical_delivery_confirm(request=_medical_one(request, id), by=caller(request))


@router.post("/care/medical/{id}/follow-up", response=MedicalRequestOut)
def medical_follow_up_post(request: HttpRequest, id: RecordId,
                           payload: FollowUpIn) -> MedicalRequest:
    """The centre reports back with a follow-up date: the event's result, for the grid
    worker to verify and close; a 422 while the medicines are on their way."""
    return medical_follow_up_set(request=_medical_one(request, id), on=payload.on,
                                 note=payload.note, by=caller(request))
