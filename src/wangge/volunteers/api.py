"""API of volunteers and party members: staff list and decide report-ins (and report a person
in), post tasks, call volunteers, confirm hours, correct points, set the points rules and read
the ranking; a resident reports in, signs up for tasks, answers calls and reads their points
and their community's ranking (names masked)."""

import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Field, Path, Query, Router, Schema, Status
from ninja.pagination import paginate

from wangge.foundation.api_support import (
    Pages,
    RecordId,
    acting,
    also_answers,
    caller,
    referenced,
    visible,
    visible_one,
)
from wangge.foundation.codes import is_within
from wangge.foundation.permissions import Action
from wangge.organizations.models import Organization, OrganizationKind
from wangge.people.selectors import persons_visible_to
from wangge.residents.selectors import resident_person

from .models import (
    LedgerEntry,
    Participation,
    Registration,
    RegistrationState,
    Skill,
    Task,
    TaskKind,
    Weekday,
)
from .selectors import (
    MOST_RANKED,
    RANKED,
    balance,
    is_community_side,
    ledger_visible_to,
    open_tasks_for,
    own_ledger,
    own_participations,
    own_registration,
    participants_of,
    participations_visible_to,
    phone_shown,
    ranking,
    registrations_decided_by,
    registrations_visible_to,
    tasks_visible_to,
    volunteers_filtered,
)
from .services import (
    CALLED_AT_ONCE,
    DESCRIPTION_CHARACTERS,
    MOST_NEEDED,
    NOTE_CHARACTERS,
    PLACE_CHARACTERS,
    SKILLS_TEXT_CHARACTERS,
    TIMES_CHARACTERS,
    TITLE_CHARACTERS,
    call_answer,
    hours_confirm,
    point_rule_set,
    points_correct,
    registration_decide,
    registration_register,
    registration_report_in,
    registration_withdraw,
    rule_of,
    task_call,
    task_cancel,
    task_post,
    task_sign_up,
    task_withdraw,
)

router = Router(tags=["volunteers"])
MANAGE, OWN = Action.MANAGE_VOLUNTEERS, Action.VIEW_OWN_RECORD
REFUSALS = also_answers(422, meaning={422: gettext_lazy(
    "The request breaks a rule (a field out of bounds, a task full or started, a community "
    "beyond your jurisdiction); errors names each.")})
CommunityCode = Field(pattern=r"^\d{12}$", description="A community's 12-digit code")
CommunityPath = Annotated[str, Path(pattern=r"^\d{12}$",
                                    description="A community's 12-digit code")]


class Details(Schema):
    as_volunteer: bool = True
    as_party_member: bool = False
    party_organization_id: RecordId | None = Field(
        None, description="A party organization's id (required for a party member)")
    skills: list[Skill] = Field([], max_length=len(Skill.values))
    skills_text: str = Field("", max_length=SKILLS_TEXT_CHARACTERS)
    days: list[Weekday] = Field([], max_length=7, description="0 Monday … 6 Sunday")
    times: str = Field("", max_length=TIMES_CHARACTERS)


class RegisterIn(Details):
    person_id: RecordId


class RegistrationOut(Schema):
    id: int
    person_id: int
    name: str
    phone: str = Field(description="Masked unless the role sees phones")
    code: str = Field(description="The community reported in to")
    as_volunteer: bool
    as_party_member: bool
    party_organization_id: int | None
    party_organization: str
    skills: list[str]
    skills_text: str
    days: list[int]
    times: str
    state: RegistrationState
    created: datetime.datetime
    decided_at: datetime.datetime | None
    decision_note: str
    community_side: bool = Field(description="Whether the caller answers for the community "
                                             "(else they see it as the party organization's "
                                             "side)")


class RegistrationFilter(Schema):
    state: RegistrationState | None = None
    skill: Skill | None = None
    party: bool | None = Field(None, description="Party members only (true) or others")


class DecideIn(Schema):
    confirm: bool
    note: str = Field("", max_length=NOTE_CHARACTERS, description="Required to decline")


class CorrectionIn(Schema):
    points: Decimal = Field(ge=-1000, le=1000, decimal_places=1)
    reason: str = Field(min_length=1, max_length=NOTE_CHARACTERS)


class LedgerOut(Schema):
    id: int
    person_id: int
    code: str
    points: float
    reason: str
    task_id: int | None
    by_id: int | None
    by_name: str
    created: datetime.datetime


