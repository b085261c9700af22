"""Members taken off a team (the record kept: never called, drilled or counted again, listed
apart, made current again when put back) and plans renamed: the services, the pages and the
API."""

import datetime
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tests.factories import GRID_A, GRID_B
from wangge.emergency.models import Callout, Plan, TeamMember
from wangge.emergency.readiness import drill_figures
from wangge.emergency.services import (
    drill_schedule,
    emergency_change_level,
    emergency_declare,
    plan_rename,
    team_member_remove,
    team_member_save,
)

pytestmark = pytest.mark.django_db


def membership(world, user) -> TeamMember:
    return TeamMember.objects.get(user=user)


def removed(world, user=None) -> TeamMember:
    return team_member_remove(member=membership(world, user or world.rescuer), by=world.author,
                              reason="调离本社区")


# --- removing a member ------------------------------------------------------------------

def test_a_member_removed_keeps_the_record_with_who_when_and_why(world):
    member = removed(world)
    member.refresh_from_db()
    assert member.left_at is not None
    assert member.left_reason == "调离本社区"
    latest = member.history.first()
    assert (latest.history_user, latest.left_reason) == (world.author, "调离本社区")
    assert latest.history_change_reason.endswith("调离本社区")
    assert TeamMember.objects.current().filter(team=world.rescue).count() == 0
    assert list(TeamMember.objects.former()) == [member]
    with pytest.raises(ValidationError, match="left the team already"):
        team_member_remove(member=member, by=world.author, reason="再次")


def test_only_those_who_keep_plans_in_the_teams_jurisdiction_remove_members(world):
    member = membership(world, world.rescuer)
    with pytest.raises(PermissionDenied):  # a grid worker does not keep plans
        team_member_remove(member=member, by=world.worker, reason="调离")
    with pytest.raises(ValidationError, match="outside your jurisdiction"):
        team_member_remove(member=member, by=world.outsider, reason="调离")
    with pytest.raises(ValidationError):
        team_member_remove(member=member, by=world.author, reason=" ")
    # The street's medical team is the street's, not community 1's staff's.
    with pytest.raises(ValidationError, match="outside your jurisdiction"):
        team_member_remove(member=membership(world, world.medic), by=world.author,
                           reason="调离")
    member.refresh_from_db()
    assert member.left_at is None


def test_a_removed_member_is_never_called(world):
    removed(world)
    emergency = emergency_declare(plan=world.plan, level="III", grids=[GRID_A, GRID_B],
                                  by=world.author, reason="暴雨")
    assert {callout.user.username for callout in emergency.callouts.all()} == {"leader"}
    # Nor when the level changes and the team is needed again; nor their deputy.
    emergency_change_level(emergency=emergency, level="II", by=world.author, reason="上涨")
    emergency_change_level(emergency=emergency, level="III", by=world.author, reason="回落")
    assert not Callout.objects.filter(user__in=[world.rescuer, world.spare]).exists()
    assert emergency.callouts.filter(user=world.leader).exists()


def test_a_removed_member_is_no_drill_participant_and_not_counted_reachable(world):
    member = removed(world)
    with pytest.raises(ValidationError, match="participants"):
        drill_schedule(plan=world.plan, level="III", grids=[GRID_A],
                       scheduled_at=timezone.now() + datetime.timedelta(days=1),
                       participants=[member], by=world.author, reason="演练")
    drill = drill_schedule(plan=world.plan, level="III", grids=[GRID_A],
                           scheduled_at=timezone.now() + datetime.timedelta(days=1),
                           participants=[membership(world, world.leader)], by=world.author,
                           reason="演练")
    checks = {check.key: check for check in drill_figures(drill, timezone.localdate()).checks}
    assert (checks[f"team:{world.rescue.pk}"].required,
            checks[f"team:{world.rescue.pk}"].available) == (0, 0)
    assert checks["helpers"].available == 0  # the rescuer no longer helps
    assert (checks[f"team:{world.command.pk}"].required,
            checks[f"team:{world.command.pk}"].available) == (1, 1)


def test_putting_the_account_on_the_team_again_makes_them_current(world):
    member = removed(world)
    again = team_member_save(team=world.rescue, user=world.rescuer, deputy=world.spare,
                             by=world.author, reason="回到社区")
    assert again.pk == member.pk
    assert (again.left_at, again.left_reason) == (None, "")
    emergency = emergency_declare(plan=world.plan, level="III", grids=[GRID_A],
                                  by=world.author, reason="暴雨")
    assert emergency.callouts.filter(user=world.rescuer).exists()


