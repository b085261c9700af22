"""GET /report-templates, /report-templates/{slug}/export and /report-templates/{slug}/gaps:
scoped to the caller's jurisdiction (a scope outside is 404), values masked by role."""

import csv
import datetime
import io

import pytest
from openpyxl import load_workbook

from tests.factories import (
    GRID_A,
    GRID_B,
    GRID_C,
    STREET_1,
    STREET_2,
    make_person,
    make_user,
    resident_id,
)
from wangge.foundation.permissions import Role

OLD = datetime.date(1940, 3, 8)
ELDERLY = "civil-affairs-elderly-alone"


@pytest.fixture
def elderly(world):
    return [
        make_person(GRID_A, name="王秀英", id_number=resident_id(OLD, male=False),
                    vulnerable_tags=["elderly_alone"]),
        make_person(GRID_B, name="刘桂兰", phone="", id_number=resident_id(OLD, male=False),
                    vulnerable_tags=["elderly_alone"]),
        make_person(GRID_C, name="孙玉珍", id_number=resident_id(OLD, male=False),
                    vulnerable_tags=["elderly_alone"]),
    ]


def test_templates_are_listed_with_the_columns_not_held(api_as, world):
    api = api_as(make_user(Role.DEPARTMENT_STAFF, STREET_1), token=True)
    templates = {template["slug"]: template for template in api.get("/report-templates").json()}
    assert len(templates) >= 5
    assert templates[ELDERLY]["not_held"] == []
    assert templates["housing-rented-dwellings"]["not_held"] == ["租赁合同编号"]
    assert templates[ELDERLY]["columns"][0] == {"header": "姓名", "field": "name"}


PURPOSE = {"X-Purpose": "department report"}


def test_export_xlsx_and_csv(api_as, elderly):
    api = api_as(make_user(Role.COMMUNITY_STAFF, STREET_1), token=True)
    response = api.get(f"/report-templates/{ELDERLY}/export", {"scope": STREET_1}, **PURPOSE)
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    rows = list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.values)
    assert [row[0] for row in rows[1:]] == ["王秀英", "刘桂兰"]
    assert rows[1][4] == elderly[0].id_number  # community staff see IDs in full
    response = api.get(f"/report-templates/{ELDERLY}/export",
                       {"scope": GRID_B, "format": "csv"}, **PURPOSE)
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert [row[0] for row in csv.reader(io.StringIO(text))] == ["姓名", "刘桂兰"]


def test_gaps_per_field_grid_and_task(api_as, elderly):
    worker = make_user(Role.GRID_WORKER, GRID_B)
    api = api_as(make_user(Role.STREET_OFFICER, STREET_1), token=True)
    gaps = api.get(f"/report-templates/{ELDERLY}/gaps", {"scope": STREET_1}).json()
    assert gaps["total"] == 2
    assert gaps["filled"]["联系电话"] == 1
    assert gaps["grids"][GRID_B]["联系电话"] == 0
    assert gaps["not_held"] == []
    task = next(task for task in gaps["tasks"] if task["grid_code"] == GRID_B)
    assert task["workers"] == [worker.username]
    assert task["persons"] == [{"id": elderly[1].pk, "name": "刘桂兰",
                                "missing": ["联系电话", "健康状况", "紧急联系人"]}]


@pytest.mark.parametrize("scope", [STREET_2, GRID_C, "420102000000"])
def test_a_scope_outside_is_404(api_as, elderly, scope):
    api = api_as(make_user(Role.DEPARTMENT_STAFF, STREET_1), token=True)
    for path in ("export", "gaps"):
        response = api.get(f"/report-templates/{ELDERLY}/{path}", {"scope": scope},
                           **PURPOSE)
        assert response.status_code == 404
        assert response.json()["message"]


def test_bad_parameters_are_clear(api_as, world):
    api = api_as(make_user(Role.DEPARTMENT_STAFF, STREET_1), token=True)
    assert api.get("/report-templates/nope/gaps", {"scope": STREET_1}).status_code == 404
    response = api.get(f"/report-templates/{ELDERLY}/export", {"scope": "12"}, **PURPOSE)
    assert response.status_code == 422
    assert "scope" in response.json()["errors"]
    response = api.get(f"/report-templates/{ELDERLY}/export",
                       {"scope": STREET_1, "format": "pdf"}, **PURPOSE)
    assert response.status_code == 422


def test_roles_without_reports_get_403(api_as, world):
    api = api_as(make_user(Role.VOLUNTEER, STREET_1), token=True)
    assert api.get("/report-templates").status_code == 403
    assert api.get(f"/report-templates/{ELDERLY}/gaps", {"scope": STREET_1}).status_code == 403
