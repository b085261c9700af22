"""Numbers no database holds (a page past 2**63, an id of twenty digits) are a clean 404 or
422 on every list and every route, on SQLite and PostgreSQL alike, never a 500."""

import re

import pytest
from django.core.paginator import Page
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests.factories import COMMUNITY_1, DISTRICT, GRID_A, make_building, make_divisions, make_user
from wangge.access.services import token_create
from wangge.foundation.permissions import Role

HUGE_PAGE = "9223372036854775807"
HUGE_ID = "99999999999999999999"
PAGES = [HUGE_PAGE, "99999999999999999999999", "-1", "0", "abc", ""]
# Values for the route parameters that are not ids; ids get HUGE_ID.
VALUES = {"code": {"web:division": DISTRICT, "open311:report": COMMUNITY_1},
          "slug": "no-such-report", "number": "SJ00000001", "token": "x", "rest": "x",
          "format": "json", "id": HUGE_ID, "pk": HUGE_ID}
# The pages that list records a page at a time (tests/core: a new one must join).
LIST_PAGES = {"events:list", "notifications:inbox", "linkage:queue", "linkage:merges",
              "patrols:coverage", "patrols:history", "web:grid",
              "web:unplaced", "web:person_search", "web:import_addresses", "accounts:list",
              "epidemic:cases", "epidemic:venues", "measures:list", "measures:appeals",
              "alerts:list", "alerts:preparedness", "resources:supply_requests",
              "resources:allocations", "notices:list", "volunteers:home", "volunteers:tasks",
              "conventions:list", "needs:board"}


@pytest.fixture
def admin(db):
    make_divisions()
    make_building(GRID_A)
    return make_user(Role.DISTRICT_ADMIN, DISTRICT)


def answered(client: Client, path: str, method: str = "get", **params) -> object:
    """The response, with what a failed query did to the test's transaction undone, so one
    500 does not hide the routes after it on PostgreSQL."""
    saved = transaction.savepoint()
    response = getattr(client, method)(path, params or None)
    transaction.savepoint_rollback(saved)
    return response


def page_routes(resolver: URLResolver | None = None, prefix: str = "",
                namespace: str = "") -> list[tuple[str, str]]:
    """(name, route) of every page, with ``<converter:name>`` left in the route."""
    found = []
    for entry in (resolver or get_resolver()).url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            if route.startswith(("admin/", "api/", "i18n/")):
                continue
            found += page_routes(entry, route, entry.namespace or namespace)
        elif isinstance(entry, URLPattern):
            found.append((f"{namespace}:{entry.name}", route))
    return found