class TaskIn(Schema):
    code: str = CommunityCode
    title: str = Field(min_length=1, max_length=TITLE_CHARACTERS)
    description: str = Field("", max_length=DESCRIPTION_CHARACTERS)
    place: str = Field(min_length=1, max_length=PLACE_CHARACTERS)
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    kind: TaskKind = TaskKind.GENERAL
    urgent: bool = False
    skills: list[Skill] = Field([], max_length=len(Skill.values))
    needed: int = Field(ge=1, le=MOST_NEEDED)
    contact_phone: str = Field("", max_length=20)


class VolunteerTaskOut(Schema):
    id: int
    code: str
    title: str
    description: str
    place: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    kind: TaskKind
    urgent: bool
    skills: list[str]
    needed: int
    taking_part: int
    contact_name: str
    contact_phone: str
    cancelled_at: datetime.datetime | None


class ParticipantOut(Schema):
    id: int
    registration_id: int
    person_id: int
    name: str
    phone: str = Field(description="Masked unless the role sees phones")
    state: str
    called: bool
    hours: float | None


class TaskDetailOut(VolunteerTaskOut):
    participants: list[ParticipantOut]


class CallIn(Schema):
    registration_ids: list[RecordId] = Field(min_length=1, max_length=CALLED_AT_ONCE)


class CalledOut(Schema):
    called: int = Field(description="How many were called (those taking part or called "
                                    "already are left as they are)")


class CancelIn(Schema):
    reason: str = Field(min_length=1, max_length=NOTE_CHARACTERS)


class HoursIn(Schema):
    hours: Decimal = Field(ge=0, le=24, decimal_places=1)
    reason: str = Field("", max_length=NOTE_CHARACTERS,
                        description="Required when hours already confirmed change")


class RuleIn(Schema):
    points_per_hour: Decimal = Field(ge=0, le=100, decimal_places=1)
    urgent_bonus: Decimal = Field(Decimal(0), ge=0, le=1000, decimal_places=1)
    kind_bonus: dict[TaskKind, Decimal] = Field({}, description="Bonus points per task of "
                                                                 "a kind")
    reason: str = Field("", max_length=NOTE_CHARACTERS)


class RuleOut(Schema):
    code: str
    points_per_hour: float
    urgent_bonus: float
    kind_bonus: dict[str, float]
    default: bool = Field(description="The community has set no rule: the default applies")


class RankingFilter(Schema):
    code: str = CommunityCode
    since: datetime.date | None = None
    until: datetime.date | None = Field(None, description="Inclusive")
    limit: int = Field(RANKED, ge=1, le=MOST_RANKED)


class RankOut(Schema):
    rank: int
    person_id: int | None = Field(description="For staff only")
    name: str = Field(description="In full for staff, masked (张*三) for residents")
    points: float


class MyRegistrationOut(Schema):
    code: str
    state: RegistrationState
    as_volunteer: bool
    as_party_member: bool
    party_organization: str
    skills: list[str]
    skills_text: str
    days: list[int]
    times: str
    decision_note: str


class MyTaskOut(Schema):
    """What a volunteer sees of a task: what they need to take part, nothing of anyone."""

    id: int
    title: str
    place: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    kind: TaskKind
    urgent: bool
    description: str
    organizer: str
    organizer_phone: str
    needed: int
    taking_part: int | None = Field(None, description="On open tasks")
    state: str | None = Field(None, description="Mine: called, signed_up, declined, withdrawn")
    hours: float | None = None
    cancelled: bool


class MineOut(Schema):
    registration: MyRegistrationOut | None
    balance: float
    tasks: list[MyTaskOut]
    ledger: list[LedgerOut] = Field(description="The latest 50 lines")


class Step(StrEnum):
    SIGN_UP = "sign-up"
    WITHDRAW = "withdraw"
    ACCEPT = "accept"
    DECLINE = "decline"


def registration_out(registration: Registration, user: Any) -> dict[str, Any]:
    person = registration.person
    organization = registration.party_organization
    return {
        **{name: getattr(registration, name) for name in (
            "id", "person_id", "code", "as_volunteer", "as_party_member",
            "party_organization_id", "skills", "skills_text", "days", "times", "state",
            "created", "decided_at", "decision_note")},
        "name": person.name, "phone": phone_shown(user, person) or "",
        "party_organization": organization.name if organization else "",
        "community_side": is_community_side(user, registration)}


def task_out(task: Task) -> dict[str, Any]:
    return {name: getattr(task, name) for name in (
        "id", "code", "title", "description", "place", "starts_at", "ends_at", "kind",
        "urgent", "skills", "needed", "contact_name", "contact_phone", "cancelled_at")} | {
        "taking_part": getattr(task, "taking_part", 0)}


