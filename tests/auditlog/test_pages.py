"""Reads on the pages, recorded: the full ID only after a purpose, searches, lists, exports;
and the auditor's page that finds them and flags unusual volumes."""

import datetime

import pytest
from django.db import OperationalError
from django.urls import reverse
from django.utils import timezone

from tests.factories import (
    COMMUNITY_1,
    GRID_A,
    STREET_1,
    SYSTEM,
    make_dwelling,
    make_person,
    make_user,
    resident_id,
)
from wangge.auditlog import chain
from wangge.auditlog.models import Entry, Kind
from wangge.auditlog.services import term_digest
from wangge.foundation.permissions import Role
from wangge.reports.services import report_templates_install

ID = resident_id(datetime.date(1962, 7, 1))


@pytest.fixture
def resident(world):
    return make_person(GRID_A, name="甲居民", id_number=ID, phone="13812345678")


@pytest.fixture
def worker(world):
    return make_user(Role.GRID_WORKER, GRID_A, username="worker-a")


def reads(kind=None):
    entries = Entry.objects.exclude(kind__in=[Kind.LOGIN, Kind.ACCOUNT_CHANGE])
    return list(entries.filter(kind=kind) if kind else entries)


def test_the_full_id_is_shown_only_after_a_purpose_and_the_reveal_is_logged(
        page_as, resident, worker):
    client = page_as(worker)
    page = client.get(f"/people/{resident.pk}/").content.decode()
    assert ID not in page
    assert ID[:4] + "*" * 10 + ID[-4:] in page
    reveal = reverse("web:person_reveal", args=[resident.pk])
    assert f'hx-get="{reveal}"' in page
    assert "<script>" not in page  # the control is htmx, no inline script
    [viewed] = reads(Kind.VIEW)  # the phone and health the worker saw, without the ID
    assert viewed.fields == "health_status,phone,vulnerable_tags"
    assert viewed.record_ids == [resident.pk]

    without_htmx = client.get(reveal).content.decode()
    assert "Show the full ID number" in without_htmx
    assert ID not in without_htmx
    outside = make_person("420102001001002", name="乙")
    assert client.get(reverse("web:person_reveal", args=[outside.pk])).status_code == 404
    form = client.get(reveal, headers={"HX-Request": "true"}).content.decode()
    assert "Purpose" in form
    assert ID not in form
    refused = client.post(reveal, {"purpose": ""})
    assert refused.status_code == 400
    assert ID not in refused.content.decode()
    typed_nothing = client.post(reveal, {"purpose": "other", "purpose_words": " "})
    assert "Say what the purpose is." in typed_nothing.content.decode()
    assert not reads(Kind.REVEAL)

    shown = client.post(reveal, {"purpose": "other", "purpose_words": "核实低保申请"},
                        headers={"HX-Request": "true"}, REMOTE_ADDR="10.1.2.3")
    assert shown.status_code == 200
    fragment = shown.content.decode()
    assert ID in fragment
    assert 'id="birth-date" hx-swap-oob="true">1962-07-01<' in fragment
    [entry] = reads(Kind.REVEAL)
    assert (entry.username, entry.record_ids, entry.count) == ("worker-a", [resident.pk], 1)
    assert entry.fields == "birth_date,health_status,id_number,phone,vulnerable_tags"
    assert entry.purpose == "Other: 核实低保申请"
    assert entry.client_address == "10.1.2.3"
    assert ID not in str(entry.__dict__)


def test_no_reveal_without_its_entry(page_as, resident, worker, monkeypatch):
    def locked(values):
        raise OperationalError("database is locked")

    monkeypatch.setattr(chain, "append", locked)
    response = page_as(worker).post(reverse("web:person_reveal", args=[resident.pk]),
                                    {"purpose": "identity"})
    assert response.status_code == 503
    assert ID not in response.content.decode()
    assert "could not record" in response.content.decode()