def test_the_team_page_removes_a_member_and_lists_former_members_apart(world, page_as):
    page = page_as(world.author)
    url = f"/emergency/teams/{world.rescue.pk}/"
    member = membership(world, world.rescuer)
    remove = f"/emergency/teams/{world.rescue.pk}/members/{member.pk}/remove/"
    shown = page.get(url).content.decode()
    assert f'action="{remove}"' in shown
    assert "former-members" not in shown
    # No reason, no removal; a grid worker may not; another team's member is 404.
    page.post(remove, {"reason": ""})
    member.refresh_from_db()
    assert member.left_at is None
    assert page_as(world.worker).post(remove, {"reason": "调离"}).status_code == 403
    assert page.post(f"/emergency/teams/{world.command.pk}/members/{member.pk}/remove/",
                     {"reason": "调离"}).status_code == 404
    assert page_as(world.worker).get(url).content.decode().count("Remove from the team") == 0
    assert page.post(remove, {"reason": "调离本社区"}).url == url
    shown = page.get(url).content.decode()
    members, former = shown.split('id="former-members"')
    assert 'data-user="rescuer"' not in members.split('id="members"')[1]
    assert 'data-user="rescuer"' in former
    assert "调离本社区" in former
    assert page.post(remove, {"reason": "再次"}).status_code == 404  # already a former member
    # Not offered as a drill participant.
    drill_page = page.get("/emergency/drills/new/").content.decode()
    assert f'value="{member.pk}"' not in drill_page


def test_the_api_removes_a_member_and_answers_members_and_former_members(world, client):
    member = membership(world, world.rescuer)
    path = f"/api/v1/emergency/teams/{world.rescue.pk}/members/{member.pk}/remove"
    client.force_login(world.outsider)
    assert client.post(path, json.dumps({"reason": "调离"}),
                       content_type="application/json").status_code == 404
    client.force_login(world.author)
    assert client.post(path, json.dumps({"reason": ""}),
                       content_type="application/json").status_code == 422
    answer = client.post(path, json.dumps({"reason": "调离"}), content_type="application/json")
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["members"] == []
    assert [(row["username"], row["left_reason"]) for row in body["former_members"]] == [
        ("rescuer", "调离")]
    again = client.post(path, json.dumps({"reason": "调离"}), content_type="application/json")
    assert again.status_code == 422
    assert "left the team already" in json.dumps(again.json(), ensure_ascii=False)
    shown = client.get(f"/api/v1/emergency/teams/{world.rescue.pk}").json()
    assert shown["members"] == []
    assert shown["former_members"][0]["left_at"]
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    answers = paths["/api/v1/emergency/teams/{id}/members/{member_id}/remove"]["post"][
        "responses"]
    assert {"200", "401", "403", "404", "422"} <= set(answers)


# --- renaming a plan --------------------------------------------------------------------

def test_a_plan_renamed_with_its_history_in_bounds_and_in_scope(world):
    plan = plan_rename(plan=world.plan, name="  民意社区防汛防台预案 ", by=world.author,
                       reason="合并台风")
    plan.refresh_from_db()
    assert plan.name == "民意社区防汛防台预案"
    assert plan.history.first().history_change_reason.endswith("合并台风")
    assert plan.history.first().history_user == world.author
    for name, message in (("", "Give the plan a name"), ("预" * 101, "at most 100"),
                          ("民意社区防汛防台预案", "has this name already")):
        with pytest.raises(ValidationError, match=message):
            plan_rename(plan=plan, name=name, by=world.author, reason="改名")
    with pytest.raises(PermissionDenied):
        plan_rename(plan=plan, name="别名", by=world.worker, reason="改名")
    with pytest.raises(ValidationError, match="outside your jurisdiction"):
        plan_rename(plan=plan, name="别名", by=world.outsider, reason="改名")
    with pytest.raises(ValidationError):
        plan_rename(plan=plan, name="别名", by=world.author, reason="")
    assert Plan.objects.get(pk=plan.pk).name == "民意社区防汛防台预案"


def test_a_plan_renamed_on_its_page_and_through_the_api(world, page_as, client):
    page = page_as(world.author)
    url = f"/emergency/plans/{world.plan.pk}/"
    assert f'action="{url}name/"' in page.get(url).content.decode()
    assert page.post(f"{url}name/", {"name": "新名", "reason": "改名"}).url == url
    assert "<h1>新名" in page.get(url).content.decode()
    refused = page.post(f"{url}name/", {"name": "新名", "reason": "改名"}, follow=True)
    assert "has this name already" in refused.content.decode()
    assert page_as(world.worker).post(f"{url}name/", {"name": "x", "reason": "y"}
                                      ).status_code == 403
    assert page_as(world.outsider).post(f"{url}name/", {"name": "x", "reason": "y"}
                                        ).status_code == 404
    client.force_login(world.author)
    path = f"/api/v1/emergency/plans/{world.plan.pk}/name"
    answer = client.post(path, json.dumps({"name": "防汛预案（2027）", "reason": "改名"}),
                         content_type="application/json")
    assert answer.status_code == 200, answer.content
    assert answer.json()["name"] == "防汛预案（2027）"
    assert client.post(path, json.dumps({"name": "x" * 101, "reason": "改名"}),
                       content_type="application/json").status_code == 422
    client.force_login(world.outsider)
    assert client.post(path, json.dumps({"name": "x", "reason": "改名"}),
                       content_type="application/json").status_code == 404
