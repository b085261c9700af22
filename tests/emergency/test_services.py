"""Plans, versions and approval; declaring an emergency → tasks → calls → the roll-call with
answers, timeouts and deputies; changing the level; ending it, with its record kept."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone

from tests.factories import COMMUNITY_1, GRID_A, GRID_B, GRID_C, STREET_1
from wangge.emergency.models import (
    Answer,
    Callout,
    EmergencyTask,
    StepKind,
    TaskState,
    VersionState,
)
from wangge.emergency.selectors import emergency_tasks_of, plans_visible_to, roll_call
from wangge.emergency.services import (
    callout_answer,
    callouts_escalate,
    emergency_change_level,
    emergency_declare,
    emergency_end,
    emergency_task_done,
    plan_create,
    plan_version_approve,
    plan_version_save,
    team_member_save,
)
from wangge.foundation.actors import system_actor
from wangge.notifications.models import CALLOUT, Notification

pytestmark = pytest.mark.django_db
LATER = system_actor("tests: later")


def declared(world, level="III"):
    return emergency_declare(plan=world.plan, level=level, grids=[GRID_A, GRID_B],
                             by=world.author, reason="暴雨红色预警")


def called(emergency) -> dict[str, Callout]:
    return {callout.user.username: callout for callout in roll_call(emergency).callouts}


def age(callouts, minutes):
    Callout.objects.filter(pk__in=[c.pk for c in callouts]).update(
        called_at=datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=minutes))


# --- plans ------------------------------------------------------------------------------

def test_the_author_may_not_approve_their_own_version(world):
    draft = plan_version_save(plan=world.plan, levels=world.levels(), by=world.author,
                              reason="第二版")
    assert (draft.number, draft.state) == (2, VersionState.DRAFT)
    with pytest.raises(PermissionDenied, match="other than its author"):
        plan_version_approve(version=draft, by=world.author, reason="自批")
    plan_version_approve(version=draft, by=world.approver, reason="审定")
    world.version.refresh_from_db()
    assert world.version.state == VersionState.SUPERSEDED
    assert draft.history.first().history_change_reason == "审定"


def test_a_community_plan_is_its_staffs_and_a_street_plan_is_not(world):
    with pytest.raises(ValidationError, match="outside your jurisdiction"):
        plan_create(name="街道防汛", hazard="flood", grid_code=STREET_1, by=world.author,
                    reason="新建")
    with pytest.raises(ValidationError, match="outside your jurisdiction"):
        plan_version_save(plan=world.plan, levels=world.levels(), by=world.outsider,
                          reason="越权")
    with pytest.raises(PermissionDenied):
        plan_create(name="x", hazard="flood", grid_code=COMMUNITY_1, by=world.worker,
                    reason="x")
    assert list(plans_visible_to(world.outsider)) == []
    assert list(plans_visible_to(world.street)) == [world.plan]


def test_a_version_is_bounded_before_its_rows_are_checked(world):
    row = {"title": "巡堤", "owner": world.author.pk, "hours": 1}
    for levels, message in (
            ({"I": {}, "II": {}, "III": {}, "IV": {}, "V": {}}, "levels are I, II, III and IV"),
            ({"III": {"actions": [row] * 101}}, "at most 100 actions")):
        with pytest.raises(ValidationError) as refused:
            plan_version_save(plan=world.plan, levels=levels, by=world.author, reason="大稿")
        assert any(message in m for m in refused.value.message_dict["levels"])


def test_a_version_names_every_broken_rule(world):
    levels = {"V": {}, "III": {
        "actions": [{"title": "", "owner": world.outsider.pk, "hours": -1}],
        "teams": [999999],
        "resources": [{"category": "gold", "per_person": 1},
                      {"category": "water", "per_person": 0, "per_day": True, "days": 1.5}]}}
    with pytest.raises(ValidationError) as refused:
        plan_version_save(plan=world.plan, levels=levels, by=world.author, reason="坏稿")
    messages = refused.value.message_dict["levels"]
    assert any("V is not a level" in m for m in messages)
    assert any("say what is to be done" in m for m in messages)
    assert any("owner must be an active account" in m for m in messages)
    assert any("hours after activation" in m for m in messages)
    assert any("team of this plan's area" in m for m in messages)
    assert any("category must be one of" in m for m in messages)
    assert any("positive quantity" in m for m in messages)
    assert any("whole number" in m for m in messages)


# --- declaring, tasks and calls -----------------------------------------------------------

def test_declaring_turns_the_checklist_into_tasks_and_calls_the_teams(world):
    emergency = declared(world)
    assert (emergency.affected_population, emergency.colour) == (5, "yellow")
    assert emergency.requirements == [
        {"category": "shelter_places", "unit": "places", "quantity": 5},
        {"category": "water", "unit": "L", "quantity": 45}]
    tasks = {task.title: task for task in emergency.tasks.all()}
    assert set(tasks) == {"转移低洼地带居民", "开放避难场所"}
    assert tasks["转移低洼地带居民"].owner == world.worker
    assert tasks["转移低洼地带居民"].due_at == emergency.declared_at + datetime.timedelta(hours=2)
    assert list(emergency_tasks_of(world.worker)) == [tasks["转移低洼地带居民"]]
    assert set(called(emergency)) == {"leader", "rescuer"}
    notes = Notification.objects.filter(kind=CALLOUT)
    assert {note.recipient.username for note in notes} == {"leader", "rescuer"}
    assert all(note.link.startswith("/emergency/answer/") for note in notes)
    assert emergency.steps.get().kind == StepKind.DECLARED


def test_declaring_is_refused_outside_the_plan_or_jurisdiction_and_twice(world):
    with pytest.raises(ValidationError, match="affected grids"):
        emergency_declare(plan=world.plan, level="III", grids=[GRID_C], by=world.author,
                          reason="x")
    with pytest.raises(ValidationError, match="says nothing for this level"):
        emergency_declare(plan=world.plan, level="I", grids=[GRID_A], by=world.author,
                          reason="x")
    with pytest.raises(ValidationError, match="outside your jurisdiction"):
        emergency_declare(plan=world.plan, level="III", grids=[GRID_A], by=world.outsider,
                          reason="x")
    with pytest.raises(PermissionDenied):
        emergency_declare(plan=world.plan, level="III", grids=[GRID_A], by=world.worker,
                          reason="x")
    declared(world)
    with pytest.raises(ValidationError, match="under way"):
        declared(world)


def test_a_plan_without_a_version_in_force_cannot_be_declared(world):
    plan = plan_create(name="火灾预案", hazard="fire", grid_code=COMMUNITY_1, by=world.author,
                       reason="新建")
    with pytest.raises(ValidationError, match="no version in force"):
        emergency_declare(plan=plan, level="III", grids=[GRID_A], by=world.author, reason="x")


# --- the roll-call ------------------------------------------------------------------------

def test_answers_show_on_the_roll_call_and_unavailable_calls_the_deputy(world):
    emergency = declared(world)
    calls = called(emergency)
    callout_answer(callout=calls["leader"], available=True, by=world.leader)
    with pytest.raises(PermissionDenied):
        callout_answer(callout=calls["rescuer"], available=True, by=world.leader)
    callout_answer(callout=calls["rescuer"], available=False, by=world.rescuer)
    now = roll_call(emergency)
    assert (now.available, now.unavailable, now.waiting) == (1, 1, 1)
    spare = called(emergency)["spare"]
    assert (spare.deputy_for, spare.answer) == (calls["rescuer"], Answer.WAITING)
    reasons = [row.history_change_reason for row in calls["rescuer"].history.all()]
    assert reasons[:2] == ["Deputy called", "Unavailable"]


def test_a_member_who_does_not_answer_in_time_has_their_deputy_called(world, settings):
    settings.WANGGE_CALLOUT_ANSWER_MINUTES = 10
    emergency = declared(world)
    calls = called(emergency)
    age(calls.values(), 9)
    assert callouts_escalate(by=LATER) == 0
    age(calls.values(), 11)
    # The leader has no deputy: they stay waiting; the rescuer's deputy is called, once.
    assert callouts_escalate(by=LATER) == 1
    assert callouts_escalate(by=LATER) == 0
    spare = called(emergency)["spare"]
    assert spare.deputy_for == calls["rescuer"]
    age([spare], 30)
    assert callouts_escalate(by=LATER) == 0  # a deputy's call has no deputy of its own
    # The late member may still answer.
    callout_answer(callout=calls["rescuer"], available=True, by=world.rescuer)
    assert roll_call(emergency).available == 1


def test_the_cron_command_calls_deputies(world, settings):
    emergency = declared(world)
    age(called(emergency).values(), 60)
    call_command("callouts")
    assert "spare" in called(emergency)


def test_a_member_off_duty_today_is_replaced_by_their_deputy(world):
    today = timezone.localdate().weekday()
    team_member_save(team=world.rescue, user=world.rescuer, deputy=world.spare,
                     duty_days=[(today + 1) % 7], by=world.author, reason="排班")
    emergency = declared(world)
    assert set(called(emergency)) == {"leader", "spare"}


# --- changing the level, ending ---------------------------------------------------------

def test_raising_the_level_changes_tasks_and_teams(world):
    emergency = declared(world)
    calls = called(emergency)
    emergency_change_level(emergency=emergency, level="II", by=world.street, reason="水位上涨")
    tasks = {(t.title, t.state) for t in emergency.tasks.all()}
    assert tasks == {("转移低洼地带居民", TaskState.OPEN), ("开放避难场所", TaskState.CLOSED),
                     ("设立医疗点", TaskState.OPEN)}
    # The command team stays called (once); the rescue team is released, the medical called.
    now = called(emergency)
    assert set(now) == {"leader", "medic"}
    assert now["leader"] == calls["leader"]
    calls["rescuer"].refresh_from_db()
    assert calls["rescuer"].released_at is not None
    with pytest.raises(ValidationError):
        callout_answer(callout=calls["rescuer"], available=True, by=world.rescuer)
    assert emergency.requirements == [{"category": "water", "unit": "L", "quantity": 100}]
    assert [step.kind for step in emergency.steps.all()] == [StepKind.DECLARED,
                                                              StepKind.RAISED]
    emergency_change_level(emergency=emergency, level="III", by=world.author, reason="回落")
    assert emergency.steps.last().kind == StepKind.LOWERED
    assert set(called(emergency)) == {"leader", "rescuer"}


def test_ending_closes_tasks_and_calls_and_keeps_the_record(world):
    emergency = declared(world)
    task = emergency.tasks.get(owner=world.worker)
    emergency_task_done(task=task, by=world.worker, reason="已转移12户")
    with pytest.raises(ValidationError, match="outside your jurisdiction"):
        emergency_end(emergency=emergency, by=world.outsider, reason="x")
    emergency_end(emergency=emergency, by=world.author, reason="解除预警")
    assert {(t.title, t.state) for t in emergency.tasks.all()} == {
        ("转移低洼地带居民", TaskState.DONE), ("开放避难场所", TaskState.CLOSED)}
    assert not emergency.callouts.filter(released_at__isnull=True).exists()
    assert roll_call(emergency).callouts == []
    assert list(emergency_tasks_of(world.author)) == []
    assert [step.kind for step in emergency.steps.all()] == [
        StepKind.DECLARED, StepKind.TASK_DONE, StepKind.ENDED]
    assert EmergencyTask.history.filter(id=task.pk).count() == 2
    with pytest.raises(ValidationError, match="has ended"):
        emergency_change_level(emergency=emergency, level="II", by=world.author, reason="x")
