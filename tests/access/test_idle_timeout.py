"""A session idle for WANGGE_IDLE_MINUTES is signed out; reads write the session at most once
a minute (SQLite has a single writer)."""

import datetime

import time_machine

from tests.factories import GRID_A, make_user
from wangge.access.middleware import LAST_ACTIVITY
from wangge.foundation.permissions import Role

START = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


def test_an_idle_session_is_signed_out_and_an_active_one_is_not(world, page_as, settings):
    settings.WANGGE_IDLE_MINUTES = 30
    with time_machine.travel(START, tick=False) as clock:
        client = page_as(make_user(Role.VOLUNTEER, GRID_A))
        assert client.get("/").status_code == 200
        clock.shift(datetime.timedelta(minutes=29))
        assert client.get("/").status_code == 200
        clock.shift(datetime.timedelta(minutes=29))  # 29 after the last request: still in
        assert client.get("/").status_code == 200
        clock.shift(datetime.timedelta(minutes=31))
        response = client.get("/people/")
        assert response.status_code == 302
        assert response.url.startswith("/login/")
        assert "_auth_user_id" not in client.session
        login = client.get(response.url)
        assert "signed out after 30 minutes without activity" in login.content.decode()


def test_reads_within_a_minute_do_not_write_the_session(world, page_as):
    with time_machine.travel(START, tick=False) as clock:
        client = page_as(make_user(Role.VOLUNTEER, GRID_A))
        client.get("/")
        first = client.session[LAST_ACTIVITY]
        clock.shift(datetime.timedelta(seconds=50))
        client.get("/")
        assert client.session[LAST_ACTIVITY] == first
        clock.shift(datetime.timedelta(seconds=20))
        client.get("/")
        assert client.session[LAST_ACTIVITY] == first + 70
