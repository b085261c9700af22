"""Report templates are edited by staff in the admin: checked like the shipped ones, with clear
errors for unknown filters, formats and repeated headers, a warning for fields the registry
does not hold, and the reason kept in the history."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from tests.factories import COMMUNITY_1, DISTRICT, make_user
from wangge.foundation.permissions import Role
from wangge.reports.models import ReportTemplate
from wangge.reports.services import report_template_validate

ELDERLY = "civil-affairs-elderly-alone"


@pytest.fixture(autouse=True)
def language_kept():
    """The requests below ask for English; the language active before comes back after."""
    with translation.override(translation.get_language()):
        yield


@pytest.fixture
def admin_client(client, world):
    client.force_login(make_user(Role.DISTRICT_ADMIN, DISTRICT))
    return client


def form_of(template: ReportTemplate, **changes) -> dict:
    fields = {"slug": template.slug, "name": template.name, "department": template.department,
              "description": template.description, "population": template.population,
              "columns": template.columns, "reason": "按民政局新表调整", **changes}
    # JSON fields go as JSON text; a string stands for text typed as it is.
    return {name: json.dumps(value, ensure_ascii=False)
            if name in ("population", "columns") and not isinstance(value, str) else value
            for name, value in fields.items()}


def change(client, template: ReportTemplate, **changes):
    return client.post(f"/admin/reports/reporttemplate/{template.pk}/change/",
                       form_of(template, **changes), headers={"Accept-Language": "en"})


@pytest.mark.parametrize(("changes", "message"), [
    ({"population": {"age_over": 60}}, "Unknown population filter age_over"),
    ({"population": {"residence_types": ["floatng"]}}, "unknown floatng"),
    ({"population": {"age_at_least": "sixty"}}, "age_at_least takes a whole number"),
    ({"population": {"any": [{"vulnerable_any": ["lonely"]}]}}, "unknown lonely"),
    ({"columns": [{"header": "姓名", "field": "name", "format": "bold"}]}, "Unknown format"),
    ({"columns": [{"header": "姓名", "field": "name"}, {"header": "姓名", "field": "phone"}]},
     "appear twice"),
    ({"columns": [{"field": "name"}]}, "each with a header and a field"),
    ({"columns": "[not json"}, "Enter a valid JSON"),
])
def test_a_broken_template_is_refused_with_a_clear_error(admin_client, changes, message):
    template = ReportTemplate.objects.get(slug=ELDERLY)
    before = template.population
    response = change(admin_client, template, **changes)
    assert response.status_code == 200
    assert message in response.content.decode()
    template.refresh_from_db()
    assert template.population == before


def test_a_field_the_registry_does_not_hold_is_kept_with_a_warning(admin_client):
    template = ReportTemplate.objects.get(slug=ELDERLY)
    columns = [*template.columns, {"header": "低保证号", "field": "subsidy_number"}]
    response = change(admin_client, template, columns=columns)
    assert response.status_code == 302
    page = admin_client.get(response.url, headers={"Accept-Language": "en"}).content.decode()
    assert "低保证号" in page
    assert "does not hold" in page
    template.refresh_from_db()
    assert template.columns[-1]["header"] == "低保证号"
    assert template.history.latest().history_change_reason == "按民政局新表调整"


def test_only_roles_that_edit_templates_may_change_them(client, world):
    template = ReportTemplate.objects.get(slug=ELDERLY)
    client.force_login(make_user(Role.COMMUNITY_STAFF, COMMUNITY_1))
    url = f"/admin/reports/reporttemplate/{template.pk}/change/"
    assert client.get(url).status_code == 200  # may read it
    response = change(client, template, name="改名")
    assert response.status_code == 403
    template.refresh_from_db()
    assert template.name == "独居老人花名册"


def test_the_shipped_templates_pass_their_own_checks(db):
    for template in ReportTemplate.objects.all():
        report_template_validate(template)
    with pytest.raises(ValidationError):
        report_template_validate(ReportTemplate(slug="x", name="x", columns=[], population=[]))
