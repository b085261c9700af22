"""Drills: a tabletop exercise of community 1's flood plan (level III: a shelter place and
3 L of water a day for 3 days per affected resident; the command and rescue teams) against
the live data, with gaps planted: too few free shelter places, water partly expired or in
boxes, a rescuer off duty on the day (so nobody helps the residents who need it). The
result, its improvement tasks, the comparison with the next drill, who hears of it (the
participants, never a resident), and the record of an emergency showing what is short."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tests.factories import (
    GRID_A,
    GRID_B,
    GRID_C,
    SYSTEM,
    centre_of,
    make_person,
    make_user,
    shipped_rows,
)
from wangge.emergency.models import Drill, DrillState, EmergencyTask, TaskState, TeamMember
from wangge.emergency.readiness import compared, holdings_compared
from wangge.emergency.selectors import drills_visible_to, emergency_tasks_of, previous_drill
from wangge.emergency.services import (
    drill_run,
    drill_schedule,
    emergency_declare,
    emergency_task_done,
    team_member_save,
)
from wangge.foundation.permissions import Role
from wangge.notifications.models import Notification
from wangge.organizations.services import organization_create
from wangge.resources.models import Material, MaterialCategory, Shelter
from wangge.resources.services import (
    depot_create,
    material_create,
    resource_create,
    resource_update,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def stocked(world):
    """Five residents in grids A and B, two of them needing help to leave; 2 free shelter
    places in the area (and 100 outside it); 30 L of water fit to drink, 500 L expired and
    100 boxes; the rescuer off duty today."""
    shipped_rows("resources.migrations.0002_material_categories")
    for number, tag in enumerate(("elderly_alone", "disabled")):
        make_person(GRID_A, name=f"老人{number}", vulnerable_tags=[tag])
    office = organization_create(name="民意社区居委会", kind="department",
                                 grid_code=world.plan.grid_code, by=SYSTEM)
    lon, lat = centre_of(GRID_A)
    depot = depot_create(name="民意储备点", address="民意路1号", owner=office, longitude=lon,
                         latitude=lat, by=SYSTEM, reason="建库")
    water = MaterialCategory.objects.get(code="water")
    today = timezone.localdate()
    for item, quantity, unit, expires_on in (
            ("桶装水", 30, "L", today + datetime.timedelta(days=30)),
            ("过期水", 500, "L", today - datetime.timedelta(days=1)),
            ("瓶装水", 100, "箱", None)):
        material_create(depot=depot, category=water, item=item, quantity=Decimal(quantity),
                        unit=unit, expires_on=expires_on, by=SYSTEM, reason="入库")
    resource_create(model=Shelter, by=SYSTEM, reason="新增", grid_code=GRID_A,
                    name="民意小学", address="民意路9号", capacity=10, occupancy=8)
    resource_create(model=Shelter, by=SYSTEM, reason="新增", grid_code=GRID_C,
                    name="天声体育馆", address="天声路3号", capacity=100)
    off_duty = [(timezone.localdate().weekday() + 1) % 7]
    team_member_save(team=world.rescue, user=world.rescuer, deputy=world.spare,
                     duty_days=off_duty, by=world.author, reason="排班")
    return world


def scheduled(world, **changes):
    arguments = {"plan": world.plan, "level": "III", "grids": [GRID_A, GRID_B],
                 "scheduled_at": timezone.now() + datetime.timedelta(days=1),
                 "participants": TeamMember.objects.filter(team__in=[world.command,
                                                                     world.rescue]),
                 "by": world.author, "reason": "季度演练", **changes}
    return drill_schedule(**arguments)


def checks_of(drill: Drill) -> dict[str, tuple[float, float]]:
    return {check["key"]: (check["required"], check["available"])
            for check in drill.result["checks"]}


def test_a_drill_finds_the_planted_gaps(stocked):
    world = stocked
    drill = drill_run(drill=scheduled(world), by=world.approver, reason="桌面推演")
    assert drill.state == DrillState.RUN
    assert (drill.result["population"], drill.result["needing_help"]) == (7, 2)
    rescue, command = f"team:{world.rescue.pk}", f"team:{world.command.pk}"
    assert checks_of(drill) == {
        "helpers": (1, 0),  # 2 needing help, 3 per helper; the rescuer is off duty
        "shelter_places": (7, 2),  # the shelter outside the community does not count
        "material:water": (63, 30),  # 3 L × 7 × 3 days; expired litres and boxes do not
        command: (1, 1), rescue: (1, 0)}
    assert drill.score == round(100 * (0 + 2 / 7 + 30 / 63 + 1 + 0) / 5)
    gaps = {gap["key"]: gap for gap in drill.result["gaps"]}
    assert set(gaps) == {"helpers", "shelter_places", "material:water", rescue}
    assert gaps[rescue]["owner"] == {"team": world.rescue.pk, "name": "抢险队"}
    assert gaps["shelter_places"]["owner"]["account"] == world.approver.pk
    tasks = list(drill.tasks.all())
    assert len(tasks) == 4
    assert {task.owner for task in tasks} == {world.approver}
    assert any("Shelter places, 2 of 7" in task.title for task in tasks)
    # The improvement tasks are in the plan's account's to-do list, marked from the drill.
    assert set(emergency_tasks_of(world.approver)) == set(tasks)
    assert drill.history.first().history_change_reason == "桌面推演"
    with pytest.raises(ValidationError, match="has been run"):
        drill_run(drill=drill, by=world.approver, reason="再来")


def test_a_drill_never_tells_a_resident(stocked):
    world = stocked
    resident = make_user(Role.RESIDENT, GRID_A, username="resident")
    make_user(Role.GRID_WORKER, GRID_B, username="worker-b")
    Notification.objects.all().delete()
    drill_run(drill=scheduled(world), by=world.approver, reason="桌面推演")
    told = Notification.objects.all()
    assert {note.recipient for note in told} == {world.leader, world.rescuer}
    assert all(note.wording.startswith("[Exercise]") for note in told)
    assert not told.filter(recipient=resident).exists()
    assert told.count() == 4  # scheduled and run, each participant once


def test_two_drills_are_compared_check_by_check(stocked):
    world = stocked
    first = drill_run(drill=scheduled(world), by=world.approver, reason="第一次")
    shelter = Shelter.objects.get(name="民意小学")
    resource_update(record=shelter, by=SYSTEM, reason="腾出", occupancy=0)
    Material.objects.filter(item="桶装水").update(quantity=10)
    second = drill_run(drill=scheduled(world), by=world.approver, reason="第二次")
    assert previous_drill(second) == first
    assert previous_drill(first) is None
    changes = compared(second.result["checks"], first.result["checks"])
    assert changes["shelter_places"] == "better"
    assert changes["material:water"] == "worse"
    assert changes["helpers"] == "same"


def test_who_may_schedule_and_run_a_drill(stocked):
    world = stocked
    with pytest.raises(PermissionDenied):
        scheduled(world, by=world.worker)
    with pytest.raises(ValidationError, match="outside your jurisdiction"):
        scheduled(world, by=world.outsider)
    medic = TeamMember.objects.filter(user=world.medic)  # level II's team, not III's
    with pytest.raises(ValidationError) as refused:
        scheduled(world, participants=medic)
    assert "participants" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        scheduled(world, grids=[GRID_C])
    assert "grids" in refused.value.message_dict
    drill = scheduled(world)
    with pytest.raises(ValidationError, match="outside your jurisdiction"):
        drill_run(drill=drill, by=world.outsider, reason="越权")
    # Participants see their own drill; an outsider sees none.
    assert list(drills_visible_to(world.leader)) == [drill]
    assert list(drills_visible_to(world.outsider)) == []
    assert list(drills_visible_to(world.street)) == [drill]


def test_an_improvement_task_is_closed_by_its_owner_or_whoever_keeps_the_plan(stocked):
    world = stocked
    drill = drill_run(drill=scheduled(world), by=world.author, reason="演练")
    first, second, *_rest = drill.tasks.all()
    with pytest.raises(PermissionDenied):
        emergency_task_done(task=first, by=world.worker, reason="完成")
    emergency_task_done(task=first, by=world.approver, reason="已补充")
    emergency_task_done(task=second, by=world.street, reason="已补充")
    assert set(EmergencyTask.objects.filter(state=TaskState.DONE)) == {first, second}


def test_the_record_of_an_emergency_shows_what_is_short(stocked, page_as):
    world = stocked
    emergency = emergency_declare(plan=world.plan, level="III", grids=[GRID_A, GRID_B],
                                  by=world.author, reason="暴雨")
    short = {check.key: check.short for check in holdings_compared(
        emergency.requirements, "420102001001", timezone.localdate())}
    assert short == {"shelter_places": 5, "material:water": 33}
    page = page_as(world.author).get(f"/emergency/{emergency.pk}/").content.decode()
    assert "Shelter places" in page
    assert 'class="short"' in page
    answer = page_as(world.author).get(f"/api/v1/emergency/emergencies/{emergency.pk}").json()
    assert {row["key"]: row["available"] for row in answer["holdings"]} == {
        "shelter_places": 2, "material:water": 30}


def test_schedule_run_and_compare_on_the_pages(stocked, page_as):
    world = stocked
    page = page_as(world.author)
    members = TeamMember.objects.filter(team__in=[world.command, world.rescue])
    form = page.get(f"/emergency/drills/new/?plan={world.plan.pk}").content.decode()
    assert GRID_A in form
    response = page.post("/emergency/drills/new/", {
        "plan": world.plan.pk, "level": "III", "grids": [GRID_A, GRID_B],
        "scheduled_at": "2030-01-01T09:00", "reason": "季度演练",
        "participants": [member.pk for member in members]})
    drill = Drill.objects.get()
    assert response.url == f"/emergency/drills/{drill.pk}/"
    assert page.post(f"/emergency/drills/{drill.pk}/run/", {"reason": "推演"}).status_code == 302
    second = scheduled(world)
    Shelter.objects.filter(name="民意小学").update(occupancy=0)
    page.post(f"/emergency/drills/{second.pk}/run/", {"reason": "推演"})
    shown = page.get(f"/emergency/drills/{second.pk}/").content.decode()
    assert "[Exercise]" in shown
    assert "Since the previous drill" in shown
    assert 'class="change-better"' in shown
    # A participant (a volunteer, without the view action) sees the drill their message
    # links to; an outsider gets 404.
    assert page_as(world.leader).get(f"/emergency/drills/{drill.pk}/").status_code == 200
    assert page_as(world.outsider).get(f"/emergency/drills/{drill.pk}/").status_code == 404
    resident = make_user(Role.RESIDENT, GRID_A)
    assert page_as(resident).get(f"/emergency/drills/{drill.pk}/").status_code == 404
    listed = page.get("/emergency/drills/").content.decode()
    assert listed.count(f'href="/emergency/drills/{drill.pk}/"') == 1


def test_schedule_and_run_through_the_api(stocked, page_as):
    world = stocked
    api = page_as(world.author)
    members = list(TeamMember.objects.filter(team__in=[world.command, world.rescue])
                   .values_list("pk", flat=True))
    body = {"plan_id": world.plan.pk, "level": "III", "grids": [GRID_A, GRID_B],
            "scheduled_at": "2030-01-01T09:00:00+08:00", "participant_ids": members,
            "reason": "季度演练"}
    created = api.post("/api/v1/emergency/drills", body, content_type="application/json")
    assert created.status_code == 201, created.content
    drill_id = created.json()["id"]
    ran = api.post(f"/api/v1/emergency/drills/{drill_id}/run", {"reason": "推演"},
                   content_type="application/json").json()
    assert ran["score"] is not None
    assert ran["changes"] == {}
    assert {gap["key"] for gap in ran["gaps"]} >= {"shelter_places", "helpers"}
    refused = api.post("/api/v1/emergency/drills", {**body, "participant_ids": [999999]},
                       content_type="application/json")
    assert refused.status_code == 422
