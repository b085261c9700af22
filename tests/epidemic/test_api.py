"""The API: cases masked by role with unmasked reads logged, recorded and moved on with 422s
for broken rules, 404 outside the jurisdiction, tests, contacts, tracing, the chain both ways,
venues and visits in bounded bulk."""

import datetime

import pytest
from django.utils import timezone

from tests.epidemic.conftest import at, confirmed, days_ago
from wangge.access.services import token_create
from wangge.auditlog.models import Entry as LogEntry
from wangge.epidemic.models import Case, Exposure, VenueVisit
from wangge.epidemic.services import MAX_VISITS


@pytest.fixture
def api(client):
    def as_user(user):
        secret = token_create(user=user, name="t")
        headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}

        class Api:
            def get(self, path, **params):
                return client.get(f"/api/v1{path}", params, **headers)

            def send(self, method, path, body=None):
                return getattr(client, method)(f"/api/v1{path}", body,
                                               content_type="application/json", **headers)

        return Api()

    return as_user


def test_cases_are_masked_by_role_and_unmasked_reads_logged(world_town, api):
    town = world_town.town
    case = confirmed(world_town)
    [item] = api(town.worker).get("/cases").json()["items"]
    assert (item["status"], item["onset_on"], item["name"]) == (
        "confirmed", days_ago(3).isoformat(), "张伟")
    entry = LogEntry.objects.get(target="cases")
    assert entry.user_id == town.worker.pk
    assert "health_status" in entry.fields
    street = api(town.street)
    [item] = street.get("/cases").json()["items"]
    assert (item["status"], item["onset_on"], item["confirmed_on"]) == ("***",) * 3
    assert item["reported_on"] == days_ago(1).isoformat()
    assert street.get("/cases", status="confirmed").status_code == 422
    assert street.get(f"/cases/{case.pk}").json()["status"] == "***"
    assert not LogEntry.objects.filter(user_id=town.street.pk, target__startswith="case").exists()
    assert api(town.worker).get("/cases", status="suspected").json()["count"] == 0
    assert api(town.outsider).get(f"/cases/{case.pk}").status_code == 404
    assert api(town.outsider).get("/cases").json()["count"] == 0
    assert api(town.volunteer).get("/cases").status_code == 403


def test_a_case_is_recorded_and_moved_on(world_town, api):
    town = world_town.town
    worker = api(town.worker)
    body = {"person_id": town.head.pk, "status": "confirmed", "source": "hospital",
            "reported_on": days_ago(1).isoformat()}
    refused = worker.send("post", "/cases", body)
    assert refused.status_code == 422
    assert "confirmed_on" in refused.json()["errors"]
    assert worker.send("post", "/cases", {**body, "status": "maybe"}).status_code == 422
    assert worker.send("post", "/cases", {**body, "person_id": town.in_c.pk}).status_code == 422
    assert worker.send("post", "/cases", {**body, "person_id": 2**70}).status_code == 422
    created = worker.send("post", "/cases", {**body, "confirmed_on": days_ago(1).isoformat()})
    assert created.status_code == 201
    case_id = created.json()["id"]
    moved = worker.send("patch", f"/cases/{case_id}", {"status": "suspected",
                                                       "reason": "改"})
    assert moved.status_code == 422
    assert worker.send("patch", f"/cases/{case_id}", {"status": "recovered"}).status_code == 422
    moved = worker.send("patch", f"/cases/{case_id}", {"status": "recovered",
                                                       "ended_on": days_ago(0).isoformat(),
                                                       "reason": "出院"})
    assert moved.status_code == 200
    assert moved.json()["status"] == "recovered"
    assert api(town.outsider).send("patch", f"/cases/{case_id}", {
        "source_detail": "x", "reason": "x"}).status_code == 404
    assert api(town.street).send("patch", f"/cases/{case_id}", {
        "source_detail": "x", "reason": "x"}).status_code == 403


