"""The rules pages (write a version, its errors on the form, its preview, putting it in force)
and a subject's page, role by role and in and out of scope."""

import json

import pytest

from tests.factories import STREET_1, make_user
from tests.risk.conftest import record_case
from wangge.foundation.permissions import ROLE_ACTIONS, Action, Role
from wangge.risk.models import GradeChange, RuleSet
from wangge.risk.rules import DEFAULT_RULES

HIGHER = [*DEFAULT_RULES[:7],
          {"subject": "grid", "if": "buildings", "graded": "high", "grade": "high"},
          *DEFAULT_RULES[9:]]


@pytest.mark.parametrize("role", Role.values)
def test_the_pages_by_role(role, world, client):
    record_case(world.people["tower"][0])
    record_case(world.people["far"][0])
    client.force_login(make_user(role, STREET_1))
    actions = ROLE_ACTIONS[role]
    views = Action.VIEW_RISK in actions
    edits = Action.EDIT_RISK_RULES in actions
    assert client.get("/risk/rules/").status_code == (200 if views else 403)
    rule_set = RuleSet.objects.get()
    assert client.get(f"/risk/rules/{rule_set.pk}/").status_code == (200 if views else 403)
    posted = client.post("/risk/rules/", {"rules": json.dumps(HIGHER), "note": "higher"})
    assert posted.status_code == (302 if edits else 403)
    assert client.post(f"/risk/rules/{rule_set.pk}/put-in-force/").status_code == (
        302 if edits else 403)
    for building, in_scope in ((world.tower, True), (world.far, False)):
        page = client.get(f"/risk/grades/building/{building.pk}/")
        assert page.status_code == (403 if not views else 200 if in_scope else 404)
    person = client.get(f"/risk/grades/person/{world.people['tower'][0].pk}/")
    sees_health = role in {Role.GRID_WORKER, Role.COMMUNITY_STAFF, Role.DISTRICT_ADMIN}
    assert person.status_code == (403 if not views else 200 if sees_health else 404)


def test_write_preview_and_put_in_force(world, client):
    record_case(world.people["tower"][0])
    client.force_login(world.district)
    page = client.get("/risk/rules/")
    assert "within_days" in page.content.decode()  # the form starts from the version in force
    broken = client.post("/risk/rules/", {"rules": '[{"subject": "grid", "if": "cases"}]'})
    assert broken.status_code == 200
    assert "Rule 1, “statuses”: is required." in broken.content.decode()
    not_json = client.post("/risk/rules/", {"rules": "[{"})
    assert "This is not valid JSON" in not_json.content.decode()
    assert RuleSet.objects.count() == 1
    saved = client.post("/risk/rules/", {"rules": json.dumps(HIGHER), "note": "higher"})
    draft = RuleSet.objects.get(version=2)
    assert saved["Location"] == f"/risk/rules/{draft.pk}/"
    preview = client.get(saved["Location"]).content.decode()
    assert "1 subject would change grade" in preview
    assert "Medium risk → High risk" in preview
    assert "1 building graded high risk or higher: 1栋." in preview
    done = client.post(f"/risk/rules/{draft.pk}/put-in-force/", follow=True)
    assert "Version 2 is in force" in done.content.decode()
    draft.refresh_from_db()
    assert (draft.status, draft.put_in_force_by) == ("in_force", world.district)
    change = GradeChange.objects.filter(kind="grid").first()
    assert (change.before, change.after, change.rule_set) == (1, 2, draft)
    refused = client.post(f"/risk/rules/{draft.pk}/put-in-force/", follow=True)
    assert "Only a draft can be put in force." in refused.content.decode()


def test_a_subject_page_says_why_and_keeps_history(world, client):
    record_case(world.people["tower"][0])
    client.force_login(world.worker)
    page = client.get(f"/risk/grades/building/{world.tower.pk}/").content.decode()
    assert "This building is high risk" in page
    assert "1 resident with a confirmed or asymptomatic infection case within 14 days." in page
    assert "Low risk → High risk" in page
    for path in ("/risk/grades/street/1/", "/risk/grades/building/abc/",
                 f"/risk/grades/building/{world.annex.pk}/", "/risk/grades/grid/9" * 3):
        assert client.get(path).status_code == 404


def test_the_preview_counts_persons_it_does_not_list(world, client, settings):
    from wangge.foundation.permissions import ROLE_ACTIONS, Action, Role
    record_case(world.people["tower"][0], status="suspected")
    settings.DEBUG = False
    street = make_user(Role.STREET_OFFICER, STREET_1)
    # A street officer who may edit the rules still sees health status masked.
    ROLE_ACTIONS[Role.STREET_OFFICER].add(Action.EDIT_RISK_RULES)
    try:
        client.force_login(street)
        client.post("/risk/rules/", {"rules": json.dumps(HIGHER_PERSONS)})
        page = client.get(f"/risk/rules/{RuleSet.objects.get(version=2).pk}/")
    finally:
        ROLE_ACTIONS[Role.STREET_OFFICER].discard(Action.EDIT_RISK_RULES)
    text = page.content.decode()
    assert "1 person's grade would change (not listed for your role)." in text
    assert world.people["tower"][0].name not in text


HIGHER_PERSONS = [{**DEFAULT_RULES[1], "grade": "high"}, *DEFAULT_RULES[2:]]
