"""Reads of residents' accounts: the person an account is, their own record (in full, to them
alone, and logged as every read of personal data is), and the corrections waiting for a grid
worker; a resident's own requests as they may see them."""

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet
from django.http import HttpRequest
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from wangge.access.models import User
from wangge.auditlog.models import Kind
from wangge.auditlog.services import access_record
from wangge.divisions.selectors import area_names
from wangge.events.models import Event, EventPhoto, EventRating, PhotoStage, State
from wangge.foundation.permissions import Action, SensitiveField, can
from wangge.people.models import Person
from wangge.people.selectors import household_name, own_history

from .models import CorrectionRequest, CorrectionState, ResidentAccount, ResidentRequest

OWN_RECORD = "own record"


def resident_person(user: User) -> Person | None:
    """The person ``user``'s account is (the record it was merged into, where linkage merged
    it since), or None: not a resident's account, or not linked to anyone."""
    if not can(user, Action.VIEW_OWN_RECORD) or not getattr(user, "pk", None):
        return None
    account = ResidentAccount.objects.select_related("person").filter(user=user).first()
    if account is None:
        return None
    person = account.person
    while person.merged_into_id is not None:
        person = Person.objects.get(pk=person.merged_into_id)
    return person


def own_record(user: User, person: Person, request: HttpRequest | None) -> dict[str, Any]:
    """What a resident sees of themselves: their record in full with its history, their
    dwelling and grid by name, and of their household its name and members' names alone
    (nothing else of anyone). The read is logged like any read of sensitive fields."""
    person = (Person.objects.select_related("dwelling__building", "household__head")
              .get(pk=person.pk))
    household = person.household
    members = ([] if household is None else list(
        Person.objects.filter(household=household, merged_into=None).exclude(pk=person.pk)
        .order_by("name", "pk").values_list("name", flat=True)))
    access_record(by=user, kind=Kind.VIEW, request=request,
                  fields=[field.value for field in SensitiveField], record_ids=[person.pk],
                  target=OWN_RECORD, purpose=OWN_RECORD)
    return {
        "person": person,
        "grid_name": area_names([person.grid_code]).get(person.grid_code, person.grid_code),
        "household_name": household_name(household) if household is not None else "",
        "members": members,
        "history": own_history(person),
    }


def own_corrections(person: Person) -> QuerySet[CorrectionRequest]:
    return CorrectionRequest.objects.filter(person=person)


def corrections_visible_to(user: User) -> QuerySet[CorrectionRequest]:
    """Residents' correction requests of the grids ``user`` edits records in."""
    if not can(user, Action.EDIT_PEOPLE):
        return CorrectionRequest.objects.none()
    return (CorrectionRequest.objects.in_scope(user.scope_prefixes)
            .select_related("person", "answered_by"))


def corrections_waiting(user: User) -> QuerySet[CorrectionRequest]:
    """The open ones: a grid worker's to-do (oldest first)."""
    return corrections_visible_to(user).filter(state=CorrectionState.OPEN).order_by("created")


def own_requests(person: Person | None) -> QuerySet[ResidentRequest]:
    """A resident's own requests, the newest first (none without a person), each with
    ``rating_waits``: closed, and not rated since (in the same query, not one per row)."""
    if person is None:
        return ResidentRequest.objects.none()
    rated = EventRating.objects.filter(event=OuterRef("event_id"),
                                       at__gte=OuterRef("event__closed_at"))
    return (ResidentRequest.objects.filter(person=person).select_related("event")
            .annotate(rating_waits=ExpressionWrapper(
                Q(event__state=State.CLOSED) & ~Exists(rated), output_field=BooleanField()))
            .order_by("-created", "-pk"))


def requests_visible_to(user: User) -> QuerySet[ResidentRequest]:
    """Residents' requests of the grids whose events ``user`` sees (the staff's side: the
    event page says whose request it is)."""
    if not can(user, Action.VIEW_EVENTS):
        return ResidentRequest.objects.none()
    return ResidentRequest.objects.in_scope(user.scope_prefixes).select_related("person")


# What a resident reads for each state of their request's event.
STATE_WORDS: dict[str, Promise] = {
    State.REPORTED: _("Received"),
    State.ACCEPTED: _("Accepted, to be passed to who will answer"),
    State.DISPATCHED: _("Passed to who will answer"),
    State.HANDLING: _("Being handled"),
    State.FEEDBACK: _("Answered, being checked"),
    State.VERIFIED: _("Answered, being checked"),
    State.CLOSED: _("Closed"),
    State.DECLINED: _("Not taken up"),
    State.MERGED: _("Handled together with the same request of others"),
}


def state_words(event: Event) -> Promise:
    return STATE_WORDS[event.state]


@dataclass(frozen=True)
class Answer:
    at: datetime.datetime
    text: str


def request_answers(event: Event) -> list[Answer]:
    """The answers given to a request, oldest first: the results its handlers reported back
    (which the form tells them the resident reads), never a name, a comment among staff or
    a reason for a step."""
    return [Answer(at, text) for at, text in event.transitions.filter(action="feedback")
            .order_by("at", "pk").values_list("at", "comment")]


def request_photos(event: Event) -> QuerySet[EventPhoto]:
    """The photos a resident sees on their request: those they sent with it (stored by
    their page, no staff account) and those of the result reported back, which the report
    form tells handlers the resident sees; never a photo staff added to the event."""
    return event.photos.filter(Q(stage=PhotoStage.REPORT, uploaded_by=None)
                               | Q(stage=PhotoStage.AFTER)).order_by("stage", "pk")


def request_ratings(event: Event) -> list[EventRating]:
    return list(event.ratings.order_by("at", "pk"))


def request_reopened(event: Event) -> bool:
    """Whether a rating reopened the request (it happens once)."""
    return event.ratings.filter(reopened=True).exists()
