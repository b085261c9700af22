"""A resident's requests through the whole loop: the event world of tests/events (a grid
worker, community staff, street and district, the police desk responding for the police)
with a second department, and residents signed in in grids A, B and C."""

from dataclasses import dataclass

from tests.events.conftest import Loop, make_loop
from tests.factories import DISTRICT, GRID_A, GRID_B, GRID_C, SYSTEM, make_person, make_user
from wangge.access.models import User
from wangge.events.models import Event, EventRating, Responder, State
from wangge.events.services import event_transition
from wangge.foundation.permissions import Role
from wangge.organizations.models import Organization
from wangge.organizations.services import organization_create
from wangge.people.models import Person
from wangge.residents.models import ResidentRequest
from wangge.residents.services import (
    resident_account_for,
    resident_request_file,
    resident_request_rate,
)

ANSWER = "已联系物业，本周内修好楼道灯。"


@dataclass
class Requests:
    loop: Loop
    city: Organization  # a second department (城管), its desk responding for it
    city_desk: User
    person: Person  # a resident of grid A, signed in as ``resident``
    resident: User
    neighbour: User  # another resident of grid A
    resident_b: User
    resident_c: User  # grid C: another street


def make_requests() -> Requests:
    loop = make_loop()
    city = organization_create(name="江岸区城管执法局", kind="department", grid_code=DISTRICT,
                               by=SYSTEM)
    city_desk = make_user(Role.DEPARTMENT_STAFF, DISTRICT, username="city-desk")
    Responder.objects.create(organization=city, user=city_desk)
    person = make_person(GRID_A, name="王芳")

    def account(grid: str, name: str) -> User:
        return resident_account_for(person=make_person(grid, name=name))

    return Requests(loop=loop, city=city, city_desk=city_desk, person=person,
                    resident=resident_account_for(person=person),
                    neighbour=account(GRID_A, "李强"), resident_b=account(GRID_B, "赵敏"),
                    resident_c=account(GRID_C, "孙丽"))


def ask(resident: User, text: str = "楼道灯坏了一个月", kind: str = "complaint"
        ) -> ResidentRequest:
    return resident_request_file(by=resident, kind=kind, text=text)


def answer_and_close(world: Requests, request: ResidentRequest, organization: Organization,
                     triage: User | None = None) -> Event:
    """Accept and dispatch (by ``triage``, grid A's worker by default), handle and report
    back (the organization's desk), verify and close (``triage`` again)."""
    triage = triage or world.loop.worker
    desk = world.loop.department if organization == world.loop.police else world.city_desk
    event = Event.objects.get(pk=request.event_id)
    if event.state == State.REPORTED:  # a reopened one is accepted already
        event = event_transition(event=event, name="accept", by=triage)
    event = event_transition(event=event, name="dispatch", by=triage,
                             organization=organization)
    event = event_transition(event=event, name="start", by=desk)
    event = event_transition(event=event, name="feedback", by=desk, comment=ANSWER)
    event = event_transition(event=event, name="verify_close", by=triage)
    request.event = event
    return event


def rate(resident: User, request: ResidentRequest, satisfaction: str,
         comment: str = "") -> EventRating:
    request = ResidentRequest.objects.select_related("event").get(pk=request.pk)
    return resident_request_rate(request=request, by=resident,
                                 satisfaction=satisfaction, comment=comment)
