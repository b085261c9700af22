"""Filling a department's form on the reports page: the upload, the column table, the
download (logged), keeping the form as a template and exporting it, and the refusals."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.factories import COMMUNITY_1, GRID_C, STREET_1, make_user
from tests.reports import forms
from tests.reports.test_fill import registry  # noqa: F401 - the fixture
from wangge.auditlog.models import Entry, Kind
from wangge.foundation.permissions import Role
from wangge.reports.models import ReportTemplate

PURPOSE = {"purpose": "department"}


def upload(client, path, scope=COMMUNITY_1):
    with open(path, "rb") as file:
        return client.post(reverse("web:report_fill"), {"file": file, "scope": scope})


def signed_form(page):
    return page.context["download"].initial["form"]


def test_a_form_is_read_and_its_columns_shown(page_as, registry, tmp_path):  # noqa: F811
    client = page_as(make_user(Role.COMMUNITY_STAFF, COMMUNITY_1))
    page = upload(client, forms.chronic_followups(tmp_path))
    assert page.status_code == 200
    text = page.content.decode()
    assert "chronic_illness.condition" in text
    assert "末次随访日期" in text
    assert "not recognised" in text
    assert page.context["filled"].rows == 2
    assert "黄磊" not in text  # counts only: nothing personal on the page


def test_the_filled_form_downloads_and_is_logged(page_as, registry, tmp_path):  # noqa: F811
    user = make_user(Role.COMMUNITY_STAFF, COMMUNITY_1)
    client = page_as(user)
    page = upload(client, forms.rented_houses(tmp_path))
    response = client.post(reverse("web:report_fill_download"),
                           {"form": signed_form(page), "scope": COMMUNITY_1, **PURPOSE})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.values)
    assert rows[0][0] == "江岸区出租房屋登记表"
    assert [row[4] for row in rows[3:]] == ["孙丽", "赵磊"]
    entry = Entry.objects.filter(kind=Kind.EXPORT).latest("sequence")
    assert (entry.user_id, entry.count) == (user.pk, 2)
    assert entry.target == f"form 出租房屋登记表.xlsx {COMMUNITY_1} xlsx"


def test_the_download_asks_why_and_stays_in_the_jurisdiction(page_as, registry,  # noqa: F811
                                                              tmp_path):
    client = page_as(make_user(Role.COMMUNITY_STAFF, COMMUNITY_1))
    signed = signed_form(upload(client, forms.rented_houses(tmp_path)))
    url = reverse("web:report_fill_download")
    assert client.post(url, {"form": signed, "scope": COMMUNITY_1}).status_code == 400
    assert client.post(url, {"form": signed, "scope": GRID_C, **PURPOSE}).status_code == 404
    assert client.post(url, {"form": signed + "x", "scope": COMMUNITY_1,
                             **PURPOSE}).status_code == 404
    other = page_as(make_user(Role.COMMUNITY_STAFF, COMMUNITY_1))
    assert other.post(url, {"form": signed, "scope": COMMUNITY_1,
                            **PURPOSE}).status_code == 404  # signed for another user
    assert not Entry.objects.filter(kind=Kind.EXPORT).exists()


def test_the_area_must_be_in_the_jurisdiction(page_as, registry, tmp_path):  # noqa: F811
    client = page_as(make_user(Role.COMMUNITY_STAFF, COMMUNITY_1))
    page = upload(client, forms.rented_houses(tmp_path), scope=GRID_C)
    assert page.status_code == 400
    assert "scope" in page.context["upload"].errors


@pytest.mark.parametrize(("content", "message"), [
    (b"name,phone\n1,2\n", "is not an Excel workbook"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "without a password"),
])
def test_a_file_that_is_not_a_form_is_refused_with_a_message(page_as, registry, tmp_path,  # noqa: F811
                                                              content, message):
    client = page_as(make_user(Role.COMMUNITY_STAFF, COMMUNITY_1))
    path = tmp_path / "form.xlsx"
    path.write_bytes(content)
    page = upload(client, path)
    assert page.status_code == 400
    assert message in page.content.decode()


def test_a_form_too_large_is_refused(page_as, registry, tmp_path, settings):  # noqa: F811
    settings.WANGGE_FORM_MAX_MB = 0
    client = page_as(make_user(Role.COMMUNITY_STAFF, COMMUNITY_1))
    page = upload(client, forms.rented_houses(tmp_path))
    assert page.status_code == 400
    assert "at most 0 MB" in page.content.decode()


def test_a_role_without_reports_is_refused(page_as, registry):  # noqa: F811
    client = page_as(make_user(Role.VOLUNTEER, COMMUNITY_1))
    assert client.get(reverse("web:report_fill")).status_code == 403
    assert client.post(reverse("web:report_fill_download"), {}).status_code == 403


def test_a_form_kept_as_a_template_exports_as_the_form(page_as, registry, tmp_path):  # noqa: F811
    admin = make_user(Role.DISTRICT_ADMIN, STREET_1)
    client = page_as(admin)
    page = upload(client, forms.disability_survey(tmp_path), scope=STREET_1)
    response = client.post(reverse("web:report_fill_keep"), {
        "form": signed_form(page), "scope": STREET_1, "name": "残疾人基本状况调查表",
        "department": "区残联", "slug": "disability-survey"})
    assert response.status_code == 302
    template = ReportTemplate.objects.get(slug="disability-survey")
    assert template.population == {"populations": ["disability"]}
    assert template.form_layout["rows"][0] == ["2026年残疾人基本状况调查表"]
    assert template.columns[-1] == {"header": "家庭年收入（元）", "field": "unrecognised",
                                    "format": "text"}
    assert template.history.first().history_change_reason
    gaps = client.get(reverse("web:report_gaps", args=["disability-survey"]),
                      {"scope": STREET_1})
    assert "家庭年收入（元）" in gaps.content.decode()  # named as not held
    export = client.get(reverse("web:report_export", args=["disability-survey"]),
                        {"scope": STREET_1, "format": "xlsx", **PURPOSE})
    sheet = load_workbook(io.BytesIO(b"".join(export.streaming_content))).active
    rows = list(sheet.values)
    assert rows[0][0] == "2026年残疾人基本状况调查表"
    assert "A1:L1" in {str(cells) for cells in sheet.merged_cells.ranges}
    assert rows[2][1] == "残疾人姓名"
    assert rows[3][1] == "陈明"
    assert rows[3][5] == "肢体"


def test_only_those_who_edit_templates_keep_a_form(page_as, registry, tmp_path):  # noqa: F811
    client = page_as(make_user(Role.COMMUNITY_STAFF, COMMUNITY_1))
    page = upload(client, forms.disability_survey(tmp_path))
    assert not page.context["may_keep"]
    response = client.post(reverse("web:report_fill_keep"), {
        "form": signed_form(page), "name": "x", "department": "y", "slug": "x"})
    assert response.status_code == 403
