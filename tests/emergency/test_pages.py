"""The emergency pages: declaring on the page, the roll-call (full page and the htmx
partial), the one-tap answer by signed link, the to-do list's tasks, changing the level and
ending on the record page, a plan's draft and its approval; and the API's path through the
same steps."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from tests.factories import GRID_A, GRID_B
from wangge.emergency.links import answer_token
from wangge.emergency.models import Answer, Callout, Emergency, TaskState, VersionState
from wangge.emergency.services import MAX_ROWS, plan_version_save


def _declared(world, page_as):
    page = page_as(world.author)
    form = page.get(f"/emergency/declare/?plan={world.plan.pk}").content.decode()
    assert GRID_A in form
    response = page.post("/emergency/declare/", {
        "plan": world.plan.pk, "level": "III", "grids": [GRID_A, GRID_B], "reason": "暴雨"})
    emergency = Emergency.objects.get()
    assert response.url == f"/emergency/{emergency.pk}/roll-call/"
    return page, emergency


def test_declare_on_the_page_and_follow_the_roll_call(world, page_as):
    refused = page_as(world.author).post("/emergency/declare/", {
        "plan": world.plan.pk, "level": "I", "grids": [GRID_A], "reason": "暴雨"})
    assert "says nothing for this level" in refused.content.decode()
    page, emergency = _declared(world, page_as)
    shown = page.get(f"/emergency/{emergency.pk}/roll-call/").content.decode()
    assert 'hx-trigger="every 5s"' in shown
    assert 'id="count-waiting">2<' in shown
    callout = Callout.objects.get(user=world.leader)
    link = f"/emergency/answer/{answer_token(callout.pk)}/"
    phone = Client(headers={"Accept-Language": "en"})  # not signed in
    assert "I am available" in phone.get(link).content.decode()
    callout.refresh_from_db()
    assert callout.answer == Answer.WAITING  # a GET (a link preview) answers nothing
    assert "Your answer: Available" in phone.post(link, {"answer": "available"}).content.decode()
    partial = page.get(f"/emergency/{emergency.pk}/roll-call/", headers={"HX-Request": "true"})
    body = partial.content.decode()
    assert "<html" not in body
    assert 'id="count-available">1<' in body
    assert phone.get("/emergency/answer/forged/").status_code == 404
    assert phone.post(link, {"answer": "maybe"}).status_code == 400


def test_reading_the_roll_call_writes_nothing_and_a_commander_calls_late_deputies(
        world, page_as):
    page, emergency = _declared(world, page_as)
    Callout.objects.update(called_at=emergency.declared_at.replace(year=2020))
    calls = Callout.objects.count()
    body = page.get(f"/emergency/{emergency.pk}/roll-call/").content.decode()
    assert Callout.objects.count() == calls  # a look (or a poll) calls nobody
    assert 'id="call-deputies"' in body
    assert 'data-user="spare"' not in body
    worker = page_as(world.worker)
    seen = worker.get(f"/emergency/{emergency.pk}/roll-call/").content.decode()
    assert "call-deputies" not in seen
    assert worker.post(f"/emergency/{emergency.pk}/roll-call/deputies/").status_code == 403
    done = page.post(f"/emergency/{emergency.pk}/roll-call/deputies/")
    assert done.url == f"/emergency/{emergency.pk}/roll-call/"
    body = page.get(f"/emergency/{emergency.pk}/roll-call/").content.decode()
    assert 'data-user="spare"' in body
    assert "deputy for rescuer" in body
    assert Callout.objects.get(user=world.spare).history.get().history_user == world.author


def test_tasks_are_in_their_owners_to_do_list_and_marked_done_there(world, page_as):
    _declared(world, page_as)
    worker = page_as(world.worker)
    home = worker.get("/").content.decode()
    assert "转移低洼地带居民" in home
    task = world.worker.emergency_tasks.get()
    assert worker.post(f"/emergency/tasks/{task.pk}/done/", {"reason": "完成"}).url == "/"
    task.refresh_from_db()
    assert task.state == TaskState.DONE


def test_level_and_end_on_the_record_page_and_out_of_scope_is_404(world, page_as):
    page, emergency = _declared(world, page_as)
    page.post(f"/emergency/{emergency.pk}/level/", {"level": "II", "reason": "水位上涨"})
    emergency.refresh_from_db()
    assert emergency.level == "II"
    page.post(f"/emergency/{emergency.pk}/end/", {"reason": "解除"})
    record = page.get(f"/emergency/{emergency.pk}/").content.decode()
    assert "Level raised" in record
    assert "Ended" in record
    assert page_as(world.outsider).get(f"/emergency/{emergency.pk}/").status_code == 404


def _as_posted(response, **changes) -> dict:
    """What a browser sends back from the draft editor as shown (``changes`` applied)."""
    editor = response.context["editor"]
    data: dict = {"reason": "改"}
    for part in editor.parts:
        for formset in (part.actions, part.resources):
            management = formset.management_form
            for name in management.fields:
                data[management.add_prefix(name)] = management[name].value()
            for form in formset:
                for name in form.fields:
                    value = form[name].value()
                    if name == "per_day":
                        if value:
                            data[form.add_prefix(name)] = "on"
                    else:
                        data[form.add_prefix(name)] = "" if value is None else value
        data[part.teams.add_prefix("teams")] = part.teams["teams"].value()
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def test_the_draft_editor_shows_the_latest_version_by_name_with_blank_rows(world, page_as):
    shown = page_as(world.author).get(f"/emergency/plans/{world.plan.pk}/draft/")
    body = shown.content.decode()
    # Levels II and III are in the plan (open), I and IV are not; each in its colour.
    assert '<details class="level-part edge-yellow" id="level-III" open>' in body
    assert '<details class="level-part edge-orange" id="level-II" open>' in body
    assert '<details class="level-part edge-red" id="level-I">' in body
    assert '<details class="level-part edge-blue" id="level-IV">' in body
    # Two rows of the version and two blank ones; the owner by name, selected.
    assert 'name="III-actions-TOTAL_FORMS" value="4"' in body
    assert 'name="IV-actions-TOTAL_FORMS" value="2"' in body
    assert f'<option value="{world.worker.pk}" selected>worker-a</option>' in body
    assert 'value="转移低洼地带居民"' in body
    # Teams by name, the street's medical team too (it serves the community's plan).
    assert "社区指挥组" in body
    assert "医疗队" in body
    assert '<option value="shelter_places" selected>Shelter places</option>' in body
    assert "{&quot;" not in body
    assert "Levels (JSON)" not in body


def test_the_draft_saved_from_rows_and_reopened_with_two_more(world, page_as):
    author = page_as(world.author)
    url = f"/emergency/plans/{world.plan.pk}/draft/"
    shown = author.get(url)
    # Unchanged rows give the version in force again.
    assert author.post(url, _as_posted(shown)).url == f"/emergency/plans/{world.plan.pk}/"
    draft = world.plan.versions.get(state=VersionState.DRAFT)
    assert draft.levels == world.version.levels
    # A third action in a blank row of level III, and level IV from its blank rows.
    shown = author.get(url)
    author.post(url, _as_posted(
        shown, **{"III-actions-2-title": "清点物资", "III-actions-2-owner": world.approver.pk,
                  "III-actions-2-hours": "1.5",
                  "IV-actions-0-title": "巡查", "IV-actions-0-owner": world.worker.pk,
                  "IV-actions-0-hours": "24", "IV-teams-teams": [world.rescue.pk],
                  "IV-resources-0-category": "water", "IV-resources-0-per_person": "2",
                  "IV-resources-0-unit": "L", "IV-resources-0-per_day": "on",
                  "IV-resources-0-days": "2"}))
    draft.refresh_from_db()
    assert draft.levels["III"]["actions"][2] == {"title": "清点物资", "owner": world.approver.pk,
                                                 "hours": 1.5}
    assert draft.levels["IV"] == {
        "actions": [{"title": "巡查", "owner": world.worker.pk, "hours": 24.0}],
        "teams": [world.rescue.pk],
        "resources": [{"category": "water", "per_person": 2.0, "unit": "L", "per_day": True,
                       "days": 2}]}
    assert draft.history.first().history_change_reason.endswith("改")
    reopened = author.get(url).content.decode()
    assert 'name="III-actions-TOTAL_FORMS" value="5"' in reopened
    assert '<details class="level-part edge-blue" id="level-IV" open>' in reopened


def test_a_partly_filled_row_gets_the_services_error_naming_level_and_row(world, page_as):
    author = page_as(world.author)
    url = f"/emergency/plans/{world.plan.pk}/draft/"
    answer = author.post(url, _as_posted(author.get(url), **{
        "III-actions-2-title": "清点物资", "II-resources-1-unit": "L"}))
    body = answer.content.decode()
    assert answer.status_code == 200
    assert ("Level III, action 3: the owner must be an active account that answers for "
            "this plan&#x27;s area.") in body
    assert "Level III, action 3: the deadline is a number of hours" in body
    assert "Level II, resource 2: the category must be one of" in body
    assert 'role="alert"' in body
    assert not world.plan.versions.filter(state=VersionState.DRAFT).exists()
    # Everything emptied: no level left.
    emptied = {key: "" for key in _as_posted(author.get(url))
               if key.endswith(("title", "owner", "hours", "category", "per_person", "unit",
                                "days"))}
    emptied.update({f"{level}-teams-teams": None for level in ("I", "II", "III", "IV")})
    emptied.update({f"{level}-resources-{row}-per_day": None
                    for level in ("I", "II", "III", "IV") for row in range(4)})
    body = author.post(url, _as_posted(author.get(url), **emptied)).content.decode()
    assert "Describe at least one level." in body


def test_a_forged_row_count_builds_no_more_forms_than_the_bound(world, page_as):
    author = page_as(world.author)
    url = f"/emergency/plans/{world.plan.pk}/draft/"
    answer = author.post(url, _as_posted(author.get(url), **{
        "III-actions-TOTAL_FORMS": str(10 ** 9), "I-resources-TOTAL_FORMS": "abc"}))
    assert answer.status_code == 200
    editor = answer.context["editor"]
    assert max(len(part.actions.forms) for part in editor.parts) <= MAX_ROWS
    body = answer.content.decode()
    assert f"Please submit at most {MAX_ROWS} forms." in body
    assert "ManagementForm data is missing or has been tampered with" in body
    assert not world.plan.versions.filter(state=VersionState.DRAFT).exists()


def test_an_owner_outside_the_plans_area_is_refused(world, page_as):
    # The street officer reaches community 2's staff, but they do not answer for this plan.
    street = page_as(world.street)
    url = f"/emergency/plans/{world.plan.pk}/draft/"
    shown = street.get(url)
    assert f'value="{world.outsider.pk}"' not in shown.content.decode()
    answer = street.post(url, _as_posted(shown, **{"III-actions-0-owner": world.outsider.pk}))
    assert "Select a valid choice" in answer.content.decode()
    assert not world.plan.versions.filter(state=VersionState.DRAFT).exists()
    # The rule is the service's too, whatever the page offers.
    levels = world.levels()
    levels["III"]["actions"][0]["owner"] = world.outsider.pk
    with pytest.raises(ValidationError, match="Level III, action 1: the owner"):
        plan_version_save(plan=world.plan, levels=levels, by=world.street, reason="改")


def test_a_draft_is_approved_by_someone_else_on_the_pages(world, page_as):
    author = page_as(world.author)
    url = f"/emergency/plans/{world.plan.pk}/draft/"
    author.post(url, _as_posted(author.get(url)))
    draft = world.plan.versions.get(state=VersionState.DRAFT)
    author.post(f"/emergency/versions/{draft.pk}/approve/", {"reason": "自批"})
    draft.refresh_from_db()
    assert draft.state == VersionState.DRAFT
    page_as(world.approver).post(f"/emergency/versions/{draft.pk}/approve/", {"reason": "可"})
    draft.refresh_from_db()
    assert draft.state == VersionState.IN_FORCE


def test_the_api_declares_and_shows_the_roll_call(world, client):
    client.force_login(world.author)
    answer = client.post("/api/v1/emergency/emergencies", json.dumps({
        "plan_id": world.plan.pk, "level": "III", "grids": [GRID_A], "reason": "暴雨"}),
        content_type="application/json")
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert (body["colour"], body["affected_population"]) == ("yellow", 3)
    assert {task["title"] for task in body["tasks"]} == {"转移低洼地带居民", "开放避难场所"}
    call = client.get(f"/api/v1/emergency/emergencies/{body['id']}/roll-call").json()
    assert call["waiting"] == 2
    assert {row["username"] for row in call["callouts"]} == {"leader", "rescuer"}
    refused = client.post("/api/v1/emergency/emergencies", json.dumps({
        "plan_id": world.plan.pk, "level": "III", "grids": [GRID_A], "reason": "再次"}),
        content_type="application/json")
    assert refused.status_code == 422
