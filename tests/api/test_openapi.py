"""The OpenAPI document says what the API answers (so that a fuzzer finds nothing: `make
fuzz`), and inputs a fuzzer found to give a 500 answer a 4xx instead."""

import pytest
from django.test import Client

from tests.api.helpers import ENGLISH
from tests.factories import GRID_A, make_person, make_user
from wangge.foundation.permissions import Role

BEYOND_64_BITS = 2**64 + 5


@pytest.fixture
def operations(client, db):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    return {(method.upper(), path.removeprefix("/api/v1")): operation
            for path, methods in paths.items() for method, operation in methods.items()}


def test_every_delete_requires_its_reason(operations):
    deletes = [operation for (method, _), operation in operations.items() if method == "DELETE"]
    assert deletes
    for operation in deletes:
        body = operation["requestBody"]
        assert body["required"] is True
        assert body["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/DeleteReason"}


def test_the_reason_of_a_delete_may_not_be_empty(client, db):
    reason = client.get("/api/v1/openapi.json").json()["components"]["schemas"]["DeleteReason"]
    assert reason["required"] == ["reason"]
    assert reason["properties"]["reason"]["minLength"] == 1


def test_every_operation_declares_the_errors_it_answers(operations):
    for (method, path), operation in operations.items():
        answers = set(operation["responses"])
        if operation.get("security"):
            assert {"401", "403"} <= answers, (method, path)
        else:  # open to anyone (a public CAP document): never refused a caller
            assert not {"401", "403"} & answers, (method, path)
        if "{" in path:
            assert "404" in answers, (method, path)
        if "requestBody" in operation:
            assert {"400", "422"} <= answers, (method, path)
        for status in answers - {"200", "201", "202", "204"}:
            content = operation["responses"][status]["content"]
            assert content == {"application/json": {
                "schema": {"$ref": "#/components/schemas/Error"}}}, (method, path, status)


def test_the_answers_particular_to_an_operation_are_declared(operations):
    assert "409" in operations["DELETE", "/buildings/{id}"]["responses"]
    assert "409" in operations["DELETE", "/grids/{code}"]["responses"]
    # A member leaves a household without anything left referring to it.
    assert "409" not in operations["DELETE", "/households/{id}/members/{person_id}"]["responses"]
    assert "409" in operations["POST", "/imports/{id}/retry"]["responses"]
    # What is read with a purpose is not answered when the read cannot be logged.
    for operation in ("/persons", "/persons/{id}", "/persons/{id}/history",
                      "/report-templates/{slug}/export", "/imports/{id}/rejects"):
        assert "503" in operations["GET", operation]["responses"], operation


def test_downloads_declare_their_files(operations):
    export = operations["GET", "/report-templates/{slug}/export"]["responses"]["200"]
    assert set(export["content"]) == {
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "text/csv"}
    rejects = operations["GET", "/imports/{id}/rejects"]["responses"]["200"]
    assert set(rejects["content"]) == {
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def test_an_export_declares_its_purpose_required(operations):
    [header] = [parameter for parameter
                in operations["GET", "/report-templates/{slug}/export"]["parameters"]
                if parameter["in"] == "header"]
    assert (header["name"], header["required"]) == ("X-Purpose", True)


@pytest.mark.parametrize("path", ["/grids.geojson", "/buildings.geojson"])
def test_geojson_is_declared_with_its_media_type(operations, path):
    content = operations["GET", path]["responses"]["200"]["content"]
    assert list(content) == ["application/geo+json"]
    assert content["application/geo+json"]["schema"]["required"] == ["type", "features"]


def test_ids_are_declared_within_64_bits(operations):
    [identifier] = [parameter for parameter in operations["GET", "/persons/{id}"]["parameters"]
                    if parameter["name"] == "id"]
    assert identifier["schema"]["maximum"] == 2**63 - 1


def test_an_id_beyond_64_bits_is_a_422(world, api_as):
    api = api_as(make_user(Role.DISTRICT_ADMIN, "420102000000"))
    make_person(GRID_A)
    # Marking notifications read by such an id was a database error (a 500).
    response = api.post("/inbox/read", {"ids": [BEYOND_64_BITS]}, **ENGLISH)
    assert response.status_code == 422
    assert response.json()["errors"] == {
        "ids.0": [f"Ensure this value is less than or equal to {2**63 - 1}."]}
    assert api.get(f"/persons/{BEYOND_64_BITS}").status_code == 422
    response = api.delete(f"/organizations/1/members/{BEYOND_64_BITS}", {"reason": "left"})
    assert response.status_code == 422
    assert api.get("/dwellings", {"building_id": BEYOND_64_BITS}).status_code == 422


def test_a_body_that_cannot_be_read_is_a_json_400(world):
    client = Client()
    client.force_login(make_user(Role.DISTRICT_ADMIN, "420102000000"))
    # A multipart body without its boundary: Django's HTML error page before.
    response = client.post("/api/v1/imports", b"--", content_type="multipart/form-data")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["message"]


def test_a_nul_character_is_refused_wherever_it_is_sent(world, api_as):
    # PostgreSQL can neither store nor compare one: these were 500s there.
    api = api_as(make_user(Role.DISTRICT_ADMIN, "420102000000"))
    created = api.post("/buildings", {"name": "a\x00b", "address": "a",
                                      "division_code": "420102001001"}, **ENGLISH)
    assert created.status_code == 422
    assert created.json()["errors"] == {"name": ["Null characters are not allowed."]}
    searched = api.get("/persons", {"q": "a\x00"})
    assert (searched.status_code, list(searched.json()["errors"])) == (422, ["q"])
    assert api.get("/divisions/4201%00").status_code == 404


def test_no_two_api_schemas_share_a_name():
    """The OpenAPI document names each schema by its class alone: a second class of the same
    name would silently take the first one's place (the accounts' areas once answered with the
    cockpit's figures)."""
    from collections import Counter

    from ninja import Schema

    import wangge.api  # noqa: F401  (mounts every router, importing every schema)

    def subclasses(cls: type) -> set[type]:
        return {sub for direct in cls.__subclasses__() for sub in {direct, *subclasses(direct)}}

    names = Counter(cls.__name__ for cls in subclasses(Schema)
                    if cls.__module__.startswith("wangge."))
    assert [name for name, count in names.items() if count > 1] == []