def participant_out(participation: Participation, user: Any) -> dict[str, Any]:
    person = participation.registration.person
    return {"id": participation.pk, "registration_id": participation.registration_id,
            "person_id": person.pk, "name": person.name,
            "phone": phone_shown(user, person) or "", "state": participation.state,
            "called": participation.called,
            "hours": participation.hours}


def ledger_out(entry: LedgerEntry) -> dict[str, Any]:
    return {name: getattr(entry, name) for name in (
        "id", "person_id", "code", "points", "reason", "task_id", "by_id", "by_name",
        "created")}


def my_task_out(task: Task, participation: Participation | None = None) -> dict[str, Any]:
    return {**{name: getattr(task, name) for name in (
        "id", "title", "place", "starts_at", "ends_at", "kind", "urgent", "description",
        "needed")},
        "organizer": task.contact_name, "organizer_phone": task.contact_phone,
        "taking_part": getattr(task, "taking_part", None),
        "state": participation.state if participation else None,
        "hours": participation.hours if participation else None,
        "cancelled": task.cancelled_at is not None}


def _pages(out: Any, *, with_user: bool = False) -> type[Pages]:
    class Shaped(Pages):
        def paginate_queryset(self, queryset: QuerySet, pagination: Pages.Input,
                              request: HttpRequest, **params: Any) -> dict[str, Any]:
            page = super().paginate_queryset(queryset, pagination, request, **params)
            page["items"] = [out(item, caller(request)) if with_user else out(item)
                             for item in page["items"]]
            return page

    return Shaped


def _party_organization(request: HttpRequest, pk: int | None) -> Organization | None:
    """A party organization by id: any in the city (a party member's may be at their
    workplace, beyond the community); another kind or none is a 422."""
    if pk is None:
        return None
    organization = Organization.objects.filter(pk=pk, kind=OrganizationKind.PARTY).first()
    if organization is None:
        raise ValidationError({"party_organization_id": _("No party organization has this "
                                                          "id.")})
    return organization


def _details(request: HttpRequest, payload: Details) -> dict[str, Any]:
    return {**payload.model_dump(include={"as_volunteer", "as_party_member", "skills_text",
                                          "times"}),
            "skills": [str(skill) for skill in payload.skills],
            "days": [int(day) for day in payload.days],
            "party_organization": _party_organization(request, payload.party_organization_id)}


# -- staff ---------------------------------------------------------------------------------

@router.get("/volunteers/registrations", response=list[RegistrationOut])
@paginate(_pages(registration_out, with_user=True))
def registration_list(request: HttpRequest, filters: Query[RegistrationFilter]) -> QuerySet:
    """Report-ins to the caller's communities, and those of party members naming a party
    organization of their jurisdiction."""
    visible(request, registrations_visible_to, MANAGE)
    return volunteers_filtered(caller(request), state=filters.state or "",
                               skill=filters.skill or "", party=filters.party)


@router.post("/volunteers/registrations", response={201: RegistrationOut},
             openapi_extra=REFUSALS)
def registration_post(request: HttpRequest, payload: RegisterIn) -> Status[dict[str, Any]]:
    """Report a person of the caller's registry in, on their behalf (confirmed at once)."""
    by = acting(request, MANAGE)
    person = referenced(request, persons_visible_to, MANAGE, field="person_id",
                        pk=payload.person_id)
    registration = registration_register(by=by, person=person, **_details(request, payload))
    return Status(201, registration_out(registration, by))


@router.get("/volunteers/registrations/{id}", response=RegistrationOut)
def registration_get(request: HttpRequest, id: RecordId) -> dict[str, Any]:
    registration = visible_one(request, registrations_visible_to, MANAGE, pk=id)
    return registration_out(registration, caller(request))


@router.post("/volunteers/registrations/{id}/decide", response=RegistrationOut,
             openapi_extra=REFUSALS)
def registration_decide_post(request: HttpRequest, id: RecordId,
                             payload: DecideIn) -> dict[str, Any]:
    """Confirm or decline a report-in to one of the caller's communities (the party
    organization's side sees it, and gets 404 here: only the community decides)."""
    registration = visible_one(request, registrations_decided_by, MANAGE, pk=id)
    return registration_out(registration_decide(
        by=caller(request), registration=registration, confirm=payload.confirm,
        note=payload.note), caller(request))


