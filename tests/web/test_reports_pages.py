"""Report pages: the template list, the download (xlsx and CSV, scoped, masked), and the gaps
page with its completeness and a grid worker's own task list."""

import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.factories import (
    COMMUNITY_1,
    GRID_A,
    GRID_B,
    GRID_C,
    STREET_1,
    STREET_2,
    make_person,
    make_user,
    resident_id,
)
from tests.web.test_browser import PASSWORD, SHOTS, SIZES, go_by_menu, log_in
from wangge.foundation.permissions import Role
from wangge.reports.services import report_templates_install

OLD = datetime.date(1940, 3, 8)
ELDERLY = "civil-affairs-elderly-alone"


@pytest.fixture
def elderly(world):
    """Two elderly residents living alone in street 1 (one without a phone), one in street 2."""
    return {
        "a": make_person(GRID_A, name="王秀英", id_number=resident_id(OLD, male=False),
                         vulnerable_tags=["elderly_alone"]),
        "b": make_person(GRID_B, name="刘桂兰", phone="", id_number=resident_id(OLD, male=False),
                         vulnerable_tags=["elderly_alone"]),
        "c": make_person(GRID_C, name="孙玉珍", id_number=resident_id(OLD, male=False),
                         vulnerable_tags=["elderly_alone"]),
    }


def logged_in(client, role, *codes, username=None):
    client.force_login(make_user(role, *codes, username=username))
    return client


def test_the_list_shows_the_templates_and_what_the_registry_lacks(client, elderly):
    page = logged_in(client, Role.DEPARTMENT_STAFF, STREET_1).get(reverse("web:reports"))
    text = page.content.decode()
    assert "独居老人花名册" in text
    assert reverse("web:report", args=[ELDERLY]) in text
    detail = client.get(reverse("web:report", args=[ELDERLY])).content.decode()
    assert "紧急联系人" in detail  # every column is named
    assert f'value="{STREET_1}" selected' in detail
    assert f'value="{GRID_C}"' not in detail  # only areas in the jurisdiction are offered


@pytest.mark.parametrize("role", [Role.VOLUNTEER, Role.RESIDENT, Role.AUDITOR])
def test_roles_without_reports_are_refused(client, world, role):
    client = logged_in(client, role, STREET_1)
    assert client.get(reverse("web:reports")).status_code == 403
    assert reverse("web:reports") not in client.get("/").content.decode()


def test_download_xlsx_in_scope_with_masking(client, elderly):
    client = logged_in(client, Role.DEPARTMENT_STAFF, STREET_1)
    response = client.get(reverse("web:report_export", args=[ELDERLY]),
                          {"scope": STREET_1, "format": "xlsx", "purpose": "department"})
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    rows = list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.values)
    assert [row[0] for row in rows[1:]] == ["王秀英", "刘桂兰"]
    id_number = dict(zip(rows[0], rows[1], strict=True))["公民身份号码"]
    assert id_number != elderly["a"].id_number  # department staff see IDs masked
    assert id_number.startswith(elderly["a"].id_number[:4])
    assert "*" in id_number


def test_download_csv_opens_in_excel(client, elderly):
    client = logged_in(client, Role.COMMUNITY_STAFF, COMMUNITY_1)
    response = client.get(reverse("web:report_export", args=[ELDERLY]),
                          {"scope": GRID_B, "format": "csv", "purpose": "department"})
    data = b"".join(response.streaming_content)
    assert data.startswith(b"\xef\xbb\xbf")
    assert "刘桂兰" in data.decode("utf-8-sig")
    assert "王秀英" not in data.decode("utf-8-sig")


@pytest.mark.parametrize("scope", [STREET_2, GRID_C, "420102000000", "12345"])
def test_a_scope_outside_the_jurisdiction_is_not_found(client, elderly, scope):
    client = logged_in(client, Role.DEPARTMENT_STAFF, STREET_1)
    for name in ("web:report_export", "web:report_gaps"):
        response = client.get(reverse(name, args=[ELDERLY]), {"scope": scope, "format": "csv"})
        assert response.status_code == 404


def test_an_unknown_template_or_format_is_not_found(client, elderly):
    client = logged_in(client, Role.DEPARTMENT_STAFF, STREET_1)
    assert client.get(reverse("web:report", args=["nope"])).status_code == 404
    response = client.get(reverse("web:report_export", args=[ELDERLY]),
                          {"scope": STREET_1, "format": "pdf"})
    assert response.status_code == 404


def test_gaps_show_completeness_per_column_and_grid(client, elderly):
    client = logged_in(client, Role.STREET_OFFICER, STREET_1)
    page = client.get(reverse("web:report_gaps", args=[ELDERLY]), {"scope": STREET_1})
    text = page.content.decode()
    assert "民意一网格" in text
    assert "民意二网格" in text
    assert "天声一网格" not in text
    assert "50%" in text  # one of the two has a phone
    assert "紧急联系人" in text
    # Not the street officer's grids: counts and a link, not the residents.
    assert "刘桂兰" not in text
    assert f"?scope={GRID_B}#tasks" in text


def test_a_grid_worker_sees_their_own_task_list(client, elderly):
    client = logged_in(client, Role.GRID_WORKER, GRID_B, username="worker-b")
    page = client.get(reverse("web:report_gaps", args=[ELDERLY]))  # starts at their grid
    text = page.content.decode()
    assert "刘桂兰" in text
    assert "联系电话" in text
    assert reverse("web:person_edit", args=[elderly["b"].pk]) in text
    assert "王秀英" not in text  # grid A is not theirs
    assert "worker-b" in text


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_grid_worker_opens_their_gaps_and_goes_to_fill_one(in_browser, live_server, elderly):
    report_templates_install()  # an earlier transactional test may have flushed them
    worker = make_user(Role.GRID_WORKER, GRID_B, username="worker-b")
    worker.set_password(PASSWORD)
    worker.save()
    base, edit = live_server.url, reverse("web:person_edit", args=[elderly["b"].pk])
    SHOTS.mkdir(exist_ok=True)

    def walk(chromium) -> tuple[str, str]:
        page = chromium.new_page(viewport=SIZES["phone"], locale="zh-CN")
        log_in(page, base, worker.username)
        go_by_menu(page, reverse("web:reports"))
        page.screenshot(path=SHOTS / "reports-phone.png", full_page=True)
        page.click(f"a[href='{reverse('web:report', args=[ELDERLY])}']")
        page.screenshot(path=SHOTS / "report-phone.png", full_page=True)
        page.click(f"button[formaction='{reverse('web:report_gaps', args=[ELDERLY])}']")
        tasks = page.wait_for_selector("ul.tasks").inner_text()
        page.screenshot(path=SHOTS / "gaps-phone.png", full_page=True)
        page.set_viewport_size(SIZES["desktop"])
        page.screenshot(path=SHOTS / "gaps-desktop.png", full_page=True)
        page.click(f"ul.tasks a[href='{edit}']")
        page.wait_for_selector("input[name=phone]")
        return tasks, page.url

    tasks, url = in_browser(walk)
    assert "刘桂兰" in tasks
    assert "联系电话" in tasks
    assert url == f"{base}{edit}"


def test_the_task_lists_name_their_grid_workers(client, elderly):
    worker = make_user(Role.GRID_WORKER, GRID_B, username="worker-b")
    worker.first_name = "赵网格"
    worker.save()
    page = logged_in(client, Role.COMMUNITY_STAFF, COMMUNITY_1).get(
        reverse("web:report_gaps", args=[ELDERLY])).content.decode()
    assert "赵网格" in page
    assert "worker-b" not in page