def filled(name: str, route: str) -> str:
    def value(match: re.Match) -> str:
        converter, parameter = match.group("converter") or "", match.group("name")
        given = VALUES.get(parameter, "x")
        if isinstance(given, dict):
            given = given.get(name, GRID_A)
        return HUGE_ID if converter == "int" else given

    path = re.sub(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>", value, route)
    # The few regular-expression routes: a community's report page and Open311's formats.
    path = path.replace(r"(?P<code>\d{12})", COMMUNITY_1).replace(
        r"\.(?P<format>json|xml)", ".json").replace(r"(?P<code>[\w-]+)", "x").replace(
        r"(?P<number>\w+)", "SJ00000001")
    return "/" + path.lstrip("^").rstrip("$")


def test_every_list_page_answers_a_huge_or_odd_page_number_with_its_last_page(admin):
    client = Client(headers={"Accept-Language": "en"})
    client.force_login(admin)
    client.raise_request_exception = False
    listed, failures = set(), []
    for name, route in page_routes():
        path = filled(name, route)
        for page in PAGES:
            response = answered(client, path, q="张", page=page)
            if response.status_code >= 500:
                failures.append(f"{path}?page={page}: {response.status_code}")
                continue
            for value in context_values(response):
                if isinstance(value, Page):
                    listed.add(name)
                    assert value.number in (1, value.paginator.num_pages), (path, page)
    assert failures == []
    assert listed == LIST_PAGES


def context_values(response) -> list:
    contexts = response.context or []
    return [value for context in (contexts if isinstance(contexts, list) else [contexts])
            for layer in context.dicts for value in layer.values()]


def a_resident():
    """A resident's account, linked to a person: the pages under /me/ are theirs alone."""
    from tests.factories import make_person
    from wangge.residents.services import resident_account_for

    return resident_account_for(person=make_person(GRID_A))


def test_every_page_with_an_id_beyond_64_bits_is_a_404(admin):
    client = Client(headers={"Accept-Language": "en"})
    client.force_login(admin)
    client.raise_request_exception = False
    own = Client(headers={"Accept-Language": "en"})
    own.force_login(a_resident())
    own.raise_request_exception = False
    with_ids = [(name, filled(name, route)) for name, route in page_routes()
                if "<int:" in route]
    assert with_ids
    answers = {}
    for _name, path in with_ids:
        asker = own if path.startswith("/me/") else client
        answers[path] = answered(asker, path).status_code
        if answers[path] == 405:  # a form's target: what it is sent
            answers[path] = answered(asker, path, "post").status_code
    assert answers == dict.fromkeys(answers, 404)


def operations(client: Client) -> list[tuple[str, str, dict]]:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    return [(method, path, operation) for path, methods in paths.items()
            for method, operation in methods.items()]


def test_every_api_list_refuses_a_huge_page_and_answers_past_the_end_with_none(admin):
    def client_of(user) -> Client:
        client = Client(headers={"Authorization": f"Bearer {token_create(user=user)}",
                                 "Accept-Language": "en"})
        client.raise_request_exception = False
        return client

    # The logs are the audit administrator's alone (403 to the district administrator).
    district, auditor = client_of(admin), client_of(make_user(Role.AUDITOR, DISTRICT))
    resident = client_of(a_resident())  # a resident's own lists, under /me
    lists = [path for method, path, operation in operations(district)
             if method == "get" and "{" not in path
             and any(p["name"] == "page" for p in operation.get("parameters", []))]
    assert len(lists) >= 15
    failures = []
    for path in lists:
        client = (resident if path.startswith("/api/v1/me/")
                  else auditor if answered(district, path).status_code == 403 else district)
        for page in PAGES:
            status = answered(client, path, page=page).status_code
            if status != 422:
                failures.append(f"{path}?page={page}: {status}")
        past = answered(client, path, page="1000000")
        if past.status_code != 200 or past.json()["items"] != []:
            failures.append(f"{path}?page=1000000: {past.status_code}")
    assert failures == []
    divisions = answered(district, "/api/v1/divisions", page="2").json()
    assert divisions["items"] == []
    assert divisions["count"] > 0


def api_value(parameter: str, integers: set[str]) -> str:
    if parameter in integers:
        return HUGE_ID
    given = VALUES.get(parameter, "x")
    return GRID_A if isinstance(given, dict) else given


def test_every_api_operation_answers_ids_and_numbers_beyond_64_bits_cleanly(admin):
    """Every integer in a path or query: 404 for a record that cannot exist, or 422."""
    client = Client(headers={"Authorization": f"Bearer {token_create(user=admin)}",
                             "Accept-Language": "en"})
    client.raise_request_exception = False
    failures = []
    for method, path, operation in operations(client):
        parameters = operation.get("parameters", [])
        integers = {p["name"] for p in parameters
                    if p.get("schema", {}).get("type") == "integer"}
        in_path = {p["name"] for p in parameters if p["in"] == "path"}
        url = re.sub(r"\{(\w+)\}", lambda m, integers=integers: api_value(m[1], integers),
                     path)
        query = dict.fromkeys(integers - in_path, HUGE_ID) if method == "get" else {}
        if not (integers & in_path or query):
            continue
        status = answered(client, url, method, **query).status_code
        if status not in (400, 403, 404, 422):
            failures.append(f"{method.upper()} {url} {query}: {status}")
    assert failures == []
