"""The closed loop: every transition, who may make it, and every refusal."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tests.factories import GRID_A, GRID_C, SYSTEM, make_building, make_dwelling
from wangge.events import workflow
from wangge.events.models import Event, EventTransition, State
from wangge.events.services import event_assign, event_report, event_transition
from wangge.events.tally import tally_rebuild
from wangge.events.workflow import TRANSITIONS
from wangge.foundation.permissions import ROLE_ACTIONS, Role


def walk(loop, event: Event, *steps: str) -> Event:
    """Make ``steps`` with the natural actor of each."""
    actor = {"accept": loop.worker, "decline": loop.worker, "dispatch": loop.worker,
             "start": loop.department, "return": loop.department,
             "feedback": loop.department, "verify": loop.worker, "reject": loop.worker,
             "close": loop.worker, "verify_close": loop.worker}
    for step in steps:
        extra = {"organization": loop.police} if step == "dispatch" else {}
        event = event_transition(event=event, name=step, by=actor[step], comment="已处理",
                                 **extra)
    return event


def test_an_event_walks_the_whole_loop_and_each_step_is_recorded(loop):
    event = loop.report()
    assert event.state == State.REPORTED
    assert event.grid_code == GRID_A
    assert event.deadline == event.reported_at + datetime.timedelta(hours=168)
    event = walk(loop, event, "accept", "dispatch", "start", "feedback", "verify", "close")
    assert event.state == State.CLOSED
    assert event.closed_at is not None
    assert event.organization == loop.police
    steps = list(EventTransition.objects.filter(event=event).values_list(
        "action", "source", "target", "actor__username"))
    assert steps == [
        ("report", "", "reported", "worker-a"),
        ("accept", "reported", "accepted", "worker-a"),
        ("dispatch", "accepted", "dispatched", "worker-a"),
        ("start", "dispatched", "handling", "police-desk"),
        ("feedback", "handling", "feedback", "police-desk"),
        ("verify", "feedback", "verified", "worker-a"),
        ("close", "verified", "closed", "worker-a"),
    ]
    assert event.history.count() == 7  # one historical row per save, with its reason


def test_not_satisfied_sends_it_back_to_handling(loop):
    event = walk(loop, loop.report(), "accept", "dispatch", "start", "feedback")
    event = event_transition(event=event, name="reject", by=loop.community,
                             comment="井盖仍松动")
    assert event.state == State.HANDLING
    event = walk(loop, event, "feedback", "verify", "close")
    assert event.state == State.CLOSED


def test_a_declined_event_keeps_its_reason(loop):
    event = event_transition(event=loop.report(), name="decline", by=loop.community,
                             comment="不属于社区事务")
    assert event.state == State.DECLINED
    assert not event.is_open
    assert event.transitions.last().comment == "不属于社区事务"


def test_a_handler_returns_an_event_that_is_not_theirs(loop):
    event = walk(loop, loop.report(), "accept", "dispatch")
    event = event_transition(event=event, name="return", by=loop.department,
                             comment="属城管职责")
    assert event.state == State.ACCEPTED
    assert event.organization is None


def test_a_dispatch_can_set_its_own_deadline(loop):
    event = walk(loop, loop.report(), "accept")
    deadline = timezone.now() + datetime.timedelta(hours=8)
    event = event_transition(event=event, name="dispatch", by=loop.community,
                             organization=loop.police, deadline=deadline)
    assert event.deadline == deadline
    assert event.escalate_after == deadline


def test_the_deadline_follows_category_and_priority(loop):
    event = loop.report(priority="urgent")
    assert event.deadline - event.reported_at == datetime.timedelta(hours=24)
    assert loop.category.hours_urgent == 24


def test_an_event_at_a_dwelling_is_placed_in_its_grid(loop):
    dwelling = make_dwelling(GRID_A, room="502")
    event = event_report(category=loop.category, description="楼道堆物", dwelling=dwelling,
                         by=loop.worker)
    assert (event.grid_code, event.building) == (GRID_A, dwelling.building)
    assert event.longitude == dwelling.building.longitude


def test_an_event_at_a_building_is_placed_in_its_grid(loop):
    building = make_building(GRID_A, name="9栋")
    event = event_report(category=loop.category, description="外墙脱落", building=building,
                         by=loop.worker)
    assert event.grid_code == GRID_A
    assert event.address == building.address


# Refusals -----------------------------------------------------------------------------


def test_a_report_outside_every_grid_is_refused(loop):
    with pytest.raises(ValidationError) as refused:
        loop.report(longitude=100.0, latitude=20.0)
    assert refused.value.message_dict == {"longitude": ["No grid contains this location."]}


def test_a_report_outside_the_reporters_jurisdiction_is_refused(loop):
    with pytest.raises(ValidationError) as refused:
        loop.report(grid=GRID_C)
    assert "outside your jurisdiction" in str(refused.value)


def test_a_report_needs_a_description_and_a_place(loop):
    with pytest.raises(ValidationError) as refused:
        event_report(category=loop.category, description=" ", by=loop.worker)
    assert refused.value.message_dict == {"description": ["Describe what you found."]}
    with pytest.raises(ValidationError) as refused:
        event_report(category=loop.category, description="x", by=loop.worker)
    assert "longitude" in refused.value.message_dict


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.DEPARTMENT_STAFF, Role.RESIDENT,
                                  Role.VOLUNTEER])
def test_roles_that_do_not_report_are_refused(loop, role):
    from tests.factories import make_user

    with pytest.raises(PermissionDenied):
        loop.report(by=make_user(role, GRID_A))


# (transition, state it starts from) for every transition in the table.
STARTS = {
    "accept": (), "decline": (), "dispatch": ("accept",),
    "start": ("accept", "dispatch"), "return": ("accept", "dispatch"),
    "feedback": ("accept", "dispatch", "start"),
    "verify": ("accept", "dispatch", "start", "feedback"),
    "reject": ("accept", "dispatch", "start", "feedback"),
    "close": ("accept", "dispatch", "start", "feedback", "verify"),
    "verify_close": ("accept", "dispatch", "start", "feedback"),
}


def test_the_table_is_covered():
    assert set(STARTS) == set(TRANSITIONS)


@pytest.mark.parametrize("name", list(TRANSITIONS))
def test_every_transition_is_refused_from_every_other_state(loop, name):
    transition = TRANSITIONS[name]
    event = loop.report()
    for state in State:
        if state in transition.sources:
            continue
        Event.objects.filter(pk=event.pk).update(state=state, organization=loop.police)
        event.refresh_from_db()
        with pytest.raises(ValidationError) as refused:
            event_transition(event=event, name=name, by=SYSTEM, comment="理由",
                             organization=loop.police)
        assert refused.value.messages == [
            f"“{transition.label}” is not possible while the event is "
            f"{state.label}."], state
    tally_rebuild()  # the states above were set behind the services' back


@pytest.mark.parametrize("name", list(TRANSITIONS))
@pytest.mark.parametrize("role", Role.values)
def test_every_transition_is_refused_to_roles_without_its_action(loop, name, role):
    from tests.factories import make_user

    transition = TRANSITIONS[name]
    if workflow.actions_of(transition) <= ROLE_ACTIONS[role]:
        return
    event = walk(loop, loop.report(), *STARTS[name])
    with pytest.raises(PermissionDenied) as refused:
        event_transition(event=event, name=name, by=make_user(role, GRID_A), comment="理由",
                         organization=loop.police)
    assert str(refused.value) == f"Your role may not do this: {transition.label}."


@pytest.mark.parametrize("name", list(TRANSITIONS))
def test_every_transition_is_refused_outside_the_jurisdiction(loop, name):
    from tests.factories import make_user

    event = walk(loop, loop.report(), *STARTS[name])
    role = Role.DEPARTMENT_STAFF if TRANSITIONS[name].handler_only else Role.COMMUNITY_STAFF
    stranger = make_user(role, GRID_C)
    with pytest.raises(PermissionDenied) as refused:
        event_transition(event=event, name=name, by=stranger, comment="理由",
                         organization=loop.police)
    assert str(refused.value) == "This event is outside your jurisdiction."


@pytest.mark.parametrize("name", [t.name for t in TRANSITIONS.values() if t.handler_only])
def test_handling_is_refused_to_anyone_but_the_handlers(loop, name):
    event = walk(loop, loop.report(), *STARTS[name])
    with pytest.raises(PermissionDenied) as refused:
        event_transition(event=event, name=name, by=loop.other_department, comment="理由")
    assert "Only the assignee or a responder" in str(refused.value)


def test_an_assignee_may_handle_without_being_a_responder(loop):
    event = walk(loop, loop.report(), "accept", "dispatch")
    event = event_assign(event=event, assignee=loop.other_department, by=loop.community)
    event = event_transition(event=event, name="start", by=loop.other_department)
    assert event.state == State.HANDLING


@pytest.mark.parametrize("name", [t.name for t in TRANSITIONS.values() if t.needs_comment])
def test_transitions_that_need_a_reason_refuse_without_one(loop, name):
    event = walk(loop, loop.report(), *STARTS[name])
    with pytest.raises(ValidationError) as refused:
        event_transition(event=event, name=name, by=SYSTEM, comment="  ")
    assert refused.value.message_dict == {
        "comment": ["Say why (this is recorded with the event)."]}


def test_a_dispatch_needs_an_organization_and_a_future_deadline(loop):
    event = walk(loop, loop.report(), "accept")
    with pytest.raises(ValidationError) as refused:
        event_transition(event=event, name="dispatch", by=loop.worker)
    assert "organization" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        event_transition(event=event, name="dispatch", by=loop.worker,
                         organization=loop.police,
                         deadline=timezone.now() - datetime.timedelta(hours=1))
    assert refused.value.message_dict == {"deadline": ["The deadline must be in the future."]}


def test_an_unknown_action_is_refused(loop):
    with pytest.raises(ValidationError) as refused:
        event_transition(event=loop.report(), name="teleport", by=loop.worker)
    assert refused.value.message_dict == {"action": ["Unknown action teleport."]}


def test_refused_transitions_change_nothing(loop):
    event = loop.report()
    with pytest.raises(ValidationError):
        event_transition(event=event, name="close", by=loop.worker)
    event.refresh_from_db()
    assert event.state == State.REPORTED
    assert event.transitions.count() == 1


def test_an_assignee_must_handle_events_in_the_grid(loop):
    event = loop.report()
    with pytest.raises(ValidationError) as refused:
        event_assign(event=event, assignee=loop.outsider, by=loop.community)
    assert refused.value.message_dict == {
        "assignee": ["worker-c cannot handle events in this grid."]}
    with pytest.raises(ValidationError):
        event_assign(event=event, assignee=loop.street, by=loop.community)  # does not handle


def test_the_allowed_transitions_are_what_the_page_offers(loop):
    event = loop.report()
    assert [t.name for t in workflow.allowed(loop.worker, event)] == [
        "accept", "decline", "merge"]
    assert workflow.allowed(loop.department, event) == []
    event = walk(loop, event, "accept", "dispatch")
    assert [t.name for t in workflow.allowed(loop.department, event)] == ["start", "return"]
    assert workflow.allowed(loop.other_department, event) == []
    assert workflow.allowed(loop.auditor, event) == []
