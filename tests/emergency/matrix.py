"""The emergency records the access matrices (tests/web/test_page_matrix.py, tests/api/
test_access_matrix.py) work on: ``grid``'s community's flood plan with a version in force and a
draft, another plan in force with nothing under way (and a drill of it scheduled), a team
with a member, and an emergency under way with a task and a call."""

import datetime
from typing import Any

from django.utils import timezone

from tests.factories import SYSTEM, make_user
from wangge.emergency.services import (
    drill_schedule,
    emergency_declare,
    plan_create,
    plan_version_approve,
    plan_version_save,
    team_create,
    team_member_save,
)
from wangge.foundation.permissions import Role


def emergency_records(grid: str) -> dict[str, Any]:
    community = grid[:12]
    team = team_create(name="抢险队", kind="rescue", grid_code=community, by=SYSTEM,
                       reason="组建")
    member = make_user(Role.VOLUNTEER, grid)
    member_of = team_member_save(team=team, user=member, by=SYSTEM, reason="加入")
    plan = plan_create(name="防汛预案", hazard="flood", grid_code=community, by=SYSTEM,
                       reason="新建")
    level = {"actions": [{"title": "转移", "owner": make_user(Role.GRID_WORKER, grid).pk,
                          "hours": 2}], "teams": [team.pk], "resources": []}
    levels = {"III": level, "II": level}
    plan_version_approve(version=plan_version_save(plan=plan, levels=levels, by=SYSTEM,
                                                   reason="初稿"), by=SYSTEM, reason="审定")
    draft = plan_version_save(plan=plan, levels=levels, by=SYSTEM, reason="第二版")
    # A plan in force with no emergency under way: the one to declare.
    idle = plan_create(name="火灾预案", hazard="fire", grid_code=community, by=SYSTEM,
                       reason="新建")
    plan_version_approve(version=plan_version_save(plan=idle, levels=levels, by=SYSTEM,
                                                   reason="初稿"), by=SYSTEM, reason="审定")
    emergency = emergency_declare(plan=plan, level="III", grids=[grid], by=SYSTEM,
                                  reason="暴雨")
    drill = drill_schedule(plan=idle, level="III", grids=[grid], participants=[member_of],
                           scheduled_at=timezone.now() + datetime.timedelta(days=7),
                           by=SYSTEM, reason="演练")
    return {"emergency_plan": plan, "emergency_drill": drill, "emergency_idle_plan": idle,
            "emergency_draft": draft, "emergency_team": team, "emergency_member": member_of,
            "emergency": emergency, "emergency_task": emergency.tasks.get()}
