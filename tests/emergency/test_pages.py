"""The emergency pages: declaring on the page, the roll-call (full page and the htmx
partial), the one-tap answer by signed link, the to-do list's tasks, changing the level and
ending on the record page, a plan's draft and its approval; and the API's path through the
same steps."""

import json

from django.test import Client

from tests.factories import GRID_A, GRID_B
from wangge.emergency.links import answer_token
from wangge.emergency.models import Answer, Callout, Emergency, TaskState, VersionState


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


def test_a_draft_written_and_approved_by_someone_else_on_the_pages(world, page_as):
    author = page_as(world.author)
    levels = json.dumps(world.levels())
    assert "not valid JSON" in author.post(f"/emergency/plans/{world.plan.pk}/draft/", {
        "levels": "{", "reason": "改"}).content.decode()
    too_deep = "[" * 100_000 + "]" * 100_000  # json.loads gives up with a RecursionError
    assert "not valid JSON" in author.post(f"/emergency/plans/{world.plan.pk}/draft/", {
        "levels": too_deep, "reason": "改"}).content.decode()
    author.post(f"/emergency/plans/{world.plan.pk}/draft/", {"levels": levels, "reason": "改"})
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