def test_tests_contacts_tracing_and_the_chain(world_town, api):
    town, venue = world_town.town, world_town.venue
    case = confirmed(world_town)
    worker = api(town.worker)
    added = worker.send("post", f"/cases/{case.pk}/tests", {
        "kind": "pcr", "taken_on": days_ago(1).isoformat(), "positive": True})
    assert added.status_code == 201
    assert worker.send("post", f"/cases/{case.pk}/tests", {
        "kind": "pcr", "taken_on": "tomorrow", "positive": True}).status_code == 422
    assert worker.get(f"/cases/{case.pk}/tests").json()[0]["positive"] is True
    assert api(town.street).get(f"/cases/{case.pk}/tests").json()[0]["positive"] == "***"
    district = api(town.district)
    visits = district.send("post", f"/venues/{venue.pk}/visits", {"visits": [
        {"person_id": town.head.pk, "arrived": at(2, 10).isoformat(),
         "left": at(2, 11).isoformat()},
        {"person_id": town.in_b.pk, "arrived": at(2, 10, 30).isoformat(),
         "left": at(2, 12).isoformat()}]})
    assert visits.status_code == 201
    assert visits.json() == {"saved": 2}
    traced = worker.send("post", f"/cases/{case.pk}/trace")
    assert traced.status_code == 200
    assert traced.json()["close"] == 4
    assert traced.json()["secondary"] == 1
    listed = worker.send("post", f"/cases/{case.pk}/exposures", {
        "person_id": world_town.other_unit.pk, "last_contact_on": days_ago(2).isoformat()})
    assert listed.status_code == 201
    assert listed.json()["kind"] == "listed"
    exposures = worker.get(f"/cases/{case.pk}/exposures").json()
    assert exposures["count"] == 4  # the contacts filed in grid A; two are in grid B
    assert district.get(f"/cases/{case.pk}/exposures").json()["count"] == 6
    onward = Case.objects.create(person=town.in_b, grid_code=town.in_b.grid_code,
                                 status="suspected", source="tracing",
                                 reported_on=days_ago(0), source_case=case)
    chain = worker.get(f"/cases/{case.pk}/chain").json()
    assert chain["case"]["hidden_onward"] == 1
    assert chain["case"]["onward"] == []
    assert chain["case"]["hidden_contacts"] == 2
    chain = district.get(f"/cases/{case.pk}/chain").json()
    assert [node["case_id"] for node in chain["case"]["onward"]] == [onward.pk]
    [venue_contact] = [c for c in chain["case"]["contacts"] if c["kind"] == "venue"]
    assert [s["name"] for s in venue_contact["secondary"]] == ["吴十"]
    upward = district.get(f"/cases/{onward.pk}/chain").json()
    assert [source["case_id"] for source in upward["upward"]] == [case.pk]
    assert [e["case_id"] for e in upward["exposed_to"]] == [case.pk]
    assert api(town.outsider).get(f"/cases/{case.pk}/chain").status_code == 404
    assert Exposure.objects.count() == 6


def test_venues_and_visits_in_bounded_bulk(world_town, api):
    town, venue = world_town.town, world_town.venue
    worker = api(town.worker)
    assert worker.get("/venues").json()["items"][0]["code"] == venue.code
    assert worker.send("post", "/venues", {"facility_id": venue.facility_id}).status_code == 422
    assert worker.send("post", "/venues", {}).status_code == 422
    left = timezone.now() - datetime.timedelta(hours=1)
    one = {"person_id": town.head.pk, "arrived": (left - datetime.timedelta(hours=1))
           .isoformat(), "left": left.isoformat()}
    too_many = worker.send("post", f"/venues/{venue.pk}/visits",
                           {"visits": [one] * (MAX_VISITS + 1)})
    assert too_many.status_code == 422
    wrong = worker.send("post", f"/venues/{venue.pk}/visits", {"visits": [
        one, {**one, "person_id": town.in_c.pk}, {**one, "left": one["arrived"],
                                                  "arrived": one["left"]}]})
    assert wrong.status_code == 422
    assert set(wrong.json()["errors"]) == {"visits.1.person_id"}
    wrong = worker.send("post", f"/venues/{venue.pk}/visits", {"visits": [
        one, {**one, "left": one["arrived"], "arrived": one["left"]}]})
    assert set(wrong.json()["errors"]) == {"visits.1.left"}
    assert not VenueVisit.objects.exists()
    assert worker.send("post", f"/venues/{venue.pk}/visits",
                       {"visits": [one] * 3}).json() == {"saved": 3}
    assert worker.get(f"/venues/{venue.pk}/visits").json()["count"] == 3
    assert api(town.outsider).get(f"/venues/{venue.pk}/visits").status_code == 404