@router.get("/volunteers/registrations/{id}/ledger", response=list[LedgerOut])
@paginate(_pages(ledger_out))
def registration_ledger(request: HttpRequest, id: RecordId) -> QuerySet:
    """The person's ledger lines in the community, the latest first."""
    registration = visible_one(request, registrations_decided_by, MANAGE, pk=id)
    return ledger_visible_to(caller(request)).filter(person=registration.person_id,
                                                     code=registration.code)


@router.post("/volunteers/registrations/{id}/points", response={201: LedgerOut},
             openapi_extra=REFUSALS)
def registration_points(request: HttpRequest, id: RecordId,
                        payload: CorrectionIn) -> Status[dict[str, Any]]:
    """Correct the person's points in the community: a new ledger line with its reason."""
    registration = visible_one(request, registrations_decided_by, MANAGE, pk=id)
    return Status(201, ledger_out(points_correct(by=caller(request), registration=registration,
                                                 points=payload.points, reason=payload.reason)))


@router.get("/volunteers/tasks", response=list[VolunteerTaskOut])
@paginate(_pages(task_out))
def task_list(request: HttpRequest) -> QuerySet:
    return visible(request, tasks_visible_to, MANAGE).order_by("-starts_at", "-pk")


@router.post("/volunteers/tasks", response={201: VolunteerTaskOut}, openapi_extra=REFUSALS)
def task_create(request: HttpRequest, payload: TaskIn) -> Status[dict[str, Any]]:
    """Post a task for the confirmed volunteers of a community of the caller's."""
    by = acting(request, MANAGE)
    fields = payload.model_dump()
    fields["skills"] = [str(skill) for skill in payload.skills]
    task = task_post(by=by, **fields)
    return Status(201, task_out(task))


def _task_detail(request: HttpRequest, task: Task) -> dict[str, Any]:
    task = tasks_visible_to(caller(request)).get(pk=task.pk)
    return {**task_out(task), "participants": [
        participant_out(participation, caller(request))
        for participation in participants_of(task)]}


@router.get("/volunteers/tasks/{id}", response=TaskDetailOut)
def task_get(request: HttpRequest, id: RecordId) -> dict[str, Any]:
    return _task_detail(request, visible_one(request, tasks_visible_to, MANAGE, pk=id))


@router.post("/volunteers/tasks/{id}/call", response=CalledOut, openapi_extra=REFUSALS)
def task_call_post(request: HttpRequest, id: RecordId, payload: CallIn) -> dict[str, int]:
    """Call confirmed volunteers of the task's community: each is told in their inbox."""
    task = visible_one(request, tasks_visible_to, MANAGE, pk=id)
    ids = set(payload.registration_ids)
    chosen = list(registrations_decided_by(caller(request)).filter(pk__in=ids))
    if len(chosen) != len(ids):
        raise ValidationError({"registration_ids": _("There is no report-in with one of these "
                                                     "ids in your jurisdiction.")})
    return {"called": task_call(by=caller(request), task=task, registrations=chosen)}


@router.post("/volunteers/tasks/{id}/cancel", response=VolunteerTaskOut, openapi_extra=REFUSALS)
def task_cancel_post(request: HttpRequest, id: RecordId, payload: CancelIn) -> dict[str, Any]:
    task = visible_one(request, tasks_visible_to, MANAGE, pk=id)
    task_cancel(by=caller(request), task=task, reason=payload.reason)
    return task_out(tasks_visible_to(caller(request)).get(pk=task.pk))


@router.post("/volunteers/participations/{id}/hours", response=ParticipantOut,
             openapi_extra=REFUSALS)
def participation_hours(request: HttpRequest, id: RecordId, payload: HoursIn) -> dict[str, Any]:
    """Confirm the hours of one who took part, once the task has ended: the points they earn
    by the community's rule go to the ledger (a change is written as a correction)."""
    participation = visible_one(request, participations_visible_to, MANAGE, pk=id)
    confirmed = hours_confirm(by=caller(request), participation=participation,
                              hours=payload.hours, reason=payload.reason)
    return participant_out(confirmed, caller(request))


def _rule_out(code: str) -> dict[str, Any]:
    rule = rule_of(code)
    return {"code": code, "points_per_hour": rule.points_per_hour,
            "urgent_bonus": rule.urgent_bonus,
            "kind_bonus": {kind: float(bonus) for kind, bonus in rule.kind_bonus.items()},
            "default": rule.pk is None}


def _own_community(request: HttpRequest, code: str) -> str:
    user = acting(request, MANAGE)
    if not is_within(code, user.scope_prefixes):
        raise Http404
    return code


