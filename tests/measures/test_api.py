"""The measures' API: propose (refused naming each missing field), approve a level above,
lift; the list masked by role with its reads logged; appeals answered."""

import datetime

import pytest
from django.utils import timezone

from tests.api.helpers import ApiClient
from tests.factories import SYSTEM
from wangge.auditlog.models import Entry
from wangge.measures.services import appeal_file, measure_approve


@pytest.fixture
def api(client):
    def login(user) -> ApiClient:
        client.force_login(user)
        return ApiClient(client, {"Accept-Language": "en"})

    return login


def _body(world, **overrides):
    today = timezone.localdate()
    body = {"kind": "home_monitoring", "person_id": world.person.pk,
            "cause": "与确诊病例同乘K123次列车", "legal_basis_id": world.basis.pk,
            "authority_id": world.street_office.pk, "starts_on": today.isoformat(),
            "ends_on": (today + datetime.timedelta(days=13)).isoformat(),
            "responsible_id": world.worker.pk, "notified_at": timezone.now().isoformat(),
            "food": "代购", "medicine": "送药", "dependants_care": "无",
            "appeal_channel": "电话", "submit": True}
    body.update(overrides)
    return body


def test_propose_approve_and_lift(world, api):
    community = api(world.community)
    refused = community.post("/measures", _body(world, food="", appeal_channel=""))
    assert refused.status_code == 422
    assert set(refused.json()["errors"]) == {"food", "appeal_channel"}
    created = community.post("/measures", _body(world))
    assert created.status_code == 201
    measure = created.json()
    assert measure["state"] == "pending"
    assert [step["kind"] for step in measure["steps"]] == ["proposed", "submitted"]
    own = community.post(f"/measures/{measure['id']}/approve", {"reason": "同意"})
    assert own.status_code == 403  # community staff do not approve
    district = api(world.district)
    approved = district.post(f"/measures/{measure['id']}/approve", {"reason": "同意"})
    assert approved.status_code == 200
    assert approved.json()["state"] == "active"
    lifted = community.post(f"/measures/{measure['id']}/lift", {"reason": "解除"})
    assert lifted.json()["state"] == "lifted"


def test_the_list_is_masked_by_role_and_reads_logged(world, api):
    world.pending()
    worker = api(world.worker)
    before = Entry.objects.count()
    listed = worker.get("/measures").json()
    assert listed["items"][0]["cause"] == "与确诊病例同乘K123次列车"
    assert Entry.objects.count() == before + 1
    auditor = api(world.auditor)
    masked = auditor.get("/measures").json()["items"][0]
    assert masked["cause"] == "***"
    assert "*" in masked["id_number"]
    assert api(world.volunteer).get("/measures").status_code == 403


def test_appeals_are_answered_through_the_api(world, api):
    measure = world.pending()
    measure_approve(measure=measure, by=world.district, reason="同意")
    appeal = appeal_file(measure=measure, text="申诉", by=SYSTEM)
    street = api(world.street)
    assert street.get("/measure-appeals").json()["count"] == 1
    assert street.get("/measure-appeals?overdue=true").json()["count"] == 0
    answered = street.post(f"/measure-appeals/{appeal.pk}/answer",
                           {"upheld": True, "answer": "同意解除"})
    assert answered.status_code == 200
    assert answered.json()["state"] == "upheld"
    measure.refresh_from_db()
    assert measure.state == "lifted"


def test_legal_bases(world, api):
    bases = api(world.community).get("/legal-bases?kind=building_control").json()
    assert all("building_control" in basis["kinds"] for basis in bases)
    assert {basis["article"] for basis in bases} >= {"第四十一条"}


def test_strangers_inputs_are_refused_not_errors(world, api):
    community = api(world.community)
    naive = community.post("/measures", _body(world, notified_at="2026-01-01T08:00:00"))
    assert naive.status_code == 201
    someone = community.post("/measures", _body(world, responsible_id=world.volunteer.pk))
    assert someone.status_code == 422
    assert set(someone.json()["errors"]) == {"responsible"}
    assert "volunteer" not in someone.content.decode()
    far = community.post("/measures", _body(world, starts_on="0001-01-01",
                                            ends_on="9999-12-31"))
    assert far.status_code == 422
    assert set(far.json()["errors"]) == {"ends_on"}
    unknown = community.post("/measures", _body(world, authority_id=2**63 - 1))
    assert unknown.status_code == 422
    assert community.post("/measures", _body(world, person_id=2**63)).status_code == 422