def test_an_ordinary_read_survives_a_busy_log_and_its_entry_is_kept(
        page_as, resident, worker, monkeypatch):
    with monkeypatch.context() as patched:
        patched.setattr(chain, "append", lambda values: (_ for _ in ()).throw(
            OperationalError("database is locked")))
        assert page_as(worker).get(f"/people/{resident.pk}/").status_code == 200
    assert not reads(Kind.VIEW)
    assert chain.flush() == 2  # the sign-in and the read
    assert reads(Kind.VIEW)[0].record_ids == [resident.pk]


def test_a_role_that_sees_the_id_masked_cannot_reveal_it_and_leaves_no_trace(page_as,
                                                                              resident):
    volunteer = make_user(Role.VOLUNTEER, GRID_A)
    client = page_as(volunteer)
    page = client.get(f"/people/{resident.pk}/").content.decode()
    assert "/reveal/" not in page
    assert client.post(reverse("web:person_reveal", args=[resident.pk]),
                       {"purpose": "identity"}).status_code == 403
    assert not reads()  # a masked read writes nothing


def test_the_edit_form_holds_the_full_id_so_opening_it_is_a_logged_reveal(page_as, resident,
                                                                           worker):
    page = page_as(worker).get(reverse("web:person_edit", args=[resident.pk]))
    assert ID in page.content.decode()
    [entry] = reads(Kind.REVEAL)
    assert entry.purpose.startswith("Correcting")


def test_a_search_by_full_id_is_logged_by_its_digest(page_as, resident, worker):
    client = page_as(worker)
    results = client.get(reverse("web:person_search"), {"q": ID},
                         headers={"HX-Request": "true"}).content.decode()
    assert "甲居民" in results
    assert ID not in results  # found, but shown masked like everywhere on the pages
    [entry] = reads(Kind.SEARCH)
    assert entry.term_digest == term_digest(ID)
    assert (entry.count, entry.record_ids) == (1, [resident.pk])
    assert "id_number" in entry.fields
    assert ID not in str(entry.__dict__)
    client.get(reverse("web:person_search"), {"q": "甲"})  # by name: a list with phones
    assert reads(Kind.LIST)[0].count == 1
    assert len(reads(Kind.SEARCH)) == 1


def test_a_list_of_unmasked_phones_is_one_entry_with_its_count(page_as, worker, world):
    dwelling = make_dwelling(GRID_A, room="301")
    people = [make_person(GRID_A, dwelling=dwelling) for _ in range(3)]
    page_as(worker).get(reverse("web:dwelling", args=[dwelling.pk]))
    [entry] = reads(Kind.LIST)
    assert entry.count == 3
    assert sorted(entry.record_ids) == sorted(person.pk for person in people)


def test_an_export_needs_a_purpose_and_is_logged_with_its_count(page_as, world):
    report_templates_install()
    for _ in range(2):
        make_person(GRID_A, vulnerable_tags=["elderly_alone"],
                    id_number=resident_id(datetime.date(1940, 1, 1)))
    client = page_as(make_user(Role.COMMUNITY_STAFF, COMMUNITY_1, username="staff"))
    url = reverse("web:report_export", args=["civil-affairs-elderly-alone"])
    refused = client.get(url, {"scope": COMMUNITY_1, "format": "csv"})
    assert refused.status_code == 400
    assert not reads(Kind.EXPORT)
    response = client.get(url, {"scope": COMMUNITY_1, "format": "csv",
                                "purpose": "department"})
    assert response.status_code == 200
    [entry] = reads(Kind.EXPORT)
    assert entry.count == 2
    assert entry.target == f"report civil-affairs-elderly-alone {COMMUNITY_1} csv"
    assert entry.purpose.startswith("A department")


@pytest.fixture
def auditor(world):
    return make_user(Role.AUDITOR, STREET_1, username="auditor")


def test_the_auditor_finds_a_reveal_by_user_kind_purpose_and_date(page_as, resident, worker,
                                                                  auditor):
    page_as(worker).post(reverse("web:person_reveal", args=[resident.pk]),
                         {"purpose": "health"})
    client = page_as(auditor)
    today = timezone.localdate().isoformat()
    page = client.get(reverse("web:access_log"), {
        "username": "worker-a", "kind": "reveal", "purpose": "Health",
        "start": today, "end": today}).content.decode()
    assert "Full ID revealed" in page
    assert "Health monitoring" in page
    assert client.get(reverse("web:access_log"), {"username": "someone-else"}).context[
        "entries"].paginator.count == 0
    yesterday = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    assert client.get(reverse("web:access_log"), {"end": yesterday, "kind": "reveal"}).context[
        "entries"].paginator.count == 0
    assert ID not in page