@router.get("/volunteers/rules/{code}", response=RuleOut)
def rule_get(request: HttpRequest, code: CommunityPath) -> dict[str, Any]:
    """A community's points rule (the default where it has set none)."""
    return _rule_out(_own_community(request, code))


@router.put("/volunteers/rules/{code}", response=RuleOut, openapi_extra=REFUSALS)
def rule_put(request: HttpRequest, code: CommunityPath, payload: RuleIn) -> dict[str, Any]:
    """Set a community's points rule (hours confirmed earlier keep their points)."""
    point_rule_set(by=caller(request), code=_own_community(request, code),
                   points_per_hour=payload.points_per_hour, urgent_bonus=payload.urgent_bonus,
                   kind_bonus={str(kind): bonus for kind, bonus in payload.kind_bonus.items()},
                   reason=payload.reason)
    return _rule_out(code)


@router.get("/volunteers/ranking", response=list[RankOut])
def ranking_get(request: HttpRequest, filters: Query[RankingFilter]) -> list[dict[str, Any]]:
    """A community's top volunteers by points over a period, names in full."""
    code = _own_community(request, filters.code)
    return ranking(code, since=filters.since, until=filters.until, limit=filters.limit,
                   full_names=True)


# -- a resident's own ------------------------------------------------------------------------

def _mine(request: HttpRequest) -> dict[str, Any]:
    person = resident_person(caller(request))
    registration = own_registration(person)
    return {
        "registration": None if registration is None else {
            **{name: getattr(registration, name) for name in (
                "code", "state", "as_volunteer", "as_party_member", "skills", "skills_text",
                "days", "times", "decision_note")},
            "party_organization": (registration.party_organization.name
                                   if registration.party_organization else "")},
        "balance": balance(person) if person is not None else 0,
        "tasks": [my_task_out(p.task, p) for p in own_participations(person)[:50]],
        "ledger": [ledger_out(entry) for entry in own_ledger(person)[:50]]}


@router.get("/me/volunteer", response=MineOut)
def mine_get(request: HttpRequest) -> dict[str, Any]:
    """The resident's report-in, their tasks (what each needs, and its organizer to call),
    points and ledger."""
    acting(request, OWN)
    return _mine(request)


@router.put("/me/volunteer", response=MineOut, openapi_extra=REFUSALS)
def mine_put(request: HttpRequest, payload: Details) -> dict[str, Any]:
    """Report in to the community one lives in (or update the report-in)."""
    by = acting(request, OWN)
    registration_report_in(by=by, **_details(request, payload))
    return _mine(request)


@router.post("/me/volunteer/withdraw", response=MineOut, openapi_extra=REFUSALS)
def mine_withdraw(request: HttpRequest) -> dict[str, Any]:
    registration_withdraw(by=acting(request, OWN))
    return _mine(request)


@router.get("/me/volunteer/tasks", response=list[MyTaskOut])
def mine_open_tasks(request: HttpRequest) -> list[dict[str, Any]]:
    """Tasks not yet started of the resident's community, the soonest first (at most 50)."""
    acting(request, OWN)
    person = resident_person(caller(request))
    return [my_task_out(task) for task in open_tasks_for(person)[:50]]


@router.post("/me/volunteer/tasks/{id}/{step}", response=MyTaskOut, openapi_extra=REFUSALS)
def mine_task_step(request: HttpRequest, id: RecordId, step: Step) -> dict[str, Any]:
    """Sign up for a task, withdraw from it, or accept or decline a call: a task of the
    resident's community (else 404)."""
    by = acting(request, OWN)
    person = resident_person(by)
    if person is None:
        raise Http404
    task = (Task.objects.filter(pk=id, code=person.grid_code[:12]).first()
            or Task.objects.filter(pk=id, participations__registration__person=person).first())
    if task is None:
        raise Http404
    if step == Step.SIGN_UP:
        participation = task_sign_up(by=by, task=task)
    elif step == Step.WITHDRAW:
        participation = task_withdraw(by=by, task=task)
    else:
        participation = call_answer(by=by, task=task, accept=step == Step.ACCEPT)
    return my_task_out(task, participation)


@router.get("/me/volunteer/ranking", response=list[RankOut])
def mine_ranking(request: HttpRequest, since: datetime.date | None = None,
                 until: datetime.date | None = None) -> list[dict[str, Any]]:
    """The ranking of the resident's community (names masked), this year unless a period is
    given."""
    person = resident_person(acting(request, OWN))
    if person is None:
        return []
    start = since or timezone.localdate().replace(month=1, day=1)
    return ranking(person.grid_code[:12], since=start, until=until)
