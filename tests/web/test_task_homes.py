"""Homes that are task lists: a grid worker's and a department's to-do lists, a resident's
reports; the other roles keep their jurisdiction's home. The tab bar counts what waits."""

import datetime
import re

import pytest
from django.utils import timezone

from tests.events.conftest import make_loop
from tests.events.test_workflow import walk
from tests.factories import COMMUNITY_1, DISTRICT, GRID_A, GRID_C, make_building, make_user
from wangge.events.models import Event
from wangge.foundation.permissions import Role
from wangge.patrols.services import patrol_start


@pytest.fixture
def loop(db):
    return make_loop()


def section(page: str, key: str) -> str:
    found = re.search(rf'<section class="tasks[^"]*" id="tasks-{key}".*?</section>', page, re.S)
    return found.group(0) if found else ""


def waiting(page: str) -> int:
    found = re.search(r'id="waiting-count"[^>]*>(\d+)<', page)
    return int(found.group(1)) if found else 0


def test_a_grid_workers_home_is_their_to_do_list(loop, page_as):
    make_building(GRID_A, name="幸福里3栋")
    overdue = loop.report(description="消防通道被占用")
    Event.objects.filter(pk=overdue.pk).update(
        deadline=timezone.now() - datetime.timedelta(days=2, hours=1))
    new = loop.report(description="路灯不亮")
    fed_back = walk(loop, loop.report(description="井盖松动"), "accept", "dispatch", "start",
                    "feedback")
    loop.report(grid=GRID_C, by=loop.outsider, description="别处的事")
    page = page_as(loop.worker).get("/").content.decode()
    assert "overdue by 2 days" in section(page, "overdue")
    assert f'href="/events/{overdue.pk}/"' in section(page, "overdue")
    assert f'href="/events/{new.pk}/"' in section(page, "to_accept")
    assert "6 days left" in section(page, "to_accept")
    assert f'href="/events/{fed_back.pk}/"' in section(page, "to_verify")
    assert section(page, "to_handle")  # shown, empty
    assert "别处的事" not in page
    # A patrol is due in grid A: one tap starts it.
    patrols = section(page, "patrols")
    assert "民意一网格" in patrols
    assert f'name="grid" value="{GRID_A}"' in patrols
    assert 'action="/patrols/start/"' in patrols
    assert waiting(page) == 4  # overdue, to accept, to verify, the patrol
    assert "民意一网格" in page  # the jurisdiction, by name
    assert 'id="map"' not in page


def test_a_patrol_under_way_is_continued_from_the_home(loop, page_as):
    make_building(GRID_A, name="幸福里3栋")
    patrol_start(grid_code=GRID_A, by=loop.worker)
    page = page_as(loop.worker).get("/").content.decode()
    patrols = section(page, "patrols")
    assert 'href="/patrols/"' in patrols
    assert 'action="/patrols/start/"' not in patrols


def test_a_departments_home_is_what_it_must_handle(loop, page_as):
    given = walk(loop, loop.report(description="井盖缺失"), "accept", "dispatch")
    late = walk(loop, loop.report(description="窨井冒水"), "accept", "dispatch")
    Event.objects.filter(pk=late.pk).update(deadline=timezone.now() - datetime.timedelta(hours=5))
    loop.report(description="还没派遣")
    page = page_as(loop.department).get("/").content.decode()
    assert f'href="/events/{late.pk}/"' in section(page, "overdue")
    assert "overdue by 5 hours" in section(page, "overdue")
    assert f'href="/events/{given.pk}/"' in section(page, "to_handle")
    assert not section(page, "to_accept")
    assert not section(page, "patrols")
    assert "还没派遣" not in page
    assert waiting(page) == 2
    # One tap on it, and "start handling" is the first thing offered.
    event_page = page_as(loop.department).get(f"/events/{given.pk}/").content.decode()
    first_form = re.search(r'data-action="(\w+)"', event_page).group(1)
    assert first_form == "start"


def test_a_residents_home_is_where_to_report_and_their_reports(loop, page_as):
    resident = make_user(Role.RESIDENT, GRID_A)
    page = page_as(resident).get("/").content.decode()
    assert f'href="/report/{COMMUNITY_1}/"' in page
    assert "You have not reported anything yet" in page
    assert waiting(page) == 0
    assert '/people/' not in page  # residents see no one's record: no search to offer


@pytest.mark.parametrize("role", [Role.COMMUNITY_STAFF, Role.STREET_OFFICER,
                                  Role.DISTRICT_ADMIN])
def test_community_street_and_district_start_at_the_cockpit(loop, page_as, role):
    assert page_as(make_user(role, DISTRICT)).get("/").url == "/cockpit/"


@pytest.mark.parametrize("role", [Role.VOLUNTEER, Role.AUDITOR])
def test_the_other_roles_keep_their_jurisdictions_home(loop, page_as, role):
    loop.report()
    response = page_as(make_user(role, DISTRICT if role != Role.VOLUNTEER else GRID_A)).get("/")
    assert response.templates[0].name == "web/home.html"
    assert 'id="waiting-count"' not in response.content.decode()


def test_the_tab_bar_marks_the_open_tab_and_keeps_the_other_links_behind_more(loop, page_as):
    loop.report()
    client = page_as(loop.worker)
    page = client.get("/events/").content.decode()
    nav = page[page.index('<nav class="nav"'):page.index("</nav>", page.index('<nav class="nav"'))]
    assert re.search(r'<a class="tab" href="/events/" aria-current="page">', nav)
    assert 'href="#more"' in nav
    more = nav[nav.index('id="more"'):]
    for link in ('href="/people/"', 'href="/account/password/"', 'action="/logout/"'):
        assert link in more
    assert waiting(page) == 1  # on every page: the event to accept
