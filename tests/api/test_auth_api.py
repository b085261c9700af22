import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests import factories
from tests.api.helpers import ENGLISH, ApiClient
from tests.factories import COMMUNITY_1, GRID_A, GRID_C, make_person, make_user
from tests.locking import short_busy_timeout, sqlite_only, write_lock_held
from wangge.access.models import ApiToken
from wangge.foundation.permissions import Role

__all__ = ["short_busy_timeout"]


def test_unauthenticated_is_401_json(db):
    response = Client().get("/api/v1/persons")
    assert response.status_code == 401
    assert response.json()["message"]


def test_a_bad_token_is_401(world):
    response = ApiClient(Client(), {"Authorization": "Bearer wg_not-a-token"}).get("/persons")
    assert response.status_code == 401


def test_a_token_sees_what_its_user_sees_and_no_more(world, api_as):
    make_person(GRID_A, name="甲")
    make_person(GRID_C, name="丙")
    api = api_as(make_user(Role.GRID_WORKER, GRID_A), token=True)
    names = [person["name"] for person in api.get("/persons").json()["items"]]
    assert names == ["甲"]


def test_a_deactivated_users_token_stops_working(world, api_as):
    user = make_user(Role.GRID_WORKER, GRID_A)
    api = api_as(user, token=True)
    user.is_active = False
    user.save()
    assert api.get("/persons").status_code == 401


def test_token_create_prints_a_working_token(world):
    make_user(Role.COMMUNITY_STAFF, COMMUNITY_1, username="wang")
    output = StringIO()
    call_command("token", "create", "wang", stdout=output)
    token = output.getvalue().strip()
    api = ApiClient(Client(), {"Authorization": f"Bearer {token}"})
    assert api.get("/grids").json()["count"] == 2


def test_session_writes_need_the_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user(Role.GRID_WORKER, GRID_A))
    assert client.get("/api/v1/persons").status_code == 200
    response = client.post("/api/v1/persons", {"name": "李", "grid_code": GRID_A},
                           content_type="application/json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["message"]


def test_messages_follow_accept_language(world, api_as):
    api = api_as(make_user(Role.GRID_WORKER, GRID_A))
    chinese = api.post("/persons", {"grid_code": GRID_A})
    assert chinese.json()["errors"] == {"name": ["这个字段是必填项。"]}
    english = api.post("/persons", {"grid_code": GRID_A}, **{"Accept-Language": "en"})
    assert english.json()["errors"] == {"name": ["This field is required."]}


def test_out_of_scope_reads_exactly_like_missing(world, api_as):
    outside = make_person(GRID_C)
    api = api_as(make_user(Role.GRID_WORKER, GRID_A))
    foreign, missing = api.get(f"/persons/{outside.pk}"), api.get("/persons/999999")
    assert foreign.status_code == missing.status_code == 404
    assert foreign.content == missing.content


def test_the_docs_page_loads_nothing_from_outside(db):
    page = Client().get("/api/v1/docs").content.decode()
    urls = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert urls
    assert all(url.startswith("/static/") for url in urls), urls
    assert "http://" not in page
    assert "https://" not in page
    assert '"validatorUrl": null' in page
    schema = Client().get("/api/v1/openapi.json").json()
    assert "/api/v1/persons/{id}/transfer" in schema["paths"]


def test_a_method_a_route_does_not_take_is_a_json_405_with_allow(world, api_as):
    person = make_person(GRID_A)
    api = api_as(make_user(Role.DISTRICT_ADMIN, COMMUNITY_1))
    response = api.send("PUT", f"/persons/{person.pk}", {"name": "x"}, **ENGLISH)
    assert response.status_code == 405
    assert set(response["Allow"].split(", ")) == {"GET", "PATCH"}
    assert response.json() == {
        "message": f"PUT is not allowed here; use {response['Allow']}."}
    unauthenticated = Client().delete("/api/v1/grids.geojson")
    assert unauthenticated.status_code == 405
    assert unauthenticated["Allow"] == "GET"
    assert unauthenticated.json()["message"]


# Reads never write: on SQLite a long import holds the only write lock for minutes, and a
# token's GET must still answer meanwhile.
@sqlite_only
@pytest.mark.django_db(transaction=True)
def test_a_token_reads_while_another_process_holds_the_write_lock(short_busy_timeout, api_as):
    factories.make_divisions()
    api = api_as(make_user(Role.GRID_WORKER, GRID_A), token=True)
    with write_lock_held():
        response = api.get("/persons")
    assert response.status_code == 200


def test_a_token_read_writes_nothing_and_a_write_records_the_use(world, api_as):
    user = make_user(Role.GRID_WORKER, GRID_A)
    api = api_as(user, token=True)
    with CaptureQueriesContext(connection) as queries:
        assert api.get("/persons").status_code == 200
        assert api.client.head("/api/v1/persons", headers=api.headers).status_code in (200, 405)
    # The one write a read may make is the access log's record of the unmasked fields it
    # showed (docs/audit.md); it waits in a spool when the database is busy (test above).
    writes = [query["sql"] for query in queries
              if query["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
              and '"auditlog_' not in query["sql"]]
    assert writes == []
    assert ApiToken.objects.get(user=user).last_used is None
    api.post("/persons", {})  # refused or not, a request that may write records the use
    assert ApiToken.objects.get(user=user).last_used is not None
