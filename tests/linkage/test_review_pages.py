"""The review pages with the Django test client: the queue, a pair side by side with the
evidence, accept / reject (htmx and plain forms), the merges with their undoing; scope (404),
roles (403) and masking."""

import pytest

from tests.factories import (
    COMMUNITY_1,
    GRID_A,
    GRID_C,
    STREET_1,
    SYSTEM,
    make_person,
    make_user,
)
from tests.linkage.registry import doubtful_pair
from wangge.foundation.permissions import Role
from wangge.linkage.models import MatchCandidate, Merge
from wangge.linkage.services import person_merge

ENGLISH = {"Accept-Language": "en"}
HTMX = {**ENGLISH, "HX-Request": "true"}


@pytest.fixture
def pair(world):
    first, second = doubtful_pair(GRID_A)
    return MatchCandidate.objects.create(
        left=first, right=second, probability=0.8166, weight=2.15,
        evidence={"rows": [
            {"comparison": "id", "level": "—", "m": "—", "u": "—", "weight": "+0.00",
             "left": {"id_text": first.id_number}, "right": {"id_text": ""}},
            {"comparison": "birth", "level": "one part differs", "m": "0.03", "u": "0.0001",
             "weight": "+8.23", "left": {"birth": "19841102"},
             "right": {"birth": "19841112"}},
        ], "prior": -12.5, "total": 2.15, "probability": 0.8166, "rule": ""})


@pytest.fixture
def staff(client, world):
    client.force_login(make_user(Role.COMMUNITY_STAFF, COMMUNITY_1))
    return client


def test_the_queue_lists_pending_pairs_and_links_each(staff, pair):
    page = staff.get("/linkage/", headers=ENGLISH)
    assert page.status_code == 200
    html = page.content.decode()
    assert f'href="/linkage/{pair.pk}/"' in html
    assert "1 pair waits for a decision" in html
    assert 'href="/linkage/">Duplicates</a>' in html  # the navigation


def test_a_pair_side_by_side_with_the_evidence(staff, pair):
    html = staff.get(f"/linkage/{pair.pk}/", headers=ENGLISH).content.decode()
    assert pair.left.id_number in html  # community staff see IDs unmasked
    assert "one part differs" in html
    assert "19841102" in html
    assert 'name="keep"' in html
    assert f'value="{pair.left.pk}" required id="accept_keep_0" checked' in html


def test_masking_applies_to_the_persons_and_the_evidence(client, pair):
    client.force_login(make_user(Role.STREET_OFFICER, STREET_1))
    html = client.get(f"/linkage/{pair.pk}/", headers=ENGLISH).content.decode()
    number = pair.left.id_number
    assert number not in html
    assert number[:4] + "*" * 10 + number[-4:] in html
    assert "19841102" not in html
    assert "1984-11-02" not in html


@pytest.mark.parametrize("role", [Role.GRID_WORKER, Role.VOLUNTEER, Role.RESIDENT,
                                  Role.DEPARTMENT_STAFF, Role.AUDITOR])
def test_roles_that_do_not_review_are_refused(client, pair, role):
    client.force_login(make_user(role, COMMUNITY_1))
    assert client.get("/linkage/").status_code == 403
    assert client.get(f"/linkage/{pair.pk}/").status_code == 403
    assert client.post(f"/linkage/{pair.pk}/accept/",
                       {"keep": pair.left.pk, "reason": "同一人"}).status_code == 403
    assert client.get("/linkage/merges/").status_code == 403
    assert 'href="/linkage/"' not in client.get("/", headers=ENGLISH).content.decode()
    assert not Merge.objects.exists()


def test_a_pair_with_a_person_outside_the_jurisdiction_is_not_found(staff, world):
    inside = make_person(GRID_A, name="欧阳秀梅", id_number="")
    outside = make_person(GRID_C, name="欧阳秀梅", id_number="")
    across = MatchCandidate.objects.create(left=inside, right=outside, probability=0.7,
                                           weight=1.0)
    assert staff.get(f"/linkage/{across.pk}/").status_code == 404
    assert staff.post(f"/linkage/{across.pk}/accept/",
                      {"keep": inside.pk, "reason": "同一人"}).status_code == 404
    assert staff.post(f"/linkage/{across.pk}/reject/", {"reason": "两人"}).status_code == 404
    merge = person_merge(keep=inside, absorb=outside, by=SYSTEM, reason="同一人")
    assert staff.post(f"/linkage/merges/{merge.pk}/unmerge/",
                      {"reason": "误合并"}).status_code == 404
    assert f"merge-{merge.pk}" not in staff.get("/linkage/merges/").content.decode()


def test_accept_merges_and_the_merge_is_undone_from_the_list(staff, pair):
    response = staff.post(f"/linkage/{pair.pk}/accept/",
                          {"keep": pair.left.pk, "reason": "同一人，电话核实"}, headers=HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="decision"')  # the partial alone
    assert "Merged: 欧阳秀梅" in html
    merge = Merge.objects.get()
    assert (merge.kept, merge.absorbed, merge.reason) == (pair.left, pair.right, "同一人，电话核实")
    assert staff.get("/linkage/", headers=ENGLISH).context["candidates"].paginator.count == 0

    listed = staff.get("/linkage/merges/", headers=ENGLISH).content.decode()
    assert f'id="merge-{merge.pk}"' in listed
    refused = staff.post(f"/linkage/merges/{merge.pk}/unmerge/", {"reason": ""}, headers=HTMX)
    assert refused.status_code == 422
    assert "This field is required." in refused.content.decode()
    undone = staff.post(f"/linkage/merges/{merge.pk}/unmerge/", {"reason": "核实为两人"},
                        headers=HTMX)
    assert undone.status_code == 200
    html = undone.content.decode()
    assert html.lstrip().startswith(f'<li id="merge-{merge.pk}"')
    assert "核实为两人" in html
    assert "are two again" in html
    merge.refresh_from_db()
    assert merge.undone is not None


def test_reject_without_htmx_redirects_to_the_queue(staff, pair):
    refused = staff.post(f"/linkage/{pair.pk}/reject/", {"reason": ""}, headers=ENGLISH)
    assert refused.status_code == 422
    assert 'id="reject_reason_error"' in refused.content.decode()
    response = staff.post(f"/linkage/{pair.pk}/reject/", {"reason": "两个人"})
    assert response.status_code == 302
    assert response["Location"] == "/linkage/"
    pair.refresh_from_db()
    assert pair.status == MatchCandidate.Status.REJECTED
