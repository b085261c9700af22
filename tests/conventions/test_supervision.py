"""Supervision of a convention in force: a breach reported by a resident or staff goes to the
to-do list of those who answer for where it happened, until staff record what was done;
reviews are recorded with their history."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from tests.factories import GRID_A, make_building
from wangge.conventions.models import BreachState
from wangge.conventions.selectors import breaches_waiting
from wangge.conventions.services import (
    ballot_cast,
    breach_handle,
    breach_report,
    convention_repeal,
    review_record,
    vote_close,
)
from wangge.web.selectors import task_home, waiting_count

from .conftest import after_deadline, drafted, voting


@pytest.fixture
def in_force(town):
    convention = voting(town)
    for who in ("father", "li"):
        ballot_cast(vote=convention.vote, by=town.accounts[who], choice="for")
    with time_machine.travel(after_deadline(), tick=False):
        vote_close(vote=convention.vote, by=town.staff)
    convention.refresh_from_db()
    return convention


def test_a_breach_goes_to_the_to_do_list_until_dealt_with(town, in_force, client):
    building = make_building(GRID_A, "7栋")
    breach = breach_report(convention=in_force, by=town.accounts["zhao"],
                           text="7栋楼道堆放杂物", building=building)
    assert breach.grid_code == GRID_A
    assert list(breaches_waiting(town.worker_a)) == [breach]
    assert breach in task_home(town.worker_a)["breaches"]
    assert waiting_count(town.worker_a) >= 1
    assert list(breaches_waiting(town.staff)) == [breach]
    assert not breaches_waiting(town.other_staff).exists()
    client.force_login(town.staff)
    assert "7栋楼道堆放杂物" in client.get("/conventions/").content.decode()
    client.force_login(town.worker_a)
    assert "7栋楼道堆放杂物" in client.get("/").content.decode()
    with pytest.raises(PermissionDenied):
        breach_handle(breach=breach, by=town.other_staff, action_taken="已清理")
    done = client.post(f"/conventions/breaches/{breach.pk}/", {"action_taken": "已通知清理"})
    assert done.status_code == 302
    breach.refresh_from_db()
    assert (breach.state, breach.action_taken) == (BreachState.DONE, "已通知清理")
    assert breach.history.count() == 2
    assert not breaches_waiting(town.worker_a).exists()


def test_who_may_report_a_breach(town, in_force):
    breach_report(convention=in_force, by=town.staff, text="公共区域吸烟")
    with pytest.raises(PermissionDenied):  # lives in another community
        breach_report(convention=in_force, by=town.accounts["qian"], text="乱扔垃圾")
    with pytest.raises(ValidationError):  # a convention not in force is not breached
        breach_report(convention=drafted(town), by=town.staff, text="乱扔垃圾")


def test_reviews_and_repeal(town, in_force):
    review = review_record(convention=in_force, by=town.staff,
                           reviewed_on=datetime.date.today(), outcome="keep", notes="执行良好")
    assert review.history.count() == 1
    with pytest.raises(ValidationError):
        review_record(convention=in_force, by=town.staff,
                      reviewed_on=datetime.date.today() + datetime.timedelta(days=1),
                      outcome="keep")
    with pytest.raises(PermissionDenied):
        review_record(convention=in_force, by=town.worker_a,
                      reviewed_on=datetime.date.today(), outcome="keep")
    convention_repeal(convention=in_force, by=town.staff, reason="已由新公约取代")
    latest = in_force.history.order_by("-history_id").first()
    assert (latest.state, latest.history_change_reason) == ("repealed", "已由新公约取代")