def test_the_auditor_looks_up_who_searched_for_a_number(page_as, resident, worker, auditor):
    page_as(worker).get(reverse("web:person_search"), {"q": ID})
    found = page_as(auditor).get(reverse("web:access_log"), {"term": ID})
    assert [entry.username for entry in found.context["entries"]] == ["worker-a"]


def test_an_unusual_volume_is_flagged(page_as, worker, auditor, settings):
    settings.WANGGE_ACCESS_LOG_DAILY_LIMIT = 1000
    now = timezone.now()
    for days_ago, count in ((4, 20), (3, 25), (2, 18), (1, 22), (0, 400)):
        chain.append({"kind": Kind.LIST, "user_id": worker.pk, "username": "worker-a",
                      "count": count, "at": now - datetime.timedelta(days=days_ago)})
    response = page_as(auditor).get(reverse("web:access_log"))
    volumes = response.context["volumes"]
    assert [(volume.records, volume.flagged) for volume in volumes][:2] == [(400, True),
                                                                           (25, False)]
    assert volumes[0].usual == 21
    assert "unusual" in response.content.decode()

    settings.WANGGE_ACCESS_LOG_DAILY_LIMIT = 20  # above the threshold from the settings
    flagged = [volume.records for volume in page_as(auditor).get(
        reverse("web:access_log")).context["volumes"] if volume.flagged]
    assert sorted(flagged) == [22, 25, 400]


@pytest.mark.parametrize("role", [role for role in Role.values if role != Role.AUDITOR])
def test_only_the_auditor_opens_the_log(page_as, world, role):
    client = page_as(make_user(role, STREET_1))
    assert client.get(reverse("web:access_log")).status_code == 403
    assert reverse("web:access_log") not in client.get("/").content.decode()


def test_sign_ins_failures_and_sign_outs_are_in_the_chain(client, worker):
    # Through the sign-in page: django-axes needs the request a real sign-in carries.
    client.post(reverse("web:login"), {"username": "worker-a", "password": "wrong"})
    client.force_login(worker)
    client.post(reverse("web:logout"))
    kinds = list(Entry.objects.filter(username="worker-a").order_by("sequence")
                 .values_list("kind", flat=True))
    assert kinds[-3:] == [Kind.LOGIN_FAILED, Kind.LOGIN, Kind.LOGOUT]
    assert kinds[0] == Kind.ACCOUNT_CHANGE  # the account's creation
    assert chain.verify().intact


def test_opening_a_pair_of_possible_duplicates_is_a_logged_reveal(page_as, world):
    from tests.linkage.registry import background, doubtful_pair
    from wangge.linkage.models import MatchCandidate
    from wangge.linkage.services import candidates_find

    background(GRID_A, 200)
    first, second = doubtful_pair(GRID_A)
    candidates_find(scope=GRID_A, by=SYSTEM)
    candidate = MatchCandidate.objects.get(left=first, right=second)
    staff = make_user(Role.COMMUNITY_STAFF, COMMUNITY_1, username="staff")
    page = page_as(staff).get(reverse("linkage:pair", args=[candidate.pk]))
    assert first.id_number in page.content.decode()
    [entry] = reads(Kind.REVEAL)
    assert sorted(entry.record_ids) == sorted([first.pk, second.pk])
    assert entry.purpose.startswith("Correcting")


def test_the_auditor_pages_through_entries_keeping_the_filters(page_as, worker, auditor,
                                                               settings):
    settings.WANGGE_PAGE_SIZE = 2
    for number in range(5):
        chain.append({"kind": Kind.LIST, "user_id": worker.pk, "username": "worker-a",
                      "count": number})
    page = page_as(auditor).get(reverse("web:access_log"), {"kind": "list"}).content.decode()
    assert "?kind=list&amp;page=2" in page
